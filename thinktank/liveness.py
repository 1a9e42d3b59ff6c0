"""Telling a pooled database connection that the server has closed from a live one.

SQLAlchemy's ``pool_pre_ping`` sends a statement to the server each time a
connection is taken from the pool: one more round trip on every request. A
PostgreSQL server that shuts down, restarts or ends a backend
(``pg_terminate_backend``) first sends the client an error and closes the
socket, so a connection it has closed has something to read on its socket
while an idle live one has nothing: that is checked without a round trip. A
connection idle for longer than ``IDLE_PING_SECONDS`` (where a silent network
drop could have cut it) is still pinged. A dead connection is replaced before
the request uses it; one cut in the middle of a request fails that request with
the 503 page (``thinktank.is_database_outage``) and the pool reconnects.
"""

import select
import time

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

IDLE_PING_SECONDS = 60


def _dead(dbapi_connection) -> bool:
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None:  # not psycopg: nothing to look at
        return False
    if dbapi_connection.closed or dbapi_connection.broken:
        return True
    try:
        readable, _writable, _errors = select.select([pgconn.socket], [], [], 0)
    except (OSError, ValueError):  # the socket is gone
        return True
    return bool(readable)  # a notice of the shutdown, or the end of the stream


def _ping(dbapi_connection) -> bool:
    try:
        dbapi_connection.execute("SELECT 1")
        dbapi_connection.rollback()
        return True
    except Exception:  # noqa: BLE001  (any failure means: take another connection)
        return False


def _on_checkout(dbapi_connection, record, _proxy) -> None:
    idle_since = record.info.get("checked_in_at")
    long_idle = idle_since is not None and time.monotonic() - idle_since > IDLE_PING_SECONDS
    if _dead(dbapi_connection) or (long_idle and not _ping(dbapi_connection)):
        raise DisconnectionError("the database server closed this connection")


def _on_checkin(_dbapi_connection, record) -> None:
    record.info["checked_in_at"] = time.monotonic()


def watch(engine: Engine) -> None:
    """Check ``engine``'s PostgreSQL connections as they leave its pool."""
    if engine.dialect.name != "postgresql" or event.contains(engine.pool, "checkout",
                                                              _on_checkout):
        return
    event.listen(engine.pool, "checkout", _on_checkout)
    event.listen(engine.pool, "checkin", _on_checkin)
