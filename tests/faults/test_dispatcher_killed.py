"""A dispatcher process killed with SIGKILL in the middle of a batch loses
no reminder. Delivery is at-least-once for the one message that was in flight
(the server had it, the dispatcher died before its ``250`` reply and before
marking the row): that one arrives twice, with the same Message-ID; every
other arrives exactly once.

A real ``flask reminders dispatch`` process sends to a real SMTP server that
takes its time over each message and holds back its answer to one of them
(the ``KILL_AT``-th), so the kill lands while that message is in flight."""

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.helpers import wait_until
from thinktank.extensions import db
from thinktank.notifications import services
from thinktank.notifications.models import OutboxMessage, OutboxStatus
from thinktank.notifications.services import DispatchResult
from thinktank.timeutil import utcnow

# The dispatcher process stamps its claims with the real time, which the
# takeover below compares with this process's clock.
pytestmark = [pytest.mark.real_clock, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
REMINDERS = 8
KILL_AT = 3  # SIGKILL once the server holds this many messages
SERVER_DELAY = 0.1  # seconds the server waits before accepting each message


def row_of(message_id: str) -> int:
    return int(message_id.split(".")[1])  # <outbox.ID.digest@domain>


def start_dispatcher(app, smtp) -> subprocess.Popen:
    env = os.environ | {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "SECRET_KEY": "test",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "reminders", "dispatch"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def test_a_dispatcher_killed_mid_batch_loses_nothing(app, faulty_smtp, queue):
    ids = {row.id for row in queue(REMINDERS)}
    faulty_smtp.inbox.delay, faulty_smtp.inbox.stall_at = SERVER_DELAY, KILL_AT
    dispatcher = start_dispatcher(app, faulty_smtp)

    def received_while_alive() -> bool:
        assert dispatcher.poll() is None, dispatcher.stdout.read()
        return len(faulty_smtp.inbox.messages) >= KILL_AT

    assert wait_until(received_while_alive, timeout=60, interval=0.005), \
        "the dispatcher sent nothing"
    dispatcher.send_signal(signal.SIGKILL)
    dispatcher.wait(timeout=10)
    killed_at = utcnow()
    in_flight = row_of(faulty_smtp.inbox.messages[KILL_AT - 1]["Message-ID"])
    faulty_smtp.inbox.delay, faulty_smtp.inbox.stall_at = 0, None

    # What the dead process left: the rows before the last one marked sent,
    # the one in flight still claimed, the rest untouched.
    db.session.expire_all()
    rows = {row.id: row for row in db.session.scalars(select(OutboxMessage))}
    sent = {i for i, row in rows.items() if row.status == OutboxStatus.SENT}
    claimed = {i for i, row in rows.items()
               if row.status == OutboxStatus.PENDING and row.claimed_at is not None}
    assert sent == {row_of(m["Message-ID"]) for m in faulty_smtp.inbox.messages[:KILL_AT - 1]}
    assert claimed == {in_flight}
    db.session.rollback()

    # A later pass sends the rest at once; the in-flight row waits for its
    # claim to expire (its owner might still be alive and sending it).
    rest = REMINDERS - KILL_AT
    assert services.dispatch_due(now=killed_at) == DispatchResult(sent=rest)
    timeout = timedelta(seconds=app.config["OUTBOX_CLAIM_TIMEOUT_SECONDS"])
    assert services.dispatch_due(now=killed_at + timeout / 2) == DispatchResult()
    assert services.dispatch_due(
        now=killed_at + timeout + timedelta(seconds=1)
    ) == DispatchResult(sent=1)

    received = Counter(row_of(m["Message-ID"]) for m in faulty_smtp.inbox.messages)
    assert set(received) == ids, "a reminder was lost"
    duplicates = {i: n for i, n in received.items() if n > 1}
    assert duplicates == {in_flight: 2}, "only the message in flight may arrive twice"
    db.session.expire_all()
    assert {row.status for row in db.session.scalars(select(OutboxMessage))} == {"sent"}
    print(f"dispatcher killed after {KILL_AT} of {REMINDERS} received: "
          f"{len(faulty_smtp.inbox.messages)} delivered, duplicates {duplicates}")
