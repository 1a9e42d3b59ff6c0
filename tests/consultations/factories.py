"""Sessions for tests, built through the services."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from thinktank.consultations.models import ConsultationSession, SessionStatus
from thinktank.consultations.services import SessionData, create_session
from thinktank.extensions import db
from thinktank.timeutil import utcnow

# 09:00 on 10 Dec 2026 in Shanghai.
START = datetime(2026, 12, 10, 1, 0, tzinfo=UTC)


def session_data(**overrides) -> SessionData:
    starts_at = overrides.pop("starts_at", START)
    values = {
        "title": "生物医药产业规划会商",
        "kind": "regular",
        "topic": "planning",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=2),
        "place": "省科技厅 301 会议室",
        "agenda": "一、产业现状\n二、规划思路",
        "rsvp_deadline": starts_at - timedelta(days=3),
        "opinion_deadline": starts_at + timedelta(days=7),
    }
    values.update(overrides)
    return SessionData(**values)


def make_session(status: str = SessionStatus.DRAFT.value, **overrides) -> ConsultationSession:
    """A committed session; ``status`` is set directly (the workflow comes later).

    Deadlines already passed (a session held before the test's now) are set
    directly too: the service refuses them, as it should for a new session."""
    data = session_data(**overrides)
    passed = {name: getattr(data, name) for name in ("rsvp_deadline", "opinion_deadline")
              if getattr(data, name) is not None and getattr(data, name) <= utcnow()}
    session = create_session(replace(data, **dict.fromkeys(passed)))
    for name, value in passed.items():
        setattr(session, name, value)
    session.status = status
    db.session.commit()
    return session
