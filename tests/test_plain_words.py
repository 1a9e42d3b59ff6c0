"""Pages and mails say what their readers say: Beijing time rather than a time
zone's database name, mail kinds and the sender in words rather than codes and
a host:pid, a full mark of 100 rather than 100.0, experts by name rather than
database ids; the data a third party needs to verify a draw or a document
stays, under a heading that says whom it is for."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.code_values import calls_of
from tests.consultations.invitation_factories import scheduled_session
from tests.helpers import Auth
from tests.reviews.panel_factories import applications_of, panel_with
from tests.reviews.round_factories import make_round
from thinktank.draws.rules import DrawRequest
from thinktank.draws.services import perform_draw
from thinktank.extensions import db
from thinktank.notifications.labels import KIND_LABELS
from thinktank.notifications.models import DispatcherHeartbeat, OutboxMessage
from thinktank.notifications.services import DISPATCHER_NAME, enqueue
from thinktank.reports import services as reports
from thinktank.reviews import progress
from thinktank.reviews import rounds as reviews
from thinktank.reviews.models import RoundStatus
from thinktank.timeutil import utcnow, zone_label


@pytest.fixture
def secretariat(client, make_user):
    Auth(client).login(make_user("secretariat", "admin"))
    return client


def test_pages_say_beijing_time_and_another_zone_keeps_its_name(app, secretariat, monkeypatch):
    page = secretariat.get("/consultations/new").get_data(as_text=True)
    assert "时间均为北京时间。" in page and "时间按北京时间填写。" in page
    assert "Asia/Shanghai" not in page
    monkeypatch.setitem(app.config, "DISPLAY_TIMEZONE", "Europe/Berlin")
    with app.test_request_context():
        assert zone_label() == "Europe/Berlin 时间"
    assert "时间均为Europe/Berlin 时间。" in secretariat.get("/").get_data(as_text=True)


def test_mails_say_beijing_time(make_expert):
    scheduled_session([make_expert(name="王芳")])
    invitation = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "session_invitation")).one()
    assert "2026-12-10 09:00 – 2026-12-10 11:00 (北京时间)" in invitation.text_body
    assert "（北京时间）" in invitation.html_body
    review_round = make_round(applications=1, scoring_deadline=utcnow() + timedelta(days=7))
    panel_with(review_round, [make_expert()])
    reviews.change_status(review_round, RoundStatus.SCORING, actor="test")
    db.session.commit()
    reminder = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == progress.REMINDER_KIND)).first()
    assert "（北京时间）截止" in reminder.text_body
    bodies = db.session.scalars(select(OutboxMessage.text_body)).all()
    assert not [body for body in bodies if "Asia/Shanghai" in body]


def test_every_kind_of_mail_the_app_queues_has_a_label(app):
    """The kinds are found in the source (``tests/code_values.py``): a new one
    fails here until it is labelled."""
    calls = calls_of(enqueue, "kind")
    assert len(calls) >= 6
    assert [call.where for call in calls if call.values is None] == []
    queued = set().union(*(call.values for call in calls))
    assert {"rsvp_nudge", "opinion_reminder", "notice", "review_scoring_reminder"} <= queued
    assert sorted(queued - KIND_LABELS.keys()) == []


def test_the_outbox_names_mail_kinds_and_the_system_as_sender(secretariat):
    for kind in ("rsvp_nudge", "opinion_reminder", "term_reminder"):
        enqueue(kind=kind, dedupe_key=kind, recipient_email="a@example.cn",
                recipient_name="王芳", subject="提醒", text_body="正文", due_at=utcnow())
    db.session.add(DispatcherHeartbeat(name=DISPATCHER_NAME, last_run_at=utcnow(),
                                       runner="vm:6816"))
    db.session.commit()
    page = secretariat.get("/admin/outbox").get_data(as_text=True)
    for code, label in (("rsvp_nudge", "回复提醒"), ("opinion_reminder", "意见提醒"),
                        ("term_reminder", "聘期届满提醒")):
        assert f"<td>{label}</td>" in page and code not in page
    assert "vm:6816" not in page and "(系统;" in page


def test_a_full_mark_reads_100_on_the_round_page_and_in_documents(secretariat):
    review_round = make_round(applications=1)
    page = secretariat.get(f"/reviews/{review_round.id}").get_data(as_text=True)
    assert re.search(r"满分</dt><dd[^>]*>100</dd>", page)
    assert re.search(r">技术先进性</td><td[^>]*>30</td>", page)
    assert "100.0" not in page and "30.0" not in page
    review_round.status = RoundStatus.FINALIZED.value
    db.session.commit()
    document = reports.request_issue("round_results", review_round.id, "评审结果汇总表")
    assert "技术先进性<br>（30）" in document.html and "（30.0）" not in document.html
    assert applications_of(review_round)[0].number in document.html


def test_the_draw_page_names_experts_and_keeps_the_data_for_third_parties(
        secretariat, make_expert):
    experts = [make_expert(name=name, organisation="甲大学") for name in ("王堃", "李喆")]
    experts.append(make_expert(name="陈燊", organisation="乙公司"))
    draw = perform_draw(DrawRequest(event_date=utcnow().date(), panel_size=2, seed=7),
                        "session", 1)
    db.session.commit()
    page = secretariat.get(f"/draws/{draw.id}").get_data(as_text=True)
    assert "专家 ID" not in page and "ID " not in page
    main, verification = page.split('id="verification"')
    assert "<h2 class=\"h5\">供第三方核验的数据</h2>" in verification
    for data in ("draw-seed", "draw-pool", "draw-order", "random.Random(7)"):
        assert data in verification and data not in main
    # Seed 7 walks 李喆, 王堃, 陈燊: 王堃 is skipped for 李喆, named rather than numbered.
    assert [draw.person(i)["name"] for i in draw.walked] == ["李喆", "王堃", "陈燊"]
    assert "甲大学 已选 1 名：李喆" in main
    # The numbers of the pool are explained beside it, expert by expert.
    for expert_id in draw.walked:
        assert re.search(rf"<td>{expert_id}</td><td>{draw.person(expert_id)['name']}",
                         verification)


def test_the_document_page_keeps_its_verification_data_under_a_plain_heading(
        app, secretariat, monkeypatch):
    monkeypatch.setitem(app.config, "REPORT_RENDER_IN_BACKGROUND", False)
    response = secretariat.post("/reports/issue", data={"kind": "pool_statistics",
                                                       "title": "专家库统计", "sequence": "1"})
    assert response.status_code == 302
    page = secretariat.get(response.location).get_data(as_text=True)
    assert 'id="download"' in page  # rendered
    main, verification = page.split('id="verification"')
    assert "供第三方核验的数据" in verification and "PDF 文件的 SHA-256 校验值" in verification
    assert "核验码" in verification and 'href="/verify"' in verification
    assert "SHA-256" not in main
