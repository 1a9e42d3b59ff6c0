"""Participants and invitations through the services, with the mails going
through the outbox to a real SMTP server on loopback."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.consultations.factories import START, make_session
from tests.consultations.invitation_factories import (
    calendar_part,
    deliver,
    invitation_of,
    mails_of,
    scheduled_session,
    text_part,
)
from thinktank.audit.models import AuditEntry
from thinktank.consultations import participants, rsvp
from thinktank.consultations.models import Invitation
from thinktank.draws.models import Draw
from thinktank.errors import DomainError
from thinktank.experts.services import find_experts
from thinktank.extensions import db
from thinktank.timeutil import utcnow

pytestmark = pytest.mark.usefixtures("secretariat_email")

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_scheduling_sends_one_invitation_per_member_with_an_ics(smtp, make_expert,
                                                                 secretariat_email):
    first, second = make_expert(name="王芳"), make_expert(name="李强")
    session = scheduled_session([first, second], online_link="https://meeting.example.cn/123")
    assert session.status == "scheduled"
    assert {i.status for i in session.invitations} == {"invited"}

    received = deliver(smtp, 2)
    by_recipient = {m["To"].addresses[0].addr_spec: m for m in received}
    assert set(by_recipient) == {first.email, second.email}
    message = by_recipient[first.email]
    assert message["Reply-To"] == secretariat_email
    assert message["Subject"] == f"会商邀请：{session.title}"
    text = text_part(message)
    assert "王芳" in text and "省科技厅 301 会议室" in text and "2026-12-10 09:00" in text
    html = text_part(message, "html")
    assert "秘书处诚邀您参加以下会商" in html and "尊敬的王芳专家" in html

    part, calendar = calendar_part(message)
    assert part.get_param("method") == "REQUEST"
    assert calendar["METHOD"] == "REQUEST"
    assert len(calendar.events) == 1 and calendar.timezones[0]["TZID"] == "Asia/Shanghai"
    event = calendar.events[0]
    assert str(event["UID"]) == session.uid
    assert event["SEQUENCE"] == 0
    assert event.start == START.astimezone(SHANGHAI)
    assert event.start.tzinfo.key == "Asia/Shanghai"
    assert "DTSTART;TZID=Asia/Shanghai:20261210T090000" in part.get_content()
    assert event.end == (START + timedelta(hours=2)).astimezone(SHANGHAI)
    assert str(event["ORGANIZER"]) == f"mailto:{secretariat_email}"
    assert str(event["ATTENDEE"]) == f"mailto:{first.email}"
    assert "省科技厅 301 会议室" in str(event["LOCATION"])
    assert str(event["URL"]) == "https://meeting.example.cn/123"

    # The RSVP link in the mail opens the invitation without signing in.
    link = re.search(r"http://localhost(/consultations/rsvp/\S+)", text)[1]
    assert link in text_part(message, "html")
    from flask import current_app
    page = current_app.test_client().get(link)
    assert page.status_code == 200 and session.title in page.get_data(as_text=True)

    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "session.scheduled"))
    assert sorted(entry.payload["invited"]) == sorted([first.id, second.id])


def test_scheduling_needs_participants_and_a_draft_that_has_not_started(make_expert):
    empty = make_session()
    with pytest.raises(DomainError, match="请先添加参会专家"):
        participants.schedule_session(empty)
    db.session.rollback()
    session = scheduled_session([make_expert()])
    with pytest.raises(DomainError, match="只有草稿状态"):
        participants.schedule_session(session)
    db.session.rollback()
    started = make_session(starts_at=utcnow() - timedelta(hours=1),
                           rsvp_deadline=None)
    with pytest.raises(DomainError, match="已经开始"):
        participants.add_participants(started, [make_expert()], "manual")


def test_adding_by_hand_finds_codes_and_names(make_expert):
    coded = make_expert(name="赵敏")
    named = make_expert(name="钱进")
    make_expert(name="同名"), make_expert(name="同名")
    assert find_experts(f"{coded.code.lower()}，钱进") == [coded, named]
    with pytest.raises(DomainError, match="未找到以下编号或姓名的专家：查无此人"):
        find_experts("查无此人")
    with pytest.raises(DomainError) as error:
        find_experts("同名")
    assert "同名" in error.value.message

    session = make_session()
    added = participants.add_participants(session, [coded, named], "manual")
    again = participants.add_participants(session, [coded], "manual")
    db.session.commit()
    assert [i.expert_id for i in added] == [coded.id, named.id] and again == []
    assert {i.status for i in session.invitations} == {"pending"}
    assert not mails_of(added[0])  # a draft session sends nothing yet


def test_suspended_experts_cannot_be_added(make_expert):
    suspended = make_expert(name="暂停者")
    suspended.status = "suspended"
    db.session.commit()
    with pytest.raises(DomainError, match="暂停者"):
        participants.add_participants(make_session(), [suspended], "manual")


def test_adding_by_filter_takes_the_eligible_pool(make_expert):
    nanchang = make_expert(city="南昌")
    make_expert(city="赣州")
    ended = make_expert(city="南昌", term_end=START.date() - timedelta(days=30))
    session = make_session()
    assert participants.filter_candidates(session, cities=["南昌"]) == [nanchang]
    participants.add_participants(session, [nanchang], "filter")
    db.session.commit()
    assert participants.filter_candidates(session, cities=["南昌"]) == []  # already on it
    assert ended.id not in [e.id for e in participants.filter_candidates(session)]


def test_a_draw_puts_members_and_ranked_backups_on_the_session(make_expert):
    experts = [make_expert() for _ in range(5)]
    session = make_session()
    manual = participants.add_participants(session, [experts[0]], "manual")[0]
    draw = participants.draw_participants(session, panel_size=2, backups=2)
    db.session.commit()
    assert draw.context_type == "session" and draw.context_id == session.id
    assert draw.event_date == START.date()
    # Already on the session: excluded with reason (4).
    assert {"expert_id": experts[0].id}.items() <= draw.exclusions[0].items()
    assert draw.exclusions[0]["reason"] == "already_on"
    rows = {i.expert_id: i for i in session.invitations if i.id != manual.id}
    assert {rows[i].status for i in draw.drawn} == {"pending"}
    assert [(rows[i].status, rows[i].backup_rank) for i in draw.backups] == [
        ("reserve", 1), ("reserve", 2)]
    assert {i.draw_id for i in rows.values()} == {draw.id}
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "draw.performed"))


def test_a_draw_with_too_few_eligible_experts_is_a_clear_error(make_expert):
    make_expert()
    with pytest.raises(DomainError, match="符合条件的专家仅有 1 名，本次需抽取 3 名"):
        participants.draw_participants(make_session(), panel_size=3)
    db.session.rollback()
    assert db.session.scalar(select(Draw)) is None
    assert db.session.scalar(select(Invitation)) is None


def test_a_decline_invites_the_next_backup_at_once(smtp, make_expert):
    experts = [make_expert() for _ in range(3)]
    session = make_session()
    draw = participants.draw_participants(session, panel_size=1, backups=2)
    participants.schedule_session(session)
    db.session.commit()
    deliver(smtp, 1)
    member = invitation_of(session, next(e for e in experts if e.id == draw.drawn[0]))
    backup_id = draw.backups[0]

    promoted = rsvp.respond(member, accept=False, reason="出差")
    db.session.commit()
    assert promoted.expert_id == backup_id
    assert (promoted.status, promoted.source) == ("invited", "promoted")
    assert mails_of(member, status="pending") == []  # their reminders are dropped
    assert db.session.get(Draw, draw.id).panel == [backup_id]

    received = deliver(smtp, 1)
    assert received[0]["To"].addresses[0].addr_spec == promoted.expert.email
    assert calendar_part(received[0])[1]["METHOD"] == "REQUEST"
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"invitation.declined", "draw.backup_promoted", "invitation.promoted"} <= actions


def test_without_auto_promotion_the_secretariat_promotes(make_expert):
    [make_expert() for _ in range(2)]
    session = make_session(auto_promote_backups=False)
    draw = participants.draw_participants(session, panel_size=1, backups=1)
    participants.schedule_session(session)
    db.session.commit()
    member = next(i for i in session.invitations if i.expert_id == draw.drawn[0])
    assert rsvp.respond(member, accept=False, reason="身体原因") is None
    db.session.commit()
    backup = next(i for i in session.invitations if i.expert_id == draw.backups[0])
    assert backup.status == "reserve"
    assert participants.promote_backup(member).id == backup.id
    db.session.commit()
    assert backup.status == "invited"
    with pytest.raises(DomainError):  # the declined member was already replaced
        participants.promote_backup(member)


def test_removing_an_invited_expert_sends_a_cancellation(smtp, make_expert):
    kept, removed = make_expert(), make_expert()
    session = scheduled_session([kept, removed])
    deliver(smtp, 2)
    invitation = invitation_of(session, removed)
    participants.remove_participant(invitation)
    db.session.commit()
    assert invitation.status == "withdrawn"
    assert mails_of(invitation, status="pending", kind="meeting_reminder") == []
    assert mails_of(invitation_of(session, kept), status="pending")
    [message] = deliver(smtp, 1)
    assert message["To"].addresses[0].addr_spec == removed.email
    part, calendar = calendar_part(message)
    assert part.get_param("method") == "CANCEL" and calendar["METHOD"] == "CANCEL"
    assert str(calendar.events[0]["UID"]) == session.uid
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "invitation.withdrawn"))
    assert entry.target_id == invitation.id
    with pytest.raises(DomainError):
        participants.remove_participant(invitation)


def test_declining_again_after_a_change_of_mind_promotes_no_second_backup(make_expert):
    [make_expert() for _ in range(3)]
    session = make_session()
    draw = participants.draw_participants(session, panel_size=1, backups=2)
    participants.schedule_session(session)
    db.session.commit()
    member = next(i for i in session.invitations if i.expert_id == draw.drawn[0])
    assert rsvp.respond(member, accept=False, reason="出差").expert_id == draw.backups[0]
    rsvp.respond(member, accept=True)
    assert rsvp.respond(member, accept=False, reason="还是出差") is None
    db.session.commit()
    assert member.status == "declined"
    statuses = {i.expert_id: i.status for i in session.invitations}
    assert statuses[draw.backups[1]] == "reserve"
    assert participants.replaceable(session) == set()
