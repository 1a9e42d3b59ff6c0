"""Scheduled sessions with participants, and reading the mails they send."""

from email.message import EmailMessage

from icalendar import Calendar
from sqlalchemy import select

from tests.consultations.factories import make_session
from thinktank.consultations import participants
from thinktank.consultations.models import ConsultationSession, Invitation
from thinktank.extensions import db
from thinktank.notifications.models import OutboxMessage
from thinktank.notifications.services import dispatch_due
from thinktank.timeutil import utcnow


def scheduled_session(experts, **overrides) -> ConsultationSession:
    """A session with ``experts`` added by hand and scheduled (invitations queued)."""
    session = make_session(**overrides)
    participants.add_participants(session, experts, "manual")
    participants.schedule_session(session)
    db.session.commit()
    return session


def invitation_of(session: ConsultationSession, expert) -> Invitation:
    return db.session.scalars(
        select(Invitation).where(Invitation.session_id == session.id,
                                 Invitation.expert_id == expert.id)
    ).one()


def mails_of(invitation: Invitation, status: str | None = None, kind: str | None = None
             ) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(
        OutboxMessage.subject_type == "invitation", OutboxMessage.subject_id == invitation.id
    ).order_by(OutboxMessage.due_at, OutboxMessage.id)
    if status:
        query = query.where(OutboxMessage.status == status)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def deliver(smtp, expected: int) -> list[EmailMessage]:
    """Send what is due now through the real SMTP server; the mails received."""
    before = len(smtp.inbox.messages)
    result = dispatch_due(now=utcnow())
    assert result.sent == expected, result
    smtp.inbox.wait_for(before + expected)
    return smtp.inbox.messages[before:]


def calendar_part(message: EmailMessage):
    """The text/calendar part of ``message`` and its parsed calendar."""
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    return part, Calendar.from_ical(part.get_content())


def text_part(message: EmailMessage, subtype: str = "plain") -> str:
    return next(p for p in message.walk() if p.get_content_type() == f"text/{subtype}"
                ).get_content()
