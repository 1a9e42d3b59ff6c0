"""A dispatcher whose claim expired and was taken over by another must not
mark the row: neither sent nor as a failed attempt. Only the holder of the
current claim records the outcome.

Two real dispatch passes run in threads against a real SMTP server
(aiosmtpd) that holds every mail at DATA until the test answers it, so the
interleaving is exact: A claims and is sending; A's claim expires and B
takes the row over and is sending; then A and B finish, in either order and
with A's mail accepted or refused."""

import asyncio
import threading
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from queue import Queue

import pytest

from tests.helpers import free_port
from thinktank.extensions import db
from thinktank.notifications import services
from thinktank.notifications.models import OutboxMessage

from .helpers import NOW, Inbox, SmtpServer

ACCEPTED = "250 2.0.0 Message accepted"
REFUSED = "451 4.3.0 Mailbox temporarily unavailable"


class Held:
    """A mail held at DATA until ``answer`` is called with the SMTP reply."""

    def __init__(self):
        self._reply = REFUSED
        self._answered = threading.Event()

    def answer(self, reply: str) -> None:
        self._reply = reply
        self._answered.set()

    def wait(self) -> str:
        self._answered.wait(timeout=30)
        return self._reply


class HoldingInbox(Inbox):
    def __init__(self):
        super().__init__()
        self.held: Queue[Held] = Queue()

    async def handle_DATA(self, server, session, envelope):
        held = Held()
        self.held.put(held)
        # Waits off the event loop, so other connections are served meanwhile.
        reply = await asyncio.get_running_loop().run_in_executor(None, held.wait)
        if reply.startswith("250"):
            message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
            with self._lock:
                self.messages.append(message)
        return reply

    def next_held(self) -> Held:
        return self.held.get(timeout=20)


@pytest.fixture
def holding_smtp(app, monkeypatch):
    server = SmtpServer(free_port())
    server.inbox = HoldingInbox()
    server.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    yield server
    server.stop()


class Dispatcher:
    """One ``dispatch_due`` pass at ``now`` in a thread of its own, with its
    own app context and database session, as another process would."""

    def __init__(self, app, now):
        self.now, self.result, self.error = now, None, None
        self._thread = threading.Thread(target=self._run, args=(app,))
        self._thread.start()

    def _run(self, app):
        try:
            with app.app_context():
                self.result = services.dispatch_due(now=self.now)
        except Exception as error:  # reported by finish(); a thread cannot fail the test
            self.error = error

    def finish(self) -> services.DispatchResult:
        self._thread.join(timeout=30)
        assert not self._thread.is_alive() and self.error is None, self.error
        return self.result


def current(row_id: int) -> OutboxMessage:
    db.session.rollback()  # see what the dispatchers committed
    return db.session.get(OutboxMessage, row_id, populate_existing=True)


@pytest.mark.parametrize("a_reply", [ACCEPTED, REFUSED], ids=["a-delivered", "a-refused"])
@pytest.mark.parametrize("a_first", [True, False], ids=["a-finishes-first", "b-finishes-first"])
@pytest.mark.slow  # two dispatch passes in threads
def test_a_dispatcher_whose_claim_was_taken_over_does_not_mark_the_row(
        app, holding_smtp, queue, caplog, a_reply, a_first):
    inbox = holding_smtp.inbox
    [row] = queue(1)
    timeout = timedelta(seconds=app.config["OUTBOX_CLAIM_TIMEOUT_SECONDS"])

    a = Dispatcher(app, NOW)
    a_mail = inbox.next_held()  # A has claimed the row and is sending it
    a_token = current(row.id).claim_token
    assert a_token is not None and current(row.id).claimed_at == NOW

    later = NOW + timeout + timedelta(seconds=1)
    b = Dispatcher(app, later)  # A's claim has expired: B takes the row over
    b_mail = inbox.next_held()
    taken_over = current(row.id)
    assert taken_over.claimed_at == later and taken_over.claim_token not in (None, a_token)
    b_token = taken_over.claim_token

    if a_first:
        a_mail.answer(a_reply)
        assert a.finish().total == (1 if a_reply == ACCEPTED else 0)
        # B still holds the row: A recorded nothing on it.
        untouched = current(row.id)
        assert (untouched.status, untouched.claim_token, untouched.claimed_at) == (
            "pending", b_token, later)
        assert (untouched.sent_at, untouched.attempts, untouched.last_error,
                untouched.next_attempt_at) == (None, 0, None, None)
        b_mail.answer(ACCEPTED)
        assert b.finish() == services.DispatchResult(sent=1)
    else:
        b_mail.answer(ACCEPTED)
        assert b.finish() == services.DispatchResult(sent=1)
        a_mail.answer(a_reply)
        a.finish()

    # B's outcome stands: sent at B's time, no failed attempt counted.
    final = current(row.id)
    assert (final.status, final.sent_at, final.claim_token, final.claimed_at) == (
        "sent", later, None, None)
    assert (final.attempts, final.last_error, final.next_attempt_at) == (0, None, None)
    if a_reply == ACCEPTED:
        # Both went out, with one Message-ID: the rare duplicate the design accepts.
        assert list(inbox.message_ids().values()) == [2]
        assert "was sent after its claim expired and was taken over" in caplog.text
    else:
        assert list(inbox.message_ids().values()) == [1]
