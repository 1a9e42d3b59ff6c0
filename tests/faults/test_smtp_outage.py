"""The SMTP server down for a while: reminders that fall due meanwhile are
tried only when out of their backoff, stay pending, and arrive exactly once
(counted by Message-ID at the receiving server) once it is back. Time moves
through ``now=``; nothing sleeps."""

from collections import Counter
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.notifications.helpers import NOW
from thinktank.extensions import db
from thinktank.notifications import services
from thinktank.notifications.models import OutboxMessage, OutboxStatus
from thinktank.notifications.services import DispatchResult, backoff_after

OUTAGE = timedelta(minutes=20)
PASS_EVERY = timedelta(minutes=1)  # the scheduler's interval


@dataclass(frozen=True)
class RowState:
    status: str
    attempts: int
    due_at: datetime
    next_attempt_at: datetime | None
    claim_token: str | None
    last_error: str | None
    sent_at: datetime | None


def rows_now(ids: list[int]) -> dict[int, RowState]:
    """The rows as the database has them now, copied (the ORM objects change on refresh)."""
    db.session.expire_all()
    rows = {
        row.id: RowState(**{f.name: getattr(row, f.name) for f in fields(RowState)})
        for row in db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)))
    }
    db.session.rollback()
    return rows


def received_by_row(smtp) -> Counter:
    """How many times each outbox row arrived: ``<outbox.ID.digest@domain>``."""
    return Counter({int(message_id.split(".")[1]): count
                    for message_id, count in smtp.inbox.message_ids().items()})


def take_down(smtp, fault: str) -> None:
    if fault == "stopped":  # nothing listens: connection refused
        smtp.stop()
    else:  # up, but answers 451 to every recipient
        smtp.inbox.refusing = True


def bring_back(smtp, fault: str) -> None:
    if fault == "stopped":
        smtp.start()
    else:
        smtp.inbox.refusing = False


@pytest.mark.parametrize("fault", ["stopped", "refusing"])
def test_reminders_due_during_an_outage_arrive_once_after_it(app, faulty_smtp, queue, fault):
    steps = app.config["OUTBOX_BACKOFF_MINUTES"]
    ids = [row.id for row in queue(4)]  # due an hour before the outage starts
    ids += [queue(1, due_at=NOW + timedelta(minutes=m))[0].id for m in (3, 9, 14)]
    take_down(faulty_smtp, fault)

    # Down: each pass tries exactly the rows that are due and out of their
    # backoff, and each failure sets the next backoff step.
    moment = NOW
    while moment < NOW + OUTAGE:
        before = rows_now(ids)
        result = services.dispatch_due(now=moment)
        after = rows_now(ids)
        tried = {i for i in ids if after[i].attempts > before[i].attempts}
        assert result == DispatchResult(retried=len(tried)), moment
        for i in ids:
            was, now = before[i], after[i]
            eligible_from = max(was.due_at, was.next_attempt_at or was.due_at)
            assert now.status == OutboxStatus.PENDING and now.claim_token is None
            if i in tried:
                assert eligible_from <= moment
                assert now.attempts == was.attempts + 1
                assert now.next_attempt_at == moment + backoff_after(now.attempts, steps)
                assert now.last_error
            else:
                assert eligible_from > moment, (i, moment)
        moment += PASS_EVERY
    assert len(faulty_smtp.inbox.messages) == 0
    attempts_during_outage = {i: row.attempts for i, row in rows_now(ids).items()}

    # Back: every reminder arrives, once, as each one's backoff runs out.
    back = moment
    bring_back(faulty_smtp, fault)
    while any(row.status != OutboxStatus.SENT for row in rows_now(ids).values()):
        assert moment < back + timedelta(hours=2), "not all delivered after the outage"
        assert services.dispatch_due(now=moment).retried == 0
        moment += PASS_EVERY
    for extra in range(3):
        assert services.dispatch_due(now=moment + extra * PASS_EVERY) == DispatchResult()
    assert received_by_row(faulty_smtp) == Counter({i: 1 for i in ids})

    sent = rows_now(ids)
    wait = max(row.sent_at for row in sent.values()) - back
    print(f"smtp outage ({fault}): {len(ids)} reminders, attempts while down "
          f"{sorted(attempts_during_outage.values())}, all delivered once, the last "
          f"{wait} after the server came back")


def test_an_outage_past_the_last_retry_leaves_failed_rows_sent_once_on_retry(
    app, faulty_smtp, queue
):
    ids = [row.id for row in queue(3)]
    faulty_smtp.stop()
    moment = NOW
    while any(row.status == OutboxStatus.PENDING for row in rows_now(ids).values()):
        assert moment < NOW + timedelta(hours=4)
        services.dispatch_due(now=moment)
        moment += timedelta(minutes=5)
    rows = rows_now(ids)
    # Given up after the last attempt: visible as failed with its error, not lost.
    assert {(row.status, row.attempts) for row in rows.values()} == {
        (OutboxStatus.FAILED, app.config["OUTBOX_MAX_ATTEMPTS"])
    }
    assert all("Connection" in row.last_error for row in rows.values())

    faulty_smtp.start()
    assert services.dispatch_due(now=moment) == DispatchResult()  # no automatic resend
    for i in ids:  # the admin's "retry" on the outbox page
        services.retry_failed(db.session.get(OutboxMessage, i))
    db.session.commit()
    assert services.dispatch_due(now=moment) == DispatchResult(sent=3)
    assert services.dispatch_due(now=moment + timedelta(hours=1)) == DispatchResult()
    assert received_by_row(faulty_smtp) == Counter({i: 1 for i in ids})
