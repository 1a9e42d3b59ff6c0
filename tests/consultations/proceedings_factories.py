"""Sessions that took place, with invited experts, for the tests of what
happens after the meeting."""

from datetime import timedelta

from tests.consultations.factories import make_session
from thinktank.consultations import proceedings
from thinktank.consultations.models import ConsultationSession, Invitation
from thinktank.extensions import db
from thinktank.timeutil import utcnow


def past_session(**overrides) -> ConsultationSession:
    """A scheduled session that ended an hour ago; opinions are due in a week."""
    starts_at = (utcnow() - timedelta(hours=3)).replace(microsecond=0)
    overrides.setdefault("opinion_deadline", starts_at + timedelta(days=7))
    return make_session(status="scheduled", starts_at=starts_at, **overrides)


def invite(session: ConsultationSession, expert, status: str = "accepted") -> Invitation:
    invitation = Invitation(session=session, expert_id=expert.id, status=status, source="manual")
    db.session.add(invitation)
    db.session.commit()
    return invitation


def held_session(present=(), absent=(), **overrides) -> ConsultationSession:
    """A past session whose attendance is recorded (``present`` and ``absent`` experts)."""
    session = past_session(**overrides)
    marks = {invite(session, e).id: "present" for e in present}
    marks.update({invite(session, e).id: "absent" for e in absent})
    proceedings.record_attendance(session, marks)
    db.session.commit()
    return session


def close_opinions(session: ConsultationSession) -> None:
    """Move the opinion deadline into the past, as time would."""
    session.opinion_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
