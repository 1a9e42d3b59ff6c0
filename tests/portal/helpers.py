"""The portal tests' subjects of documents, and invitations and panel seats
written directly."""

from datetime import UTC, datetime

from thinktank.consultations.models import Invitation
from thinktank.extensions import db
from thinktank.reports.registry import APPLICATION_SUBJECT, ROUND_SUBJECT, SESSION_SUBJECT
from thinktank.reviews.models import PanelMember, ReviewPanel

ISSUED_AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def about_session(session):
    return (SESSION_SUBJECT, session.id)


def about_round(review_round):
    return (ROUND_SUBJECT, review_round.id)


def about_application(application):
    return (APPLICATION_SUBJECT, application.id)


def invite(session, expert, status="accepted", attendance=None) -> Invitation:
    invitation = Invitation(session=session, expert_id=expert.id, status=status,
                            source="manual", attendance=attendance)
    db.session.add(invitation)
    db.session.commit()
    return invitation


def seat(review_round, expert, *, is_backup=False, removed=False) -> PanelMember:
    panel = db.session.scalar(db.select(ReviewPanel).where(ReviewPanel.round_id == review_round.id))
    if panel is None:
        panel = ReviewPanel(round=review_round)
    member = PanelMember(panel=panel, expert_id=expert.id, source="manual", is_backup=is_backup,
                         removed_at=ISSUED_AT if removed else None)
    db.session.add(member)
    db.session.commit()
    return member
