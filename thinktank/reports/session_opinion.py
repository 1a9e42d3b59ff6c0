"""咨询意见书: an issued session's consolidated opinion, with the session's
facts, its attendees, its agenda, each attending expert's opinion and their
signature lines."""

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from thinktank.consultations.labels import KIND_LABELS, TOPIC_LABELS
from thinktank.consultations.models import (
    Attendance,
    ConsolidatedOpinion,
    ConsultationSession,
    ExpertOpinion,
    Invitation,
    SessionStatus,
)
from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.reports.subjects import load_subject, paragraphs
from thinktank.timeutil import to_display


def session_time(session: ConsultationSession) -> str:
    """The meeting's date and hours as printed: 2026年12月10日 09:00—11:00."""
    starts, ends = to_display(session.starts_at), to_display(session.ends_at)
    day = f"{starts.year}年{starts.month}月{starts.day}日"
    if ends.date() != starts.date():
        return f"{day} {starts:%H:%M}—{ends.year}年{ends.month}月{ends.day}日 {ends:%H:%M}"
    return f"{day} {starts:%H:%M}—{ends:%H:%M}"


def build_context(subject_id: int | None) -> dict:
    """The session with its present experts, consolidated opinion and the
    experts' opinions, in four queries; refused before the session is issued."""
    session = load_subject(
        ConsultationSession, subject_id,
        selectinload(ConsultationSession.invitations).joinedload(Invitation.expert),
    )
    if session.status != SessionStatus.ISSUED:
        raise DomainError(_("The consultation opinion can be issued only once the session's "
                            "consolidated opinion has been issued."))
    consolidated = db.session.scalar(
        select(ConsolidatedOpinion).where(ConsolidatedOpinion.session_id == session.id))
    opinions = db.session.scalars(
        select(ExpertOpinion).options(joinedload(ExpertOpinion.expert))
        .where(ExpertOpinion.session_id == session.id)
        .order_by(ExpertOpinion.submitted_at, ExpertOpinion.id)).all()
    attendees = [i.expert for i in session.invitations if i.attendance == Attendance.PRESENT]
    return {
        "session": session,
        "kind_label": KIND_LABELS.get(session.kind, session.kind),
        "topic_label": TOPIC_LABELS.get(session.topic, session.topic),
        "time": session_time(session),
        "attendees": attendees,
        "agenda": paragraphs(session.agenda),
        "consolidated": paragraphs(consolidated.text if consolidated else ""),
        "opinions": [(opinion.expert, paragraphs(opinion.text)) for opinion in opinions],
    }
