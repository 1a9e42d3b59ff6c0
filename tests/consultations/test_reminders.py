"""Reminders of invitees in the outbox, and what rescheduling and cancelling
a session do to the invites and reminders."""

from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.consultations.factories import START, make_session, session_data
from tests.consultations.invitation_factories import (
    calendar_part,
    deliver,
    invitation_of,
    mails_of,
    scheduled_session,
    text_part,
)
from thinktank.consultations import invitation_mail, participants, rsvp, services
from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.notifications.models import OutboxMessage
from thinktank.timeutil import utcnow

pytestmark = pytest.mark.usefixtures("secretariat_email")

SHANGHAI = ZoneInfo("Asia/Shanghai")


def pending(invitation, kind=None) -> list[tuple[str, object]]:
    return [(m.kind, m.due_at) for m in mails_of(invitation, status="pending", kind=kind)]


def data_of(session, **changes):
    return replace(session_data(), **{
        name: getattr(session, name) for name in
        ("title", "kind", "topic", "starts_at", "ends_at", "place", "online_link", "agenda",
         "rsvp_deadline", "opinion_deadline", "auto_promote_backups")
    } | changes)


def test_scheduling_queues_the_default_reminders(make_expert):
    expert = make_expert()
    session = scheduled_session([expert])
    invitation = invitation_of(session, expert)
    assert session.reminder_offsets_minutes == "4320,120"
    opinion = session.opinion_deadline
    assert sorted(pending(invitation)) == sorted([
        ("session_invitation", invitation.invited_at),
        ("meeting_reminder", START - timedelta(days=3)),
        ("meeting_reminder", START - timedelta(hours=2)),
        ("rsvp_nudge", session.rsvp_deadline - timedelta(hours=24)),
        ("opinion_reminder", opinion - timedelta(hours=48)),
        ("opinion_reminder", opinion - timedelta(hours=24)),
    ])
    row = mails_of(invitation, kind="meeting_reminder")[0]
    assert row.dedupe_key.startswith(
        f"session:{session.id}:meeting_reminder:4320:inv:{invitation.id}:seq:0")
    assert row.expert_id == expert.id and row.reply_to == "mishuchu@kjt.jiangxi.gov.cn"
    assert "会商提醒" in row.subject and "2026-12-10 09:00" in row.text_body


def test_reminders_already_past_are_not_queued(make_expert):
    expert = make_expert()
    soon = utcnow() + timedelta(hours=30)
    session = scheduled_session([expert], starts_at=soon, rsvp_deadline=soon - timedelta(hours=6))
    assert pending(invitation_of(session, expert), "meeting_reminder") == [
        ("meeting_reminder", soon - timedelta(hours=2))]
    assert pending(invitation_of(session, expert), "rsvp_nudge") == []


def test_answering_cancels_the_rsvp_nudge_and_declining_all_reminders(make_expert):
    accepting, declining = make_expert(), make_expert()
    session = scheduled_session([accepting, declining])
    rsvp.respond(invitation_of(session, accepting), accept=True)
    rsvp.respond(invitation_of(session, declining), accept=False, reason="另有公务")
    db.session.commit()
    kinds = {kind for kind, _due in pending(invitation_of(session, accepting))}
    assert kinds == {"session_invitation", "meeting_reminder", "opinion_reminder"}
    assert pending(invitation_of(session, declining)) == []
    # Changing their mind before the deadline brings the reminders back.
    rsvp.respond(invitation_of(session, declining), accept=True)
    db.session.commit()
    assert {k for k, _ in pending(invitation_of(session, declining))} == {
        "meeting_reminder", "opinion_reminder"}


def test_the_meeting_reminders_are_editable_per_session(make_expert):
    expert = make_expert()
    session = scheduled_session([expert])
    participants.set_reminder_hours(session, "24，1")
    db.session.commit()
    assert session.reminder_offsets_minutes == "1440,60"
    assert [due for _k, due in pending(invitation_of(session, expert), "meeting_reminder")] == [
        START - timedelta(hours=24), START - timedelta(hours=1)]
    participants.set_reminder_hours(session, "")
    db.session.commit()
    assert pending(invitation_of(session, expert), "meeting_reminder") == []
    for wrong in ("两小时", "0", "721", "1,2,3,4,5,6"):
        with pytest.raises(DomainError):
            invitation_mail.parse_reminder_hours(wrong)


def test_rescheduling_sends_an_updated_invite_and_moves_the_reminders(smtp, make_expert):
    expert = make_expert()
    session = scheduled_session([expert])
    [first] = deliver(smtp, 1)
    invitation = invitation_of(session, expert)
    later = START + timedelta(days=1)
    services.update_session(session, data_of(session, starts_at=later,
                                             ends_at=later + timedelta(hours=2)))
    db.session.commit()
    assert session.sequence == 1
    assert sorted(d for _k, d in pending(invitation, "meeting_reminder")) == [
        later - timedelta(days=3), later - timedelta(hours=2)]
    old = [m for m in mails_of(invitation, kind="meeting_reminder") if m.status == "cancelled"]
    assert sorted(m.due_at for m in old) == [START - timedelta(days=3), START - timedelta(hours=2)]

    [update] = deliver(smtp, 1)
    assert update["Subject"].startswith("会商变更")
    assert "2026-12-11 09:00" in text_part(update)
    _part, before = calendar_part(first)
    part, after = calendar_part(update)
    assert part.get_param("method") == "REQUEST"
    assert after.events[0]["UID"] == before.events[0]["UID"] == session.uid
    assert after.events[0]["SEQUENCE"] == 1 > before.events[0]["SEQUENCE"]
    assert after.events[0].start == later.astimezone(SHANGHAI)


def test_a_change_of_agenda_only_sends_no_new_invite(smtp, make_expert):
    expert = make_expert()
    session = scheduled_session([expert])
    deliver(smtp, 1)
    services.update_session(session, data_of(session, agenda="新议程"))
    db.session.commit()
    assert session.sequence == 0
    assert deliver(smtp, 0) == []
    assert len(pending(invitation_of(session, expert), "meeting_reminder")) == 2


def test_cancelling_sends_method_cancel_and_drops_the_reminders(smtp, make_expert):
    accepted, declined = make_expert(), make_expert()
    session = scheduled_session([accepted, declined])
    deliver(smtp, 2)
    rsvp.respond(invitation_of(session, accepted), accept=True)
    rsvp.respond(invitation_of(session, declined), accept=False, reason="在外地")
    services.cancel_session(session, "议题调整")
    db.session.commit()
    assert db.session.scalars(db.select(OutboxMessage).where(
        OutboxMessage.status == "pending", OutboxMessage.kind != "session_cancellation")
    ).all() == []
    assert invitation_of(session, accepted).status == "withdrawn"
    assert invitation_of(session, declined).status == "declined"
    [message] = deliver(smtp, 1)  # only to who had not declined
    assert message["To"].addresses[0].addr_spec == accepted.email
    assert message["Subject"].startswith("会商取消")
    part, calendar = calendar_part(message)
    assert part.get_param("method") == "CANCEL" and calendar["METHOD"] == "CANCEL"
    event = calendar.events[0]
    assert str(event["UID"]) == session.uid and event["SEQUENCE"] == session.sequence == 1
    assert str(event["STATUS"]) == "CANCELLED"


def test_nothing_is_sent_for_a_session_that_has_started(smtp, make_expert):
    expert = make_expert()
    session = scheduled_session([expert])
    deliver(smtp, 1)
    # The meeting began an hour ago (set directly: the services refuse such a start).
    started = utcnow() - timedelta(hours=1)
    session.starts_at, session.ends_at, session.rsvp_deadline = (
        started, started + timedelta(hours=3), None)
    db.session.commit()
    services.update_session(session, data_of(session, place="改在 502 会议室"))
    db.session.commit()
    assert session.sequence == 1
    services.cancel_session(session, "临时取消")
    db.session.commit()
    assert deliver(smtp, 0) == []
    assert pending(invitation_of(session, expert)) == []
    with pytest.raises(DomainError):
        participants.schedule_session(make_session(starts_at=started, rsvp_deadline=None))
