"""Which issued documents a user may read through the portal: the portal's
object permissions, as conditions on ``IssuedDocument`` rows (the pages'
roles are declared on the views, ``thinktank.permissions``).

Only the current, rendered version of a document leaves the secretariat
through the portal: pending, failed and superseded versions stay in
``/reports/``. Documents about a session are released once the session has
been held; documents about a round, its applications, its groups or its
panel members' sheets once the round is published; documents about any
other kind of subject never.

Officials, the secretariat and admins read every released document. An
expert reads only those of the sessions they were invited to and of the
rounds whose panel they served on; of the documents that give a panel
member's scores by name, only their own sheets: never an application's
专家评审意见表, which lists every member's scores.
"""

from sqlalchemy import ColumnElement, Select, and_, false, or_, select

from thinktank.consultations.models import (
    Attendance,
    ConsultationSession,
    Invitation,
    InvitationStatus,
    SessionStatus,
)
from thinktank.permissions import Role
from thinktank.reports.models import DocumentStatus, IssuedDocument
from thinktank.reports.registry import (
    APPLICATION_SUBJECT,
    GROUP_SUBJECT,
    MEMBER_SUBJECT,
    ROUND_SUBJECT,
    SESSION_SUBJECT,
)
from thinktank.reviews.models import (
    Application,
    PanelMember,
    ReviewGroup,
    ReviewPanel,
    ReviewRound,
    RoundStatus,
)

READER_ROLES = frozenset({Role.OFFICIAL, Role.SECRETARIAT, Role.ADMIN})
# Officials follow sessions from the meeting on (as in the consultations pages).
RELEASED_SESSION_STATUSES = (
    SessionStatus.HELD.value, SessionStatus.OPINIONS_COLLECTED.value, SessionStatus.ISSUED.value,
)
# An expert "served on" a session they were invited to (and did not decline or
# leave) or attended.
SERVING_INVITATION_STATUSES = (InvitationStatus.INVITED.value, InvitationStatus.ACCEPTED.value)


def about(subject_type: str, ids: Select) -> ColumnElement[bool]:
    return and_(IssuedDocument.subject_type == subject_type, IssuedDocument.subject_id.in_(ids))


def about_rounds(round_ids: Select, *, named_scores: bool = True) -> ColumnElement[bool]:
    """Documents about one of ``round_ids`` or about a group of one, and
    (``named_scores``) those that give its panel members' scores by name: the
    专家评审意见表 of its applications and its members' sheets."""
    conditions = [
        about(ROUND_SUBJECT, round_ids),
        about(GROUP_SUBJECT, select(ReviewGroup.id).where(ReviewGroup.round_id.in_(round_ids))),
    ]
    if named_scores:
        conditions += [
            about(APPLICATION_SUBJECT,
                  select(Application.id).where(Application.round_id.in_(round_ids))),
            about(MEMBER_SUBJECT, (
                select(PanelMember.id)
                .join(ReviewPanel, ReviewPanel.id == PanelMember.panel_id)
                .where(ReviewPanel.round_id.in_(round_ids))
            )),
        ]
    return or_(*conditions)


def about_sessions(session_ids: Select) -> ColumnElement[bool]:
    return about(SESSION_SUBJECT, session_ids)


def published_rounds() -> Select:
    return select(ReviewRound.id).where(ReviewRound.status == RoundStatus.PUBLISHED.value)


def released() -> ColumnElement[bool]:
    """Current rendered versions whose session or round may be shown outside."""
    released_sessions = select(ConsultationSession.id).where(
        ConsultationSession.status.in_(RELEASED_SESSION_STATUSES)
    )
    return and_(
        IssuedDocument.status == DocumentStatus.DONE.value,
        IssuedDocument.superseded_at.is_(None),
        or_(
            IssuedDocument.subject_type.is_(None),  # e.g. the pool statistics
            about_sessions(released_sessions),
            about_rounds(published_rounds()),
        ),
    )


def served_by(expert_id: int) -> ColumnElement[bool]:
    """Documents of the sessions and rounds the expert served on; of those
    with scores by name, only the expert's own sheets (another's scores stay
    hidden)."""
    sessions = select(Invitation.session_id).where(
        Invitation.expert_id == expert_id,
        or_(Invitation.status.in_(SERVING_INVITATION_STATUSES),
            Invitation.attendance == Attendance.PRESENT.value),
    )
    return or_(
        about_sessions(sessions),
        about_rounds(served_rounds(expert_id), named_scores=False),
        about(MEMBER_SUBJECT, select(PanelMember.id).where(PanelMember.expert_id == expert_id)),
    )


def served_rounds(expert_id: int) -> Select:
    """The rounds on whose panel the expert scores (not a backup, not removed)."""
    return (
        select(ReviewPanel.round_id)
        .join(PanelMember, PanelMember.panel_id == ReviewPanel.id)
        .where(PanelMember.expert_id == expert_id, PanelMember.removed_at.is_(None),
               PanelMember.is_backup.is_(False))
    )


def can_view_released_documents(user) -> bool:
    """Officials, the secretariat and admins read every released document."""
    return bool(user.role_set & READER_ROLES)


def viewable_by(user) -> ColumnElement[bool]:
    """The condition on ``IssuedDocument`` rows that ``user`` may read."""
    if can_view_released_documents(user):
        return released()
    if user.has_role(Role.EXPERT) and user.expert_id:
        return and_(released(), served_by(user.expert_id))
    return false()
