"""Who may do what with consultation sessions: the area's object permissions.

Each page declares its roles (``thinktank.permissions``); these predicates
decide, for one session or invitation, what a user of those roles may do.
The secretariat manages sessions and their proceedings; admins read
everything; officials read the sessions that took place; experts reach a
session through their invitation: its materials, their answer, their opinion
(``proceedings.attended_invitation``)."""

from datetime import datetime

from sqlalchemy import select

from thinktank.consultations.models import (
    ConsultationSession,
    Invitation,
    InvitationStatus,
    SessionStatus,
)
from thinktank.extensions import db
from thinktank.permissions import Role
from thinktank.timeutil import utcnow

# What officials follow: sessions that took place, never drafts or plans.
OFFICIAL_STATUSES = frozenset(
    {SessionStatus.HELD, SessionStatus.OPINIONS_COLLECTED, SessionStatus.ISSUED}
)
# Invited and not declined: the experts who may download the materials.
INVITED_STATUSES = frozenset({InvitationStatus.INVITED, InvitationStatus.ACCEPTED})
ANSWERABLE_STATUSES = frozenset(
    {InvitationStatus.INVITED, InvitationStatus.ACCEPTED, InvitationStatus.DECLINED}
)


def visible_statuses(user) -> frozenset[SessionStatus] | None:
    """The statuses of the sessions ``user`` may read; None means all of them."""
    if user.has_role(Role.SECRETARIAT, Role.ADMIN):
        return None
    if user.has_role(Role.OFFICIAL):
        return OFFICIAL_STATUSES
    return frozenset()


def can_view_session(user, session: ConsultationSession) -> bool:
    statuses = visible_statuses(user)
    return statuses is None or session.status in statuses


def can_manage_sessions(user) -> bool:
    return user.has_role(Role.SECRETARIAT)


def is_invited(user, session: ConsultationSession) -> bool:
    """Whether ``user`` is an expert invited to ``session`` who has not declined."""
    if user.expert_id is None:
        return False
    return db.session.scalar(
        select(Invitation.id).where(
            Invitation.session_id == session.id,
            Invitation.expert_id == user.expert_id,
            Invitation.status.in_([s.value for s in INVITED_STATUSES]),
        )
    ) is not None


def can_download_material(user, session: ConsultationSession) -> bool:
    """Those who may read the session, and the experts invited to it who have
    not declined."""
    return can_view_session(user, session) or is_invited(user, session)


def can_view_proceedings(user, session: ConsultationSession) -> bool:
    """The secretariat and admins read everything; officials read sessions that
    took place (never drafts or scheduled ones). Experts read only their own
    opinion (see ``proceedings.attended_invitation``)."""
    if user.has_role(Role.SECRETARIAT, Role.ADMIN):
        return True
    return user.has_role(Role.OFFICIAL) and session.status in OFFICIAL_STATUSES


def can_manage_proceedings(user) -> bool:
    return user.has_role(Role.SECRETARIAT)


def answer_deadline(session: ConsultationSession) -> datetime:
    return session.rsvp_deadline or session.starts_at


def can_answer_invitation(invitation: Invitation) -> bool:
    """Whether the expert may (still) give or change their answer. Whose the
    invitation is, is checked where it is found (``rsvp.own_invitation``, the
    signed link)."""
    session = invitation.session
    return (session.status == SessionStatus.SCHEDULED
            and invitation.status in ANSWERABLE_STATUSES
            and utcnow() < answer_deadline(session))
