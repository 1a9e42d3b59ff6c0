"""Consultation sessions: creating, editing and cancelling them, series of
regular sessions, listing them, and the sessions' materials (who may read
what: ``access``)."""

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import Select, select

from thinktank.audit.services import record
from thinktank.consultations.access import visible_statuses
from thinktank.consultations.models import (
    ConsultationSession,
    SeriesFrequency,
    SessionMaterial,
    SessionSeries,
    SessionStatus,
)
from thinktank.consultations.participants import session_cancelled, session_changed
from thinktank.consultations.rules import occurrence_starts
from thinktank.errors import DomainError, FieldErrors, Problems
from thinktank.extensions import db
from thinktank.imports import client_filename
from thinktank.timeutil import from_display, shown, to_display, utcnow

MAX_OCCURRENCES = 24

# Only sessions that have not taken place can be changed or cancelled.
OPEN_STATUSES = frozenset({SessionStatus.DRAFT, SessionStatus.SCHEDULED})


class SessionDataError(FieldErrors):
    """Invalid session values; ``problems`` names the form fields at fault."""


@dataclass
class SessionData:
    """A session's values as entered; times are aware UTC."""

    title: str
    kind: str
    topic: str
    starts_at: datetime
    ends_at: datetime
    place: str | None = None
    online_link: str | None = None
    agenda: str = ""
    rsvp_deadline: datetime | None = None
    opinion_deadline: datetime | None = None
    auto_promote_backups: bool = True


@dataclass
class Recurrence:
    frequency: SeriesFrequency
    interval: int = 1
    count: int | None = None
    until: date | None = None  # in the display zone


@dataclass
class SessionFilters:
    status: str = ""
    kind: str = ""
    topic: str = ""


def validate_session_data(data: SessionData, current: ConsultationSession | None = None
                          ) -> None:
    """Raise ``SessionDataError`` with every value that cannot be right.

    A deadline set or changed (``current`` is the session being edited) must
    not have passed: nobody could meet it. One left as it was may have."""
    _session_problems(data, current).check(SessionDataError)


def _session_problems(data: SessionData, current: ConsultationSession | None = None
                      ) -> Problems:
    problems = Problems()
    if not data.title.strip():
        problems.add("title", _("Enter a title."))
    if data.ends_at <= data.starts_at:
        problems.add("ends_at", _("The session must end after it starts."))
    if not data.place and not data.online_link:
        problems.add("place", _("Enter a place or an online meeting link."))
    if data.online_link:
        link = urlsplit(data.online_link)
        if link.scheme not in {"http", "https"} or not link.netloc:
            problems.add("online_link", _("The online link must be a web address starting "
                                          "with http:// or https://."))
    if data.rsvp_deadline is not None and data.rsvp_deadline >= data.starts_at:
        problems.add("rsvp_deadline", _("The reply deadline must be before the session starts."))
    if data.opinion_deadline is not None and data.opinion_deadline <= data.ends_at:
        problems.add("opinion_deadline",
                     _("The opinion deadline must be after the session ends."))
    now = utcnow()
    passed = {
        "rsvp_deadline": lambda time: _("The reply deadline has already passed: %(time)s",
                                        time=time),
        "opinion_deadline": lambda time: _("The opinion deadline has already passed: "
                                           "%(time)s", time=time),
    }
    for name, message in passed.items():
        value = getattr(data, name)
        unchanged = current is not None and value == getattr(current, name)
        if value is not None and value <= now and not unchanged:
            problems.add(name, message(shown(value)))
    return problems


def _apply(session: ConsultationSession, data: SessionData) -> dict:
    """Copy ``data`` onto ``session``; returns ``{field: [old, new]}`` of what changed."""
    changes = {}
    for name in (f.name for f in fields(SessionData)):
        old, new = getattr(session, name), getattr(data, name)
        if old != new:
            changes[name] = [_audit_value(old), _audit_value(new)]
            setattr(session, name, new)
    return changes


def _audit_value(value):
    return value.isoformat() if isinstance(value, datetime) else value


def create_session(data: SessionData, user=None, series: SessionSeries | None = None
                   ) -> ConsultationSession:
    """Create a draft session after validating ``data``."""
    validate_session_data(data)
    session = ConsultationSession(created_by_id=getattr(user, "id", None), series=series)
    _apply(session, data)
    db.session.add(session)
    record("session.created", session, {"title": session.title,
                                        "starts_at": session.starts_at.isoformat()}, user=user)
    return session


# Changes that make attendees' calendars out of date (a new SEQUENCE for the invite).
CALENDAR_FIELDS = frozenset({"starts_at", "ends_at", "place", "online_link", "title"})


def update_session(session: ConsultationSession, data: SessionData, user=None) -> dict:
    """Change a draft or scheduled session; returns what changed.

    A new time or place raises the iCalendar sequence so that the invites
    sent later replace the ones attendees hold."""
    _ensure_open(session)
    validate_session_data(data, session)
    changes = _apply(session, data)
    if changes.keys() & CALENDAR_FIELDS:
        session.sequence += 1
    if changes:
        record("session.updated", session, {"changes": changes}, user=user)
        session_changed(session, changes, bool(changes.keys() & CALENDAR_FIELDS), user=user)
    return changes


def cancel_session(session: ConsultationSession, reason: str, user=None) -> None:
    """Cancel a session that has not taken place, with the reason recorded."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for the cancellation."))
    _ensure_open(session)
    session.status = SessionStatus.CANCELLED.value
    session.cancel_reason = reason
    session.cancelled_at = utcnow()
    session.sequence += 1  # the cancellation notice supersedes the invite
    record("session.cancelled", session, {"reason": reason}, user=user)
    session_cancelled(session, user=user)


def _ensure_open(session: ConsultationSession) -> None:
    if session.status not in OPEN_STATUSES:
        raise DomainError(_("Only a draft or scheduled session can be changed or cancelled."))


def create_series(data: SessionData, recurrence: Recurrence, user=None
                  ) -> tuple[SessionSeries, list[ConsultationSession]]:
    """Create a series and one separate draft session per occurrence.

    ``data`` holds the first occurrence; every later one keeps its wall-clock
    time in the display zone, its length and the distance of its deadlines."""
    problems = _session_problems(data)
    if (recurrence.count is None) == (recurrence.until is None):
        problems.add("count", _("Give either a number of sessions or an end date."))
    if recurrence.count is not None and not 2 <= recurrence.count <= MAX_OCCURRENCES:
        problems.add("count", _("A series has 2 to %(n)d sessions.", n=MAX_OCCURRENCES))
    if not 1 <= recurrence.interval <= 12:
        problems.add("interval", _("The interval is 1 to 12."))
    first_local = to_display(data.starts_at).replace(tzinfo=None)
    if recurrence.until is not None and recurrence.until <= first_local.date():
        problems.add("until", _("The end date must be after the first session."))
    problems.check(SessionDataError)
    starts = occurrence_starts(
        first_local, SeriesFrequency(recurrence.frequency), recurrence.interval,
        count=recurrence.count, until=recurrence.until, limit=MAX_OCCURRENCES,
    )
    if len(starts) > MAX_OCCURRENCES:
        raise SessionDataError.one("until", _(
            "This series would have more than %(n)d sessions; choose an earlier end date.",
            n=MAX_OCCURRENCES))
    duration = data.ends_at - data.starts_at
    rsvp_before = data.starts_at - data.rsvp_deadline if data.rsvp_deadline else None
    opinion_after = data.opinion_deadline - data.ends_at if data.opinion_deadline else None
    series = SessionSeries(
        frequency=SeriesFrequency(recurrence.frequency).value,
        interval=recurrence.interval,
        count=recurrence.count,
        until=recurrence.until,
        title=data.title,
        kind=data.kind,
        topic=data.topic,
        first_starts_at=data.starts_at,
        duration_minutes=_minutes(duration),
        place=data.place,
        online_link=data.online_link,
        agenda=data.agenda,
        rsvp_minutes_before=_minutes(rsvp_before),
        opinion_minutes_after=_minutes(opinion_after),
        auto_promote_backups=data.auto_promote_backups,
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(series)
    sessions = []
    for local_start in starts:
        starts_at = from_display(local_start)
        ends_at = starts_at + duration
        occurrence = SessionData(
            title=data.title, kind=data.kind, topic=data.topic,
            starts_at=starts_at, ends_at=ends_at,
            place=data.place, online_link=data.online_link, agenda=data.agenda,
            rsvp_deadline=starts_at - rsvp_before if rsvp_before is not None else None,
            opinion_deadline=ends_at + opinion_after if opinion_after is not None else None,
            auto_promote_backups=data.auto_promote_backups,
        )
        sessions.append(create_session(occurrence, user=user, series=series))
    record("series.created", series, {"frequency": series.frequency, "interval": series.interval,
                                      "sessions": [s.id for s in sessions]}, user=user)
    return series, sessions


def _minutes(delta: timedelta | None) -> int | None:
    return None if delta is None else int(delta.total_seconds() // 60)


# Reading


def session_query(user, filters: SessionFilters) -> Select:
    """Sessions ``user`` may read that match ``filters``, the latest first."""
    query = select(ConsultationSession)
    statuses = visible_statuses(user)
    if statuses is not None:
        query = query.where(ConsultationSession.status.in_([s.value for s in statuses]))
    for name in ("status", "kind", "topic"):
        value = getattr(filters, name)
        if value:
            query = query.where(getattr(ConsultationSession, name) == value)
    return query.order_by(ConsultationSession.starts_at.desc(), ConsultationSession.id.desc())


def sessions_by_day(user, year: int, month: int) -> dict[date, list[ConsultationSession]]:
    """Sessions ``user`` may read starting in a month of the display zone, by local day."""
    first = from_display(datetime(year, month, 1))
    following = from_display(datetime(year + month // 12, month % 12 + 1, 1))
    query = session_query(user, SessionFilters()).where(
        ConsultationSession.starts_at >= first, ConsultationSession.starts_at < following
    ).order_by(None).order_by(ConsultationSession.starts_at, ConsultationSession.id)
    days: dict[date, list[ConsultationSession]] = {}
    for session in db.session.scalars(query):
        days.setdefault(to_display(session.starts_at).date(), []).append(session)
    return days


# Materials


def add_material(session: ConsultationSession, filename: str, data: bytes, user=None
                 ) -> SessionMaterial:
    """Store an uploaded file for ``session`` (see ``StoredFile.store``)."""
    if session.status == SessionStatus.CANCELLED:
        raise DomainError(_("A cancelled session takes no more materials."))
    material = SessionMaterial.store(data, _base_name(filename), user=user, session=session)
    record("session.material_added", session,
           {"material": material.original_name, "size": material.size,
            "sha256": material.sha256}, user=user)
    return material


def _base_name(filename: str) -> str:
    """The file's own name without any folder a browser sent or control
    characters, bounded in length."""
    return client_filename(filename, limit=200).strip() or "file"
