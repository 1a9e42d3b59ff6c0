"""Which database errors are an outage (503, try again later) and which are
bugs (500, logged with their traceback). SQLite raises OperationalError for
both a lock held too long and a missing table, so both cases run on an app of
their own with an SQLite file, whatever database the suite uses (the
PostgreSQL outage is in test_database_restart)."""

import sqlite3

import pytest
from sqlalchemy import text

from thinktank import create_app
from thinktank.extensions import db
from thinktank.permissions import public


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("own-sqlite")
    path = tmp_path / "own.sqlite"
    app = create_app({
        "SECRET_KEY": "faults-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
        # Wait 0.2 s for a lock, not the driver's default 5 s.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "connect_args": {"timeout": 0.2}},
        "UPLOAD_DIR": str(tmp_path / "uploads"),
    })

    @app.route("/faults/count-users")
    @public
    def count_users():
        return str(db.session.scalar(text("SELECT count(*) FROM users")))

    @app.route("/faults/missing-table")
    @public
    def missing_table():
        return str(db.session.scalar(text("SELECT count(*) FROM no_such_table")))

    with app.app_context():
        db.create_all()
    yield app, path
    with app.app_context():
        db.engine.dispose()


def test_a_lock_held_too_long_is_a_503(sqlite_app):
    app, path = sqlite_app
    client = app.test_client()
    assert client.get("/faults/count-users").get_data(as_text=True) == "0"
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")  # another process writing, for longer than the timeout
    try:
        response = client.get("/faults/count-users")
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 503
    assert "数据库暂时无法连接" in response.get_data(as_text=True)
    assert client.get("/faults/count-users").status_code == 200


def test_a_missing_table_is_a_500_not_an_outage(sqlite_app):
    app, _path = sqlite_app
    response = app.test_client().get("/faults/missing-table")
    assert response.status_code == 500
    assert "数据库暂时无法连接" not in response.get_data(as_text=True)
