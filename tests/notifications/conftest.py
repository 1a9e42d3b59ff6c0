"""A real SMTP server (aiosmtpd) on loopback that keeps what it receives, and
helpers to queue outbox mail."""

import itertools
import socket
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller

from thinktank.extensions import db
from thinktank.notifications import services

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """aiosmtpd handler: every message received, parsed."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted"

    def message_ids(self) -> Counter:
        return Counter(message["Message-ID"] for message in self.messages)

    def wait_for(self, count: int, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)


class SmtpServer:
    def __init__(self, port: int):
        self.port = port
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp(app, monkeypatch):
    """A running SMTP server that the app sends to; ``smtp.stop()`` and
    ``smtp.start()`` simulate an outage."""
    server = SmtpServer(free_port())
    server.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    yield server
    server.stop()


_keys = itertools.count(1)


@pytest.fixture
def queue(app):
    """``queue(n, **overrides)`` enqueues and commits n reminders, due an hour before NOW."""

    def make(count: int = 1, **overrides):
        rows = []
        for _ in range(count):
            number = next(_keys)
            values = {
                "kind": "reminder",
                "dedupe_key": f"test:{number}",
                "recipient_email": f"expert{number}@example.cn",
                "recipient_name": f"专家{number}",
                "subject": f"会商提醒 {number}",
                "text_body": "您好，会商将于明天上午九时举行。",
                "due_at": NOW - timedelta(hours=1),
            }
            values.update(overrides)
            rows.append(services.enqueue(**values))
        db.session.commit()
        return rows

    return make
