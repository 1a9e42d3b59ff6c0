"""After the meeting, through the pages: two editors on the same minutes,
who may read and write what, and the freeze after issue."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.consultations.factories import make_session
from tests.consultations.proceedings_factories import (
    close_opinions,
    held_session,
    invite,
    past_session,
)
from tests.helpers import Auth
from thinktank.audit.models import AuditEntry
from thinktank.consultations import proceedings
from thinktank.consultations.models import (
    ConsolidatedOpinion,
    ConsultationSession,
    ExpertOpinion,
    Invitation,
    MinutesRevision,
)
from thinktank.extensions import db
from thinktank.timeutil import utcnow


def signed_in(app, user):
    client = app.test_client()
    assert Auth(client).login(user).status_code == 302
    return client


def based_on(page: str) -> int:
    return int(re.search(r'name="based_on" type="hidden" value="(\d+)"', page)[1])


def test_attendance_page_records_and_marks_held(app, make_user, make_expert):
    secretary = make_user("secretariat")
    session = past_session()
    came = invite(session, make_expert(name="欧阳明"))
    declined = invite(session, make_expert(name="司马燊"), status="declined")
    client = signed_in(app, secretary)
    page = client.get(f"/consultations/{session.id}/attendance").get_data(as_text=True)
    assert "欧阳明" in page and "司马燊" not in page
    response = client.post(f"/consultations/{session.id}/attendance",
                           data={f"attendance-{came.id}": "present"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Invitation, came.id).attendance == "present"
    assert db.session.get(ConsultationSession, session.id).status == "held"
    response = client.post(f"/consultations/{session.id}/attendance",
                           data={f"attendance-{declined.id}": "present"})
    assert response.status_code == 400
    assert "未谢绝" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Invitation, declined.id).attendance is None


def test_attendance_form_is_shown_from_the_start_of_the_session(app, make_user, make_expert,
                                                               clock):
    session = make_session(status="scheduled",
                           starts_at=(utcnow() + timedelta(hours=1)).replace(microsecond=0))
    invite(session, make_expert(name="欧阳明"))
    client = signed_in(app, make_user("secretariat"))
    url = f"/consultations/{session.id}/attendance"

    before = client.get(url).get_data(as_text=True)
    clock.shift(timedelta(hours=1, minutes=1))
    after = client.get(url).get_data(as_text=True)

    assert "欧阳明" in before and 'name="attendance-' not in before
    assert "会商开始后" in before
    assert 'name="attendance-' in after and "attendance-not-started" not in after


def test_two_editors_never_silently_overwrite_each_other(app, make_user, make_expert):
    wang = make_user("secretariat", name="王秘书")
    li = make_user("secretariat", name="李秘书")
    session = held_session(present=[make_expert()])
    first, second = signed_in(app, wang), signed_in(app, li)
    url = f"/consultations/{session.id}/minutes"
    assert first.post(url, data={"text": "初稿", "based_on": 0}).status_code == 302

    # Both open the minutes at revision 1.
    wang_page = first.get(url).get_data(as_text=True)
    li_page = second.get(url).get_data(as_text=True)
    assert based_on(wang_page) == based_on(li_page) == 1

    assert first.post(url, data={"text": "王秘书的修改", "based_on": 1}).status_code == 302
    response = second.post(url, data={"text": "李秘书的修改", "based_on": 1})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "王秘书" in page and "第 2 版" in page and "未能保存" in page
    assert "李秘书的修改" in page  # the refused editor keeps their text
    assert "王秘书的修改" in page  # and sees the newer version beside it
    assert based_on(page) == 2
    assert list(db.session.scalars(
        select(MinutesRevision.text).order_by(MinutesRevision.number))) == ["初稿", "王秘书的修改"]

    # Having seen the newer version, the second editor saves deliberately.
    assert second.post(url, data={"text": "两人合并后的纪要", "based_on": 2}).status_code == 302
    history = first.get(f"{url}/history").get_data(as_text=True)
    for text, number in (("初稿", 1), ("王秘书的修改", 2), ("两人合并后的纪要", 3)):
        assert text in history and f"第 {number} 版" in history
    assert history.index("第 3 版") < history.index("第 1 版")  # newest first
    authors = db.session.scalars(select(MinutesRevision.author_id).order_by(MinutesRevision.number))
    assert list(authors) == [wang.id, wang.id, li.id]


def test_a_made_up_revision_number_is_refused(app, make_user, make_expert):
    session = held_session(present=[make_expert()])
    client = signed_in(app, make_user("secretariat"))
    response = client.post(f"/consultations/{session.id}/minutes",
                           data={"text": "纪要", "based_on": 7})
    assert response.status_code == 400 and "请刷新页面" in response.get_data(as_text=True)
    assert client.post(f"/consultations/{session.id}/minutes",
                       data={"text": "纪要", "based_on": 0}).status_code == 302
    response = client.post(f"/consultations/{session.id}/minutes",
                           data={"text": "改后的纪要", "based_on": 7})
    assert response.status_code == 400 and "请刷新页面" in response.get_data(as_text=True)
    assert list(db.session.scalars(select(MinutesRevision.text))) == ["纪要"]


def test_expert_writes_and_changes_their_opinion(app, make_user, make_expert):
    expert = make_expert()
    session = held_session(present=[expert])
    user = make_user("expert", expert=expert)
    client = signed_in(app, user)
    url = f"/consultations/{session.id}/my-opinion"
    assert "提交意见" in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"text": "建议加强中试平台建设。"}).status_code == 302
    assert client.post(url, data={"text": "建议加强中试平台和人才建设。"}).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "建议加强中试平台和人才建设。" in page and "保存修改" in page
    assert proceedings.opinion_of(session, expert.id).text == "建议加强中试平台和人才建设。"
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("opinion.%"))
                                 .order_by(AuditEntry.id))
    assert [(e.action, e.user_id) for e in entries] == [
        ("opinion.submitted", user.id), ("opinion.updated", user.id)]


def test_after_the_deadline_the_page_refuses_and_nothing_changes(app, make_user, make_expert):
    expert = make_expert()
    session = held_session(present=[expert])
    client = signed_in(app, make_user("expert", expert=expert))
    url = f"/consultations/{session.id}/my-opinion"
    assert client.post(url, data={"text": "原意见"}).status_code == 302
    close_opinions(session)
    page = client.get(url).get_data(as_text=True)
    assert "不能再提交或修改意见" in page and 'name="text"' not in page
    response = client.post(url, data={"text": "改后的意见"})
    assert response.status_code == 400
    assert "意见提交截止时间" in response.get_data(as_text=True)
    db.session.expire_all()
    assert proceedings.opinion_of(session, expert.id).text == "原意见"


def test_experts_write_only_their_own_opinion_on_sessions_they_attended(
        app, make_user, make_expert):
    me, colleague, absentee = make_expert(), make_expert(), make_expert()
    theirs = held_session(present=[colleague], absent=[absentee])
    proceedings.submit_opinion(theirs, colleague.id, "同事的意见")
    db.session.commit()
    mine = held_session(present=[me])
    not_invited = signed_in(app, make_user("expert", expert=me))
    absent = signed_in(app, make_user("expert", expert=absentee))
    unlinked = signed_in(app, make_user("expert"))
    for client in (not_invited, absent, unlinked):
        assert client.get(f"/consultations/{theirs.id}/my-opinion").status_code == 403
        response = client.post(f"/consultations/{theirs.id}/my-opinion", data={"text": "篡改"})
        assert response.status_code == 403
    assert not_invited.get(f"/consultations/{mine.id}/my-opinion").status_code == 200
    # The secretariat's pages are not for experts, not even for the session they attended.
    for path in ("minutes", "minutes/history", "opinions", "attendance"):
        assert not_invited.get(f"/consultations/{mine.id}/{path}").status_code == 403
    assert [o.text for o in db.session.scalars(select(ExpertOpinion))] == ["同事的意见"]
    assert not_invited.get("/consultations/999999/my-opinion").status_code == 404


@pytest.mark.parametrize("status", ["draft", "scheduled", "cancelled"])
def test_officials_cannot_read_sessions_that_did_not_take_place(app, make_user, status):
    session = make_session(status=status)
    client = signed_in(app, make_user("official"))
    for path in ("minutes", "minutes/history", "opinions"):
        assert client.get(f"/consultations/{session.id}/{path}").status_code == 403, path


def test_officials_and_admins_read_held_sessions_without_forms(app, make_user, make_expert):
    expert = make_expert(name="欧阳明")
    session = held_session(present=[expert])
    proceedings.save_minutes(session, "会议纪要正文", 0, make_user("secretariat"))
    proceedings.submit_opinion(session, expert.id, "欧阳明的意见")
    db.session.commit()
    for role in ("official", "admin"):
        client = signed_in(app, make_user(role))
        minutes = client.get(f"/consultations/{session.id}/minutes").get_data(as_text=True)
        assert "会议纪要正文" in minutes and 'name="text"' not in minutes
        opinions = client.get(f"/consultations/{session.id}/opinions").get_data(as_text=True)
        assert "欧阳明的意见" in opinions and "<form" not in opinions.split("<main")[1].split(
            "</main>")[0]
        history = client.get(f"/consultations/{session.id}/minutes/history")
        assert "会议纪要正文" in history.get_data(as_text=True)
        response = client.post(f"/consultations/{session.id}/minutes",
                               data={"text": "改", "based_on": 1})
        assert response.status_code == 403
    assert db.session.scalar(select(func.count(MinutesRevision.id))) == 1


def test_collect_and_issue_through_the_pages_then_everything_is_frozen(
        app, make_user, make_expert):
    secretary = make_user("secretariat")
    expert = make_expert()
    session = held_session(present=[expert])
    office = signed_in(app, secretary)
    writer = signed_in(app, make_user("expert", expert=expert))
    base = f"/consultations/{session.id}"
    assert office.post(f"{base}/minutes", data={"text": "纪要", "based_on": 0}).status_code == 302
    assert writer.post(f"{base}/my-opinion", data={"text": "意见"}).status_code == 302
    response = office.post(f"{base}/opinions/issue", data={"text": "综合意见"})
    assert response.status_code == 400 and "请先汇总" in response.get_data(as_text=True)
    assert office.post(f"{base}/opinions/collect").status_code == 302
    assert office.post(f"{base}/opinions/issue", data={"text": "综合意见"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ConsultationSession, session.id).status == "issued"
    invitation = db.session.scalar(select(Invitation))

    refused = [
        office.post(f"{base}/attendance", data={f"attendance-{invitation.id}": "excused"}),
        office.post(f"{base}/minutes", data={"text": "改后的纪要", "based_on": 1}),
        office.post(f"{base}/opinions/collect", follow_redirects=True),
        office.post(f"{base}/opinions/issue", data={"text": "新的综合意见"}),
        writer.post(f"{base}/my-opinion", data={"text": "改后的意见"}),
    ]
    for response in refused:
        page = response.get_data(as_text=True)
        assert "已印发" in page or "不能再提交或修改" in page, response.request.path
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).attendance == "present"
    assert [r.text for r in db.session.scalars(select(MinutesRevision))] == ["纪要"]
    assert [o.text for o in db.session.scalars(select(ExpertOpinion))] == ["意见"]
    assert [c.text for c in db.session.scalars(select(ConsolidatedOpinion))] == ["综合意见"]
    page = office.get(f"{base}/opinions").get_data(as_text=True)
    assert "综合意见" in page and 'name="text"' not in page
    assert 'name="text"' not in office.get(f"{base}/minutes").get_data(as_text=True)
    issued = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "session.issued"))
    assert issued.user_id == secretary.id


def test_collecting_early_is_refused_with_the_count(app, make_user, make_expert):
    session = held_session(present=[make_expert(), make_expert()])
    client = signed_in(app, make_user("secretariat"))
    page = client.post(f"/consultations/{session.id}/opinions/collect",
                       follow_redirects=True).get_data(as_text=True)
    assert "尚有 2 位出席专家未提交意见" in page
    close_opinions(session)
    assert client.post(f"/consultations/{session.id}/opinions/collect").status_code == 302
    db.session.expire_all()
    assert db.session.get(ConsultationSession, session.id).status == "opinions_collected"


def test_the_opinion_page_fits_a_phone_by_its_layout(app, make_user, make_expert):
    """Bootstrap's responsive grid and no fixed widths: the page follows a 390-px
    screen (tests/browser/test_proceedings_phone.py measures it in Chromium)."""
    expert = make_expert()
    session = held_session(present=[expert])
    client = signed_in(app, make_user("expert", expert=expert))
    page = client.get(f"/consultations/{session.id}/my-opinion").get_data(as_text=True)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    main = page.split("<main")[1].split("</main>")[0]
    assert 'class="col-12 col-lg-9 col-xl-8"' in main
    assert re.search(r'<textarea class="form-control[^"]*"[^>]*name="text"', main)
    assert "style=" not in main and "width=" not in main
    assert not re.search(r"\b(cols|size)=", main)
