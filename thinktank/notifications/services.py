"""The outbox: enqueue mails with the act that causes them, and dispatch due
ones so that each is sent once however many dispatchers run.

A dispatcher claims a row with a conditional UPDATE committed on its own and
goes on only if it changed exactly one row; this works on SQLite (which
ignores ``SELECT ... FOR UPDATE``) as on PostgreSQL. The mail goes out only
after the claim is committed, and the row is marked with the claim's token, so
a dispatcher whose claim expired and was taken over cannot mark it twice.
"""

import os
import random
import socket
import sqlite3
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Executable, Insert, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from thinktank.audit.services import record
from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.notifications.mailer import (
    SEND_ERRORS,
    SmtpConnection,
    SmtpSettings,
    build_message,
)
from thinktank.notifications.models import (
    CalendarMethod,
    DispatcherHeartbeat,
    OutboxMessage,
    OutboxStatus,
)
from thinktank.timeutil import utcnow
from thinktank.values import RuleError, normalise_email

DISPATCHER_NAME = "outbox"
HEARTBEAT_STALE_AFTER = timedelta(minutes=5)
# A write that SQLite refuses as locked (another writer held the lock past the
# busy timeout) has not taken effect and is tried again this many times.
LOCKED_WRITE_ATTEMPTS = 5
ERROR_TEXT_LIMIT = 1000


@dataclass(frozen=True)
class DispatchResult:
    sent: int = 0
    failed: int = 0  # gave up: the last retry failed
    retried: int = 0  # failed this time, will be tried again later

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.retried


def site_context(app: Flask, base_url: str | None = None):
    """A request to ``base_url`` (default ``SITE_URL``) for work done outside any
    request (scheduler jobs, commands) that queues mails with links:
    ``url_for(..., _external=True)`` needs a host, and the users' address is
    the one to give."""
    return app.test_request_context(base_url=base_url or app.config["SITE_URL"])


def enqueue(
    *,
    kind: str,
    dedupe_key: str,
    recipient_email: str,
    recipient_name: str,
    subject: str,
    text_body: str,
    due_at: datetime,
    html_body: str | None = None,
    reply_to: str | None = None,
    subject_type: str | None = None,
    subject_id: int | None = None,
    expert_id: int | None = None,
    user_id: int | None = None,
    calendar_ics: str | None = None,
    calendar_method: CalendarMethod | str | None = None,
) -> OutboxMessage:
    """Add a mail to the outbox in the current transaction and return its row.

    Idempotent on ``dedupe_key``: if a row with that key exists (in any
    status), nothing is written and that row is returned unchanged, so a
    retried or repeated act never queues the same mail twice. A mail that
    must go out again needs a new key (e.g. one with the invite's sequence).
    """
    if not kind or not dedupe_key:
        raise ValueError("an outbox message needs a kind and a dedupe_key")
    if due_at.tzinfo is None:
        raise ValueError("due_at must be an aware datetime")
    if (calendar_ics is None) != (calendar_method is None):
        raise ValueError("calendar_ics and calendar_method go together")
    # Header values on one line: a line break in a subject or name would make
    # the mail impossible to build, and the row would block every pass.
    subject, recipient_name = " ".join(subject.split()), " ".join(recipient_name.split())
    try:
        recipient_email = normalise_email(recipient_email)
        reply_to = normalise_email(reply_to) if reply_to else None
    except RuleError as error:
        raise DomainError(_("The e-mail address is not valid.")) from error
    values = {
        "kind": kind,
        "dedupe_key": dedupe_key,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "recipient_email": recipient_email,
        "recipient_name": recipient_name,
        "expert_id": expert_id,
        "user_id": user_id,
        "reply_to": reply_to,
        "subject": subject,
        "text_body": text_body,
        "html_body": html_body,
        "calendar_ics": calendar_ics,
        "calendar_method": CalendarMethod(calendar_method).value if calendar_method else None,
        "due_at": due_at,
    }
    db.session.execute(_insert_unless_present(OutboxMessage, "dedupe_key", values))
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
    ).one()


def _insert_unless_present(model: type[db.Model], unique_column: str, values: dict) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING, which SQLite and PostgreSQL both
    have: a concurrent insert of the same key waits for the other and then
    inserts nothing, where check-then-insert would fail on the unique index."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return (
        dialect.insert(model).values(**values).on_conflict_do_nothing(index_elements=[unique_column])
    )


def _pending_of(subject_type: str, subject_id: int, kinds: Iterable[str] | None):
    condition = and_(
        OutboxMessage.subject_type == subject_type,
        OutboxMessage.subject_id == subject_id,
        OutboxMessage.status == OutboxStatus.PENDING.value,
    )
    if kinds is not None:
        condition = and_(condition, OutboxMessage.kind.in_(list(kinds)))
    return condition


def cancel_pending(
    subject_type: str, subject_id: int, kinds: Iterable[str] | None = None
) -> int:
    """Cancel the pending mails about one object (optionally only some kinds),
    in the current transaction; returns how many were cancelled.

    A mail a dispatcher is sending at this very moment still goes out and is
    then recorded as sent."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(_pending_of(subject_type, subject_id, kinds))
        .values(status=OutboxStatus.CANCELLED.value)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def reschedule_pending(
    subject_type: str, subject_id: int, shift: timedelta, kinds: Iterable[str] | None = None
) -> int:
    """Move the due time of the pending mails about one object by ``shift``
    (e.g. the change of a session's start), in the current transaction;
    returns how many were moved. Their text is not changed: mails that state
    the old time are cancelled and enqueued anew instead."""
    rows = db.session.scalars(
        select(OutboxMessage).where(_pending_of(subject_type, subject_id, kinds))
    ).all()
    for row in rows:
        row.due_at = row.due_at + shift
    return len(rows)


def _claimable(now: datetime, claim_expired_before: datetime) -> ColumnElement[bool]:
    """Pending, due, out of its backoff, and not claimed by a live dispatcher."""
    return and_(
        OutboxMessage.status == OutboxStatus.PENDING.value,
        OutboxMessage.due_at <= now,
        or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        or_(
            OutboxMessage.claimed_at.is_(None),
            OutboxMessage.claimed_at < claim_expired_before,
        ),
    )


def _is_locked(error: OperationalError) -> bool:
    code = getattr(error.orig, "sqlite_errorcode", None)
    return code is not None and (code & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _write(statement: Executable) -> int:
    """Run one statement in a transaction of its own, commit, return its rowcount.

    On SQLite a write that waited past the busy timeout fails with
    "database is locked" and has changed nothing; it is tried again after a
    short pause rather than failing the pass."""
    for attempt in range(1, LOCKED_WRITE_ATTEMPTS + 1):
        try:
            # The ORM has nothing to synchronise: the rows are not loaded here.
            rowcount = db.session.execute(
                statement, execution_options={"synchronize_session": False}
            ).rowcount
            db.session.commit()
            return rowcount
        except OperationalError as error:
            db.session.rollback()
            if not _is_locked(error) or attempt == LOCKED_WRITE_ATTEMPTS:
                raise
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


def _claim(message_id: int, now: datetime, claim_expired_before: datetime) -> str | None:
    """Take the row for this dispatcher; the token if it was ours to take."""
    token = uuid.uuid4().hex
    claimed = _write(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, _claimable(now, claim_expired_before))
        .values(claimed_at=now, claim_token=token)
    )
    return token if claimed == 1 else None


def _mark_sent(message_id: int, token: str, now: datetime) -> None:
    """Record the delivery; also over a cancellation made while it was sent.

    Should this write fail for good, the claim expires and the mail is sent
    again: a rare duplicate (with the same Message-ID) rather than a loss."""
    marked = _write(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claim_token == token)
        .values(
            status=OutboxStatus.SENT.value, sent_at=now, claimed_at=None, claim_token=None,
            last_error=None,
        )
    )
    if marked == 0:
        current_app.logger.warning(
            "outbox message %s was sent after its claim expired and was taken over", message_id
        )


def backoff_after(attempts: int, steps_minutes: list[int]) -> timedelta:
    """The wait after the ``attempts``-th failed attempt; the last step repeats."""
    return timedelta(minutes=steps_minutes[min(attempts, len(steps_minutes)) - 1])


def _mark_failed_attempt(
    message_id: int, token: str, attempts: int, error: Exception, now: datetime
) -> OutboxStatus | None:
    """Count a failed attempt and release the claim: pending again after a
    backoff, or failed for good after the last allowed attempt. None if the
    row is no longer ours or was cancelled meanwhile (it stays cancelled)."""
    config = current_app.config
    gave_up = attempts >= config["OUTBOX_MAX_ATTEMPTS"]
    status = OutboxStatus.FAILED if gave_up else OutboxStatus.PENDING
    changed = _write(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.claim_token == token,
            OutboxMessage.status == OutboxStatus.PENDING.value,
        )
        .values(
            status=status.value,
            attempts=attempts,
            next_attempt_at=None if gave_up else now + backoff_after(
                attempts, config["OUTBOX_BACKOFF_MINUTES"]
            ),
            last_error=f"{type(error).__name__}: {error}"[:ERROR_TEXT_LIMIT],
            claimed_at=None,
            claim_token=None,
        )
    )
    return status if changed == 1 else None


def dispatch_due(limit: int | None = None, now: datetime | None = None) -> DispatchResult:
    """One dispatcher pass: send up to ``limit`` due mails, each claimed
    first, and record the pass in the heartbeat.

    Safe to run in several processes at once. An SMTP failure leaves the row
    pending with one more attempt and a backoff, or marks it failed after
    ``OUTBOX_MAX_ATTEMPTS``; a claim left by a process that died expires after
    ``OUTBOX_CLAIM_TIMEOUT_SECONDS`` and the row is taken again.
    """
    config = current_app.config
    now = now or utcnow()
    limit = limit or config["OUTBOX_BATCH_SIZE"]
    expired_before = now - timedelta(seconds=config["OUTBOX_CLAIM_TIMEOUT_SECONDS"])
    settings = SmtpSettings.from_config(config)
    # Read in a session of its own, closed before any mail goes out: no
    # transaction stays open during SMTP, and the commits below do not expire
    # (and so walk) every row of the batch again.
    with Session(db.engine) as reader:
        rows = reader.scalars(
            select(OutboxMessage)
            .where(_claimable(now, expired_before))
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
            .limit(limit)
        ).all()
        # Built while the rows are loaded; none of these fields change once a
        # row is written.
        outgoing = [(row.id, row.attempts, build_message(row, settings.sender, now))
                    for row in rows]
    # Every row of the batch is due; in random order, dispatchers that run at
    # once mostly claim different rows instead of queueing on the same one.
    random.shuffle(outgoing)

    sent = failed = retried = 0
    with SmtpConnection(settings) as smtp:
        for message_id, attempts, message in outgoing:
            token = _claim(message_id, now, expired_before)
            if token is None:
                continue  # another dispatcher has it, or it changed since the read
            try:
                smtp.send(message)
            except SEND_ERRORS as error:
                current_app.logger.warning("outbox message %s not sent: %s", message_id, error)
                status = _mark_failed_attempt(message_id, token, attempts + 1, error, now)
                if status is OutboxStatus.FAILED:
                    failed += 1
                elif status is OutboxStatus.PENDING:
                    retried += 1
            else:
                _mark_sent(message_id, token, now)
                sent += 1
    result = DispatchResult(sent=sent, failed=failed, retried=retried)
    _record_heartbeat(result, now)
    return result


def dispatch_job() -> None:
    """The scheduler's job (``thinktank/jobs.py``): one dispatcher pass, logged
    when it did anything."""
    result = dispatch_due()
    if result.total:
        current_app.logger.info(
            "outbox: sent %d, failed %d, retried %d", result.sent, result.failed, result.retried
        )


def _record_heartbeat(result: DispatchResult, now: datetime) -> None:
    values = {
        "last_run_at": now,
        "runner": f"{socket.gethostname()}:{os.getpid()}"[:100],
        "sent": result.sent,
        "failed": result.failed,
        "retried": result.retried,
    }
    changed = _write(
        update(DispatcherHeartbeat)
        .where(DispatcherHeartbeat.name == DISPATCHER_NAME)
        .values(**values)
    )
    if changed == 0:  # the first pass ever
        _write(
            _insert_unless_present(DispatcherHeartbeat, "name", {"name": DISPATCHER_NAME, **values})
        )


def last_heartbeat() -> DispatcherHeartbeat | None:
    return db.session.scalars(
        select(DispatcherHeartbeat).where(DispatcherHeartbeat.name == DISPATCHER_NAME)
    ).first()


def dispatcher_is_stale(heartbeat: DispatcherHeartbeat | None, now: datetime) -> bool:
    """True when no dispatcher has finished a pass in the last five minutes."""
    return heartbeat is None or now - heartbeat.last_run_at > HEARTBEAT_STALE_AFTER


def status_counts() -> dict[str, int]:
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    return {status.value: 0 for status in OutboxStatus} | dict(rows)


def outbox_query(status: str | None):
    """The outbox rows, newest due first, optionally of one status."""
    query = select(OutboxMessage).order_by(OutboxMessage.due_at.desc(), OutboxMessage.id.desc())
    if status:
        query = query.where(OutboxMessage.status == status)
    return query


def retry_failed(message: OutboxMessage) -> None:
    """Put a failed mail back in the queue with a fresh set of attempts,
    due at once; recorded in the audit log."""
    if message.status != OutboxStatus.FAILED.value:
        raise DomainError(_("Only a failed message can be retried."))
    record(
        "outbox.retry",
        message,
        {"kind": message.kind, "attempts": message.attempts, "last_error": message.last_error},
    )
    message.status = OutboxStatus.PENDING.value
    message.attempts = 0
    message.next_attempt_at = None
    message.claimed_at = None
    message.claim_token = None
