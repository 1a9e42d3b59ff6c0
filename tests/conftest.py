"""Shared fixtures: an app on SQLite (default) or on the PostgreSQL database
named by ``DATABASE_URL``, a clean database for every test, a clock set to a
fixed day, users per role, expert factories, a loopback SMTP server and an
outbox queue. What tests import (``Auth``, ``PASSWORD``, ``expert_data``, …)
is in tests/helpers.py."""

import contextvars
import itertools
import os
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import event

from tests.helpers import (
    PASSWORD,
    Auth,
    QueryCounter,
    expert_data,
    free_port,
    reset_tables,
    serial,
)
from thinktank import create_app
from thinktank.extensions import db

# The instant every test starts at (10:00 on Sunday 29 Nov 2026 in Shanghai),
# whatever day the suite runs on: fixtures name fixed dates (a session on
# 10 Dec 2026 whose replies close on 7 Dec) and the rules compare them with
# the clock. Tests whose work happens in other processes (servers, dispatchers
# started as commands) cannot move those processes' clocks: they are marked
# ``real_clock`` and build their dates from the real time instead.
FROZEN_NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def app_config(tmp_path_factory):
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
        "WTF_CSRF_ENABLED": False,
        "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
        "SERVER_NAME": "localhost",
    }


class IsolatedClient(FlaskClient):
    """Runs each request in an empty context, so it gets its own app context,
    ``g`` and database session, as in production, even though the test body
    holds an app context of its own (see ``clean_database``)."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def app(app_config):
    app = create_app(app_config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def clock(request):
    """Time starts at ``FROZEN_NOW`` and runs on from there (``tick``), for the
    test and every thread of this process; ``clock.shift(timedelta)`` jumps."""
    if request.node.get_closest_marker("real_clock"):
        yield None
        return
    with time_machine.travel(FROZEN_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where tests save screenshots: ``docs/screenshots/`` when the run is asked
    to refresh the documentation (``THINKTANK_SCREENSHOTS=1``), otherwise a
    temporary folder, so that a test run never writes into the source tree."""
    if os.environ.get("THINKTANK_SCREENSHOTS"):
        folder = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(autouse=True)
def clean_database(request, app):
    """Every test starts with empty tables and the seeded expertise fields."""
    from thinktank.pagecache import store

    store.clear()  # pages cached by an earlier test's users
    with app.app_context():
        reset_tables()
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    from thinktank.auth.services import create_user

    def make(*roles, email=None, name="测试用户", expert=None):
        number = next(serial)
        user, _password = create_user(
            email or f"user{number}@example.cn",
            name,
            list(roles) or ["secretariat"],
            password=PASSWORD,
            expert_id=expert.id if expert is not None else None,
        )
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_expert(app):
    from thinktank.experts.services import create_expert

    def make(**overrides):
        expert = create_expert(expert_data(**overrides), actor="test")
        db.session.commit()
        return expert

    return make


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counter: ...`` counts the SQL statements run."""

    @contextmanager
    def counting():
        counter = QueryCounter()
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)

    return counting


@pytest.fixture
def smtp(app, monkeypatch):
    """A running SMTP server on loopback that the app sends to; ``smtp.stop()``
    and ``smtp.start()`` simulate an outage."""
    from tests.notifications.helpers import SmtpServer

    server = SmtpServer(free_port())
    server.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    yield server
    server.stop()


_keys = itertools.count(1)


@pytest.fixture
def queue(app):
    """``queue(n, **overrides)`` enqueues and commits n reminders, due an hour
    before the notification tests' ``NOW``."""
    from tests.notifications.helpers import NOW
    from thinktank.notifications import services

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
