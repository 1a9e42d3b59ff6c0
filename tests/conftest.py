"""Shared fixtures: an app on SQLite (default) or on the PostgreSQL database
named by ``DATABASE_URL``, a clean database for every test, a clock set to a
fixed day, users per role and expert factories."""

import contextvars
import itertools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import event

from thinktank import create_app
from thinktank.experts.rules import ExpertData
from thinktank.extensions import db

PASSWORD = "correct-horse-battery"

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
    from thinktank.experts.services import seed_fields
    from thinktank.pagecache import store

    store.clear()  # pages cached by an earlier test's users
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        seed_fields()
        db.session.commit()
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_counter = itertools.count(1)


@pytest.fixture
def make_user(app):
    from thinktank.auth.services import create_user

    def make(*roles, email=None, name="测试用户", expert=None):
        number = next(_counter)
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


def expert_data(**overrides) -> ExpertData:
    number = next(_counter)
    values = {
        "name": f"专家{number}",
        "organisation": f"江西测试大学{number}",
        "category": "高校院所",
        "city": "南昌",
        "mobile": f"139{number:08d}",
        "email": f"expert{number}@example.cn",
        "field_names": ["生物医药"],
        "title": "教授",
        "term_start": date(2025, 1, 1),
        "term_end": date(2027, 12, 31),
    }
    values.update(overrides)
    return ExpertData(**values)


@pytest.fixture
def make_expert(app):
    from thinktank.experts.services import create_expert

    def make(**overrides):
        expert = create_expert(expert_data(**overrides), actor="test")
        db.session.commit()
        return expert

    return make


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, user, password=PASSWORD):
        return self.client.post(
            "/auth/login", data={"email": user.email, "password": password}
        )

    def logout(self):
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counter: ...`` counts the SQL statements run."""
    from contextlib import contextmanager

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


@contextmanager
def empty_database(folder: Path, prefix: str = "empty") -> Iterator[str]:
    """The URL of a new, empty database of the kind the suite runs on: an SQLite
    file not yet created in ``folder``, or a PostgreSQL database created on the
    server of DATABASE_URL and dropped afterwards."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield f"sqlite:///{folder / f'{prefix}.sqlite'}"
        return
    server = sa.make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

