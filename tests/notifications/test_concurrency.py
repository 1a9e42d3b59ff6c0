"""Several dispatchers at once send every due reminder exactly once, on the
database the suite runs on (SQLite by default, PostgreSQL with DATABASE_URL)."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from thinktank.extensions import db
from thinktank.notifications import services
from thinktank.notifications.models import OutboxMessage

from .helpers import NOW

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
REMINDERS = 200


def assert_each_sent_once(smtp, ids: set[int]) -> None:
    received = smtp.inbox.message_ids()
    assert max(received.values()) == 1, "a reminder arrived twice"
    assert {int(message_id.split(".")[1]) for message_id in received} == ids
    assert len(smtp.inbox.messages) == len(ids)
    db.session.expire_all()
    assert db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "sent")
    ) == len(ids)


def test_dispatchers_in_threads_send_each_reminder_once(app, smtp, queue):
    ids = {row.id for row in queue(REMINDERS)}
    dispatchers = 4
    start = threading.Barrier(dispatchers)
    results, errors = [], []

    def dispatcher():
        try:
            with app.app_context():  # its own session and connection
                start.wait()
                while True:
                    result = services.dispatch_due(limit=50, now=NOW)
                    results.append(result)
                    if result.total == 0:
                        break
        except Exception as error:  # reported below; a thread cannot fail the test itself
            errors.append(error)

    threads = [threading.Thread(target=dispatcher) for _ in range(dispatchers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sum(result.sent for result in results) == REMINDERS
    assert sum(1 for result in results if result.sent) > 1, "only one dispatcher worked"
    assert_each_sent_once(smtp, ids)


def test_dispatch_processes_send_each_reminder_once(app, smtp, queue):
    ids = {row.id for row in queue(REMINDERS)}
    env = os.environ | {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "SECRET_KEY": "test",
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "reminders", "dispatch",
               "--limit", str(REMINDERS)]
    processes = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for _ in range(2)  # each process costs a second of start-up
    ]
    outputs = [process.communicate(timeout=120) for process in processes]

    assert [process.returncode for process in processes] == [0, 0], outputs
    sent = [int(out.split(",")[0].removeprefix("sent ")) for out, _err in outputs]
    assert sum(sent) == REMINDERS
    assert_each_sent_once(smtp, ids)
