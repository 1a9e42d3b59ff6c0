"""Helpers the tests import: constants, builders, a signing-in client, every
row of the database read and put back, an empty database to migrate or restore
into, and waiting for a condition met by another thread or process. Fixtures
stay in ``conftest.py`` (pytest finds them there); what a test module imports
lives here, or in a ``helpers.py`` beside the tests that use it."""

import itertools
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa

from thinktank.experts.rules import ExpertData
from thinktank.extensions import db

PASSWORD = "correct-horse-battery"

# Numbers no other user or expert of this run has taken (e-mail addresses, mobiles).
serial = itertools.count(1)

T = TypeVar("T")


def expert_data(**overrides) -> ExpertData:
    number = next(serial)
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


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, user, password=PASSWORD):
        return self.client.post(
            "/auth/login", data={"email": user.email, "password": password}
        )

    def logout(self):
        return self.client.post("/auth/logout")


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


def reset_tables() -> None:
    """Empty every table, then put the seeded expertise fields back and
    commit: the state every test starts in. Needs an app context."""
    from thinktank.experts.services import seed_fields

    db.session.remove()
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
    seed_fields()
    db.session.commit()


def table_rows(app) -> dict[str, list[tuple]]:
    """Every row of every table on the metadata, and of alembic_version."""
    with app.app_context(), db.engine.connect() as connection:
        rows = {
            table.name: connection.execute(
                sa.select(table).order_by(*table.primary_key.columns)
            ).all()
            for table in db.metadata.sorted_tables
        }
        if sa.inspect(connection).has_table("alembic_version"):
            rows["alembic_version"] = connection.execute(
                sa.text("SELECT version_num FROM alembic_version")).all()
    return rows


def restore_rows(app, rows: dict[str, list]) -> None:
    """Empty every table of the metadata and put back the rows ``table_rows``
    read from it, in one transaction: a loaded state back in a fraction of
    the time it took to build. The rows keep their ids, and new rows still get
    fresh ones: PostgreSQL's sequences never go back when tables are emptied,
    and SQLite takes the id after the largest."""
    with app.app_context(), db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
        for table in db.metadata.sorted_tables:
            if rows[table.name]:
                connection.execute(table.insert(), [dict(row._mapping) for row in rows[table.name]])


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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], T], timeout: float = 30, interval: float = 0.05) -> T:
    """Ask ``condition`` until it answers something true, and return that
    answer; after ``timeout`` seconds return its last (false) answer, for the
    caller's assertion to report. For what another thread or process does:
    the wait lasts as long as the work does, not a fixed guess of it."""
    deadline = time.monotonic() + timeout
    while True:
        answer = condition()
        if answer or time.monotonic() >= deadline:
            return answer
        time.sleep(interval)
