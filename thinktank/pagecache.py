"""A short-lived cache of whole pages, per signed-in user, that any write empties.

The heaviest read pages (the expert list, a session's page, a score sheet, a
round's results, the officials' documents) are opened again and again in a busy
week, mostly with nothing changed in between. ``@cached_page`` keeps each
rendered page in the worker's memory under a key made of:

- the data version, read before any of the page's data:
  - on PostgreSQL, the current snapshot (``pg_current_snapshot()``): which
    transactions are committed. Two requests with the same snapshot see the
    same data, and every transaction that writes (and only such a one) takes
    a transaction id, which changes the snapshots taken after it ends. Writers
    pay nothing and take no lock. A page stored under snapshot S was rendered
    from data at least as new as S; a request that still sees S started before
    any newer commit, so the page is never older than what it could have read.
    The ids are shared by the databases of one server: writes elsewhere only
    make pages render again.
  - on SQLite, a row (``cache_version``) that every writing transaction
    updates just before it commits, in the same transaction.
- the session's user id and session token (signing out or a password change
  ends the entries; the user's roles and account are data under the version),
  its language choice, and its CSRF secret (the page's forms carry tokens of
  this session only);
- the path and query string.

Entries live ``PAGE_CACHE_SECONDS`` (default 30 s; 0 turns the cache off), so
what depends on the clock alone (a deadline passing) is at most that late on a
page, never in what the server accepts. Nothing is cached or served from the
cache for a request with flashed messages waiting, a response other than a
200 HTML page, a response that set a cookie, or a request that wrote anything.
"""

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import wraps

from flask import Response, current_app, g, has_request_context, request, session
from flask_login import current_user
from sqlalchemy import BigInteger, event, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import TextClause

from thinktank.extensions import db
from thinktank.timeutil import utcnow

MAX_ENTRIES = 512
MAX_BODY_BYTES = 2 * 1024 * 1024
KEPT_HEADERS = ("Content-Type", "Content-Language")


class CacheVersion(db.Model):
    """SQLite: one row, whose version changes with every committed write
    (PostgreSQL has its snapshots instead)."""

    __tablename__ = "cache_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


@dataclass(frozen=True)
class _Entry:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    expires: float


class _Store:
    """A small LRU of pages, safe for threaded workers."""

    def __init__(self, max_entries: int = MAX_ENTRIES):
        self._entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries
        self.hits = self.misses = 0

    def get(self, key: tuple) -> _Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.expires < time.monotonic():
                if entry is not None:
                    del self._entries[key]
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: tuple, entry: _Entry) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


store = _Store()


def current_version() -> int | str | None:
    """The data version; None where there is none yet (nothing written).

    Read on a connection of its own, before the request reads anything else;
    on PostgreSQL in autocommit, so that it costs one round trip."""
    engine = db.engine
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            return connection.scalar(text("SELECT pg_current_snapshot()::text"))
        return connection.scalar(select(CacheVersion.version).where(CacheVersion.id == 1))


# --- the version moves with every write ------------------------------------------------------


def _note_write(session) -> None:
    session.info["wrote"] = True
    if has_request_context():  # the request wrote something: store none of its pages
        g.page_cache_wrote = True


def _on_execute(state) -> None:
    statement = state.statement
    if state.is_select or (isinstance(statement, TextClause)
                           and statement.text.lstrip()[:6].upper() == "SELECT"):
        return
    _note_write(state.session)  # DML, and any other text: assume it may write


def _on_flush(session, _context) -> None:
    _note_write(session)


def _bump_statement():
    # A missing row (a new or emptied database) starts at a random version, so
    # that pages cached before cannot be mistaken for the new data's.
    statement = sqlite.insert(CacheVersion).values(id=1, version=secrets.randbits(62))
    return statement.on_conflict_do_update(
        index_elements=[CacheVersion.id], set_={"version": CacheVersion.version + 1})


def _before_commit(session) -> None:
    if not (session.info.get("wrote") or session.new or session.dirty or session.deleted):
        return
    if session.get_bind().dialect.name == "sqlite":
        # SQLite has one writer at a time anyway: the row changes in the same
        # transaction as the data, so both become visible together.
        session.execute(_bump_statement())


def _forget(session) -> None:
    session.info.pop("wrote", None)


def init_app(app) -> None:
    app.config.setdefault("PAGE_CACHE_SECONDS", 30)
    app.before_request(serve_from_cache)  # before the access rules: see serve_from_cache
    if getattr(init_app, "listening", False):
        return
    event.listen(db.session, "do_orm_execute", _on_execute)
    event.listen(db.session, "after_flush", _on_flush)
    event.listen(db.session, "before_commit", _before_commit)
    event.listen(db.session, "after_commit", _forget)
    event.listen(db.session, "after_rollback", _forget)
    init_app.listening = True


# --- the decorator ---------------------------------------------------------------------------


def _cacheable(response: Response) -> bool:
    return (
        response.status_code == 200
        and response.mimetype == "text/html"
        and not response.direct_passthrough
        and "Set-Cookie" not in response.headers
        and not session.modified
        and not g.get("page_cache_wrote")
    )


def cache_no_later_than(moment) -> None:
    """Let a page rendered in this request be served from the cache only until
    ``moment`` (an aware datetime), e.g. a deadline that changes what it shows."""
    if moment is not None:
        current = g.get("page_cache_until")
        g.page_cache_until = moment if current is None else min(current, moment)


def _lifetime(seconds: float) -> float:
    until = g.get("page_cache_until")
    if until is None:
        return seconds
    return min(seconds, (until - utcnow()).total_seconds())


def serve_from_cache() -> Response | None:
    """Before any other work of the request (registered first): a signed-in
    user's GET of a ``@cached_page`` view is answered from the cache when the
    data version, the path and the session are those it was rendered for.

    Neither the user nor the view's rules are read again on a hit: the user's
    roles, account and session token are data, and any change to them changes
    the version. On a miss the key is left in ``g`` for the view to store under."""
    g.page_cache_key = None
    seconds = current_app.config["PAGE_CACHE_SECONDS"]
    if not seconds or request.method != "GET":
        return None
    view = current_app.view_functions.get(request.endpoint)
    user_id = session.get("_user_id")  # Flask-Login's "<user id>:<session token>"
    if not getattr(view, "page_cached", False) or not user_id or "_flashes" in session:
        return None
    version = current_version()
    if version is None:
        return None
    g.page_cache_key = (version, request.full_path, user_id, session.get("locale"),
                        session.get("csrf_token"))
    entry = store.get(g.page_cache_key)
    if entry is None:
        return None
    response = Response(entry.body, status=200, headers=list(entry.headers))
    response.headers["X-Page-Cache"] = "hit"  # for whoever wonders why a page came so fast
    return response


def cached_page(view):
    """Keep what ``view`` renders for a signed-in user's GET, to be served
    again by ``serve_from_cache`` while nothing has been written."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = current_app.make_response(view(*args, **kwargs))
        key = g.get("page_cache_key")
        if key is None or key[2] != current_user.get_id() or not _cacheable(response):
            return response
        body = response.get_data()
        lifetime = _lifetime(current_app.config["PAGE_CACHE_SECONDS"])
        if len(body) <= MAX_BODY_BYTES and lifetime > 0:
            headers = tuple((name, response.headers[name]) for name in KEPT_HEADERS
                            if name in response.headers)
            store.put(key, _Entry(body, headers, time.monotonic() + lifetime))
        return response

    wrapper.page_cached = True
    return wrapper
