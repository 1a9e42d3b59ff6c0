"""Score sheet pages: an expert's assignments and own sheet, who may open
what, the running total, the deadline, proxy entry and reopening."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.helpers import Auth
from tests.reviews.panel_factories import applications_of, panel_with, scoring_round
from thinktank.extensions import db
from thinktank.notifications.models import OutboxMessage
from thinktank.reviews import scoring
from thinktank.reviews.applications import add_attachment
from thinktank.reviews.models import RoundStatus, ScoreSheet, SheetStatus
from thinktank.timeutil import utcnow

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
GOOD = ["25", "20.5", "15", "12", "8"]


@pytest.fixture
def scene(make_expert, make_user):
    review_round = scoring_round(applications=2)
    experts = [make_expert() for _ in range(5)]
    panel = panel_with(review_round, experts)
    return {"round": review_round, "panel": panel, "experts": experts,
            "users": [make_user("expert", expert=e) for e in experts],
            "applications": applications_of(review_round)}


def form(review_round, values=GOOD, action="save", comment="方案可行。", recommendation="推荐",
         version=0) -> dict:
    data = {f"points-{c.id}": v for c, v in zip(review_round.criteria, values, strict=False)}
    return data | {"action": action, "comment": comment, "recommendation": recommendation,
                   "version": version}


def signed_in(app, user):
    client = app.test_client()
    Auth(client).login(user)
    return client


def test_an_expert_lists_assignments_and_scores_an_application(app, scene):
    client = signed_in(app, scene["users"][0])
    application = scene["applications"][0]
    listing = client.get("/reviews/my-assignments").get_data(as_text=True)
    assert all(a.title in listing for a in scene["applications"])
    assert "未开始" in listing
    url = f"/reviews/applications/{application.id}/sheet"
    page = client.get(url).get_data(as_text=True)
    assert 'id="sheet-total"' in page and ">0.0<" in page
    assert re.search(r'<script src="[^"]*/static/sheet\.js"', page)
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script (CSP)
    assert client.post(url, data=form(scene["round"])).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert ">80.5<" in page and 'value="20.5"' in page and "草稿" in page
    response = client.post(url, data=form(scene["round"], action="submit", version=1))
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert 'id="sheet-form"' not in page and "已提交" in page and "方案可行。" in page
    assert "已提交" in client.get("/reviews/my-assignments").get_data(as_text=True)


def test_refused_points_come_back_with_the_criterion_named_and_nothing_saved(app, scene):
    client = signed_in(app, scene["users"][0])
    url = f"/reviews/applications/{scene['applications'][0].id}/sheet"
    response = client.post(url, data=form(scene["round"], ["25", "20.55", "15", "12", "99"],
                                          action="submit", comment=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "“产业化前景”的得分最多保留一位小数" in page
    assert "“实施方案可行性”的得分不能超过 10 分" in page
    assert "提交前请填写评审意见" in page
    assert 'value="20.55"' in page  # what was typed is shown again
    assert db.session.scalars(select(ScoreSheet)).all() == []


def test_a_second_tab_or_click_does_not_make_a_second_sheet(app, scene):
    client = signed_in(app, scene["users"][0])
    url = f"/reviews/applications/{scene['applications'][0].id}/sheet"
    first = client.post(url, data=form(scene["round"], action="submit"))
    again = client.post(url, data=form(scene["round"], action="submit"))
    assert first.status_code == 302 and again.status_code == 409
    assert "已提交并锁定" in again.get_data(as_text=True)
    assert len(db.session.scalars(select(ScoreSheet)).all()) == 1


def test_an_expert_never_sees_another_experts_scores(app, scene):
    application = scene["applications"][0]
    other = scene["experts"][1]
    scoring.save_sheet(application, other.id, scoring.SheetInput(
        {c.id: "29.5" for c in scene["round"].criteria[:1]}, "别人的独立意见", "不推荐"), 0,
        submit=False)
    db.session.commit()
    other_sheet = db.session.scalars(select(ScoreSheet)).one()
    client = signed_in(app, scene["users"][0])
    for url in (f"/reviews/applications/{application.id}/sheet", "/reviews/my-assignments"):
        page = client.get(url).get_data(as_text=True)
        assert "别人的独立意见" not in page and "29.5" not in page and other.name not in page
    assert client.get(f"/reviews/sheets/{other_sheet.id}").status_code == 403
    own = signed_in(app, scene["users"][1])
    response = own.get(f"/reviews/sheets/{other_sheet.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/reviews/applications/{application.id}/sheet")


def test_an_expert_cannot_open_another_panels_application(app, scene, make_expert, make_user):
    elsewhere = scoring_round(applications=1)
    outsider = make_expert()
    panel_with(elsewhere, [outsider])
    foreign = applications_of(elsewhere)[0]
    client = signed_in(app, scene["users"][0])
    assert client.get(f"/reviews/applications/{foreign.id}/sheet").status_code == 403
    assert client.post(f"/reviews/applications/{foreign.id}/sheet",
                       data=form(elsewhere)).status_code == 403
    assert client.post(f"/reviews/applications/{foreign.id}/sheet/conflict",
                       data={"reason": "无"}).status_code == 403
    assert db.session.scalars(select(ScoreSheet)).all() == []
    stranger = signed_in(app, make_user("expert", expert=make_expert()))
    assert stranger.get("/reviews/my-assignments").status_code == 200
    assert stranger.get(
        f"/reviews/applications/{scene['applications'][0].id}/sheet").status_code == 403


def test_panel_members_read_the_attachments_others_do_not(app, scene, make_expert, make_user):
    application = scene["applications"][0]
    scene["round"].status = RoundStatus.DRAFT.value
    attachment = add_attachment(application, "申报书.pdf", PDF)
    scene["round"].status = RoundStatus.SCORING.value
    db.session.commit()
    member = signed_in(app, scene["users"][0])
    assert "申报书.pdf" in member.get(
        f"/reviews/applications/{application.id}/sheet").get_data(as_text=True)
    assert member.get(f"/reviews/attachments/{attachment.id}").data == PDF
    stranger = signed_in(app, make_user("expert", expert=make_expert()))
    assert stranger.get(f"/reviews/attachments/{attachment.id}").status_code == 403


def test_after_the_deadline_the_page_refuses_until_the_secretariat_reopens(
        app, scene, make_user):
    application, expert = scene["applications"][0], scene["experts"][0]
    scene["round"].scoring_deadline = utcnow() - timedelta(hours=1)
    db.session.commit()
    client = signed_in(app, scene["users"][0])
    url = f"/reviews/applications/{application.id}/sheet"
    assert "评分截止时间已过" in client.get(url).get_data(as_text=True)
    response = client.post(url, data=form(scene["round"], action="submit"))
    assert response.status_code == 409 and "已过" in response.get_data(as_text=True)
    secretary = signed_in(app, make_user("secretariat"))
    reopen = f"/reviews/applications/{application.id}/experts/{expert.id}/sheet/reopen"
    secretary.post(reopen, data={"reason": ""})
    assert db.session.scalars(select(ScoreSheet)).all() == []
    assert secretary.post(reopen, data={"reason": "系统故障补录"}).status_code == 302
    sheet = db.session.scalars(select(ScoreSheet)).one()
    assert sheet.status == SheetStatus.REOPENED
    assert "系统故障补录" in client.get(url).get_data(as_text=True)
    response = client.post(url, data=form(scene["round"], action="submit",
                                          version=sheet.version))
    assert response.status_code == 302
    db.session.refresh(sheet)
    assert sheet.status == SheetStatus.SUBMITTED


def test_the_secretariat_enters_a_paper_sheet_shown_as_such(app, scene, make_user):
    application, expert = scene["applications"][1], scene["experts"][3]
    secretary = make_user("secretariat", name="李秘书")
    client = signed_in(app, secretary)
    url = f"/reviews/applications/{application.id}/experts/{expert.id}/sheet"
    assert "代录入" in client.get(url).get_data(as_text=True)
    assert client.post(url, data=form(scene["round"], action="submit")).status_code == 302
    sheet = db.session.scalars(select(ScoreSheet)).one()
    assert sheet.entered_by_proxy_user_id == secretary.id and sheet.expert_id == expert.id
    page = signed_in(app, scene["users"][3]).get(
        f"/reviews/applications/{application.id}/sheet").get_data(as_text=True)
    assert "代录入" in page and "李秘书" in page and "方案可行。" in page
    assert client.get(f"/reviews/sheets/{sheet.id}").headers["Location"].endswith(url)
    expert_client = signed_in(app, scene["users"][0])
    assert expert_client.get(url).status_code == 403


def test_a_conflict_declared_on_the_page_reaches_the_outbox(app, scene):
    application = scene["applications"][0]
    client = signed_in(app, scene["users"][2])
    url = f"/reviews/applications/{application.id}/sheet/conflict"
    client.post(url, data={"reason": "", "version": 0})
    assert db.session.scalars(select(OutboxMessage)).all() == []
    assert client.post(url, data={"reason": "本人为该项目合作者", "version": 0}).status_code == 302
    mail = db.session.scalars(select(OutboxMessage)).one()
    assert mail.recipient_email == app.config["SECRETARIAT_EMAIL"]
    assert "本人为该项目合作者" in mail.text_body
    page = client.get(f"/reviews/applications/{application.id}/sheet").get_data(as_text=True)
    assert "本人为该项目合作者" in page and 'id="sheet-form"' not in page
