from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.helpers import free_port
from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.notifications import services
from thinktank.notifications.models import OutboxMessage
from thinktank.notifications.services import DispatchResult, backoff_after

from .helpers import NOW


def fresh(row: OutboxMessage) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, row.id)


def test_enqueue_twice_with_one_key_makes_one_row(queue):
    first = services.enqueue(
        kind="reminder", dedupe_key="session:1:3d:expert:9", recipient_email="Wang@Example.cn",
        recipient_name="王教授", subject="会商提醒", text_body="正文", due_at=NOW,
    )
    again = services.enqueue(
        kind="reminder", dedupe_key="session:1:3d:expert:9", recipient_email="other@example.cn",
        recipient_name="别人", subject="另一个主题", text_body="另一正文", due_at=NOW,
    )
    db.session.commit()
    assert again.id == first.id
    assert again.subject == "会商提醒"
    assert again.recipient_email == "wang@example.cn"
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_enqueue_refuses_bad_input(app):
    base = dict(kind="reminder", dedupe_key="k", recipient_name="王", subject="s",
                text_body="t", due_at=NOW)
    with pytest.raises(DomainError):
        services.enqueue(recipient_email="not-an-address", **base)
    with pytest.raises(ValueError):
        services.enqueue(recipient_email="a@example.cn",
                         **base | {"due_at": NOW.replace(tzinfo=None)})
    with pytest.raises(ValueError):
        services.enqueue(recipient_email="a@example.cn", calendar_ics="BEGIN:VCALENDAR", **base)
    with pytest.raises(ValueError):
        services.enqueue(recipient_email="a@example.cn", calendar_ics="BEGIN:VCALENDAR",
                         calendar_method="PUBLISH", **base)


def test_a_pass_sends_each_due_row_once_and_nothing_not_yet_due(smtp, queue):
    due = queue(3)
    later = queue(1, due_at=NOW + timedelta(hours=2))[0]

    assert services.dispatch_due(now=NOW) == DispatchResult(sent=3)
    assert services.dispatch_due(now=NOW) == DispatchResult()

    assert len(smtp.inbox.messages) == 3
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp.inbox.messages) == sorted(
        row.recipient_email for row in due
    )
    assert all(len(m["To"].addresses) == 1 and m["Bcc"] is None for m in smtp.inbox.messages)
    for row in due:
        row = fresh(row)
        assert (row.status, row.sent_at, row.claim_token) == ("sent", NOW, None)
    assert fresh(later).status == "pending"

    assert services.dispatch_due(now=NOW + timedelta(hours=2)) == DispatchResult(sent=1)
    assert len(smtp.inbox.messages) == 4


def test_message_carries_names_reply_to_and_a_stable_message_id(smtp, queue):
    row = queue(1, recipient_name="李研究员", reply_to="secretariat@example.cn",
                html_body="<p>您好</p>")[0]
    services.dispatch_due(now=NOW)
    message = smtp.inbox.messages[0]
    assert message["To"].addresses[0].display_name == "李研究员"
    assert message["Reply-To"] == "secretariat@example.cn"
    assert message["Subject"] == row.subject
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].startswith(f"<outbox.{row.id}.")
    assert message.get_body(("plain",)).get_content().strip() == row.text_body
    assert message.get_body(("html",)).get_content().strip() == "<p>您好</p>"


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_calendar_part_is_text_calendar_with_its_method(smtp, queue, method):
    ics = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:{method}\r\nEND:VCALENDAR\r\n"
    queue(1, kind="invitation", calendar_ics=ics, calendar_method=method,
          html_body="<p>邀请</p>")
    services.dispatch_due(now=NOW)
    parts = [p for p in smtp.inbox.messages[0].walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    assert parts[0].get_param("method") == method
    assert parts[0].get_content_charset() == "utf-8"
    assert parts[0].get_content().replace("\r\n", "\n") == ics.replace("\r\n", "\n")


def test_smtp_outage_loses_nothing_and_each_arrives_once_when_back(smtp, queue):
    rows = queue(3)
    smtp.stop()

    assert services.dispatch_due(now=NOW) == DispatchResult(retried=3)
    for row in rows:
        row = fresh(row)
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.next_attempt_at == NOW + timedelta(minutes=1)
        assert row.claimed_at is None and row.claim_token is None
        assert "Connection" in row.last_error
    # Still in its backoff: not tried again, even with the server back.
    smtp.start()
    assert services.dispatch_due(now=NOW + timedelta(seconds=30)) == DispatchResult()

    assert services.dispatch_due(now=NOW + timedelta(minutes=1)) == DispatchResult(sent=3)
    assert services.dispatch_due(now=NOW + timedelta(minutes=2)) == DispatchResult()
    assert sorted(smtp.inbox.message_ids().values()) == [1, 1, 1]
    assert all(fresh(row).status == "sent" for row in rows)


def test_after_the_last_retry_the_row_is_failed(app, queue, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 3)
    row = queue(1)[0]

    moments = [NOW, NOW + timedelta(minutes=1), NOW + timedelta(minutes=6)]
    results = [services.dispatch_due(now=moment) for moment in moments]
    assert results == [DispatchResult(retried=1), DispatchResult(retried=1),
                       DispatchResult(failed=1)]
    row = fresh(row)
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 3, None)
    assert services.dispatch_due(now=NOW + timedelta(days=1)) == DispatchResult()


def test_backoff_steps_and_the_last_repeats():
    steps = [1, 5, 15, 60]
    assert [backoff_after(n, steps) for n in (1, 2, 3, 4, 5, 9)] == [
        timedelta(minutes=m) for m in (1, 5, 15, 60, 60, 60)
    ]


def test_retry_failed_puts_the_row_back_and_is_audited(smtp, queue):
    from thinktank.audit.models import AuditEntry

    row = queue(1)[0]
    row.status, row.attempts, row.last_error = "failed", 5, "SMTPDataError: 554"
    db.session.commit()

    services.retry_failed(row)
    db.session.commit()
    assert (fresh(row).status, fresh(row).attempts) == ("pending", 0)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "outbox.retry")).one()
    assert entry.target_id == row.id and entry.payload["attempts"] == 5

    assert services.dispatch_due(now=NOW) == DispatchResult(sent=1)
    with pytest.raises(DomainError):
        services.retry_failed(fresh(row))


def test_an_expired_claim_is_taken_again_and_sent_once(smtp, queue, app):
    timeout = timedelta(seconds=app.config["OUTBOX_CLAIM_TIMEOUT_SECONDS"])
    dead, live = queue(2)
    # ``dead`` was claimed by a process that died before sending; ``live`` is
    # being sent right now by another dispatcher.
    dead.claimed_at, dead.claim_token = NOW - timeout - timedelta(seconds=1), "dead-process"
    live.claimed_at, live.claim_token = NOW - timedelta(seconds=10), "live-process"
    db.session.commit()

    assert services.dispatch_due(now=NOW) == DispatchResult(sent=1)
    assert len(smtp.inbox.messages) == 1
    assert smtp.inbox.messages[0]["Message-ID"].startswith(f"<outbox.{dead.id}.")
    assert fresh(dead).status == "sent" and fresh(live).status == "pending"

    # Once the live claim is older than the timeout, its owner is presumed dead.
    assert services.dispatch_due(now=NOW + timeout) == DispatchResult(sent=1)
    assert sorted(smtp.inbox.message_ids().values()) == [1, 1]


def test_cancel_and_reschedule_touch_only_that_objects_pending_rows(smtp, queue):
    reminder, nudge = (queue(1, kind=kind, subject_type="session", subject_id=7)[0]
                       for kind in ("reminder", "rsvp_nudge"))
    other = queue(1, subject_type="session", subject_id=8)[0]
    sent = queue(1, subject_type="session", subject_id=7, due_at=NOW - timedelta(days=2))[0]
    services.dispatch_due(now=NOW - timedelta(days=1))
    assert fresh(sent).status == "sent"

    assert services.reschedule_pending("session", 7, timedelta(days=1)) == 2
    assert services.cancel_pending("session", 7, kinds=["rsvp_nudge"]) == 1
    db.session.commit()

    assert services.dispatch_due(now=NOW) == DispatchResult(sent=1)  # only ``other``
    assert fresh(other).status == "sent" and fresh(nudge).status == "cancelled"
    assert fresh(reminder).due_at == NOW + timedelta(hours=23)
    assert services.dispatch_due(now=NOW + timedelta(hours=23)) == DispatchResult(sent=1)
    assert fresh(reminder).status == "sent" and fresh(nudge).status == "cancelled"
    assert fresh(sent).status == "sent"


def test_each_pass_records_the_heartbeat(smtp, queue):
    assert services.last_heartbeat() is None
    services.dispatch_due(now=NOW)
    queue(2)
    services.dispatch_due(now=NOW + timedelta(minutes=1))
    db.session.expire_all()
    heartbeat = services.last_heartbeat()
    assert (heartbeat.last_run_at, heartbeat.sent, heartbeat.failed) == (
        NOW + timedelta(minutes=1), 2, 0
    )
    assert not services.dispatcher_is_stale(heartbeat, NOW + timedelta(minutes=6))
    assert services.dispatcher_is_stale(heartbeat, NOW + timedelta(minutes=6, seconds=1))
    assert services.dispatcher_is_stale(None, NOW)


def test_line_breaks_cannot_add_headers(smtp, queue):
    queue(1, subject="会商提醒\nBcc: someone@example.cn", recipient_name="王\r\n五")
    assert services.dispatch_due(now=NOW) == DispatchResult(sent=1)
    message = smtp.inbox.messages[0]
    assert message["Bcc"] is None
    assert message["Subject"] == "会商提醒 Bcc: someone@example.cn"
    assert message["To"].addresses[0].display_name == "王 五"


def test_an_enqueue_rolled_back_with_its_act_leaves_nothing(queue):
    queue(1)
    services.enqueue(kind="reminder", dedupe_key="rolled-back", recipient_email="a@example.cn",
                     recipient_name="王", subject="s", text_body="t", due_at=NOW)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
