"""Fault-injection tests: real PostgreSQL, SMTP, processes and file systems
made to fail. The outbox tests use the suite's ``queue`` and an SMTP server
whose mailbox misbehaves on demand (helpers.py)."""

import pytest

from tests.helpers import free_port
from tests.notifications.helpers import SmtpServer

from .helpers import FaultyInbox


@pytest.fixture
def faulty_smtp(app, monkeypatch):
    """A running SMTP server with a ``FaultyInbox`` that the app sends to;
    ``stop()`` and ``start()`` take it off the network and back."""
    server = SmtpServer(free_port())
    server.inbox = FaultyInbox()
    server.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    yield server
    server.stop()
