"""A real SMTP server (aiosmtpd) on loopback that keeps what it receives, and
the instant the queued test mail is due by."""

import threading
from collections import Counter
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.controller import Controller

from tests.helpers import wait_until

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


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
        wait_until(lambda: len(self.messages) >= count, timeout)


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
