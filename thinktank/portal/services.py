"""The officials' portal: which issued documents a user may read, and the
overview counts.

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

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select

from thinktank.consultations.models import (
    Attendance,
    ConsultationSession,
    Invitation,
    InvitationStatus,
    SessionStatus,
)
from thinktank.experts.models import Expert, ExpertiseField, ExpertStatus, expert_fields
from thinktank.extensions import db
from thinktank.permissions import Role
from thinktank.reports.models import DocumentStatus, IssuedDocument
from thinktank.reports.pool_statistics import Row, composition_rows
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
from thinktank.timeutil import from_display, today_in_display_zone
from thinktank.vocabulary import CATEGORIES, CITIES

# A document about any subject other than these is never served here.

READER_ROLES = frozenset({Role.OFFICIAL, Role.SECRETARIAT, Role.ADMIN})
# Officials follow sessions from the meeting on (as in the consultations pages).
RELEASED_SESSION_STATUSES = (
    SessionStatus.HELD.value, SessionStatus.OPINIONS_COLLECTED.value, SessionStatus.ISSUED.value,
)
# An expert "served on" a session they were invited to (and did not decline or
# leave) or attended.
SERVING_INVITATION_STATUSES = (InvitationStatus.INVITED.value, InvitationStatus.ACCEPTED.value)


@dataclass(frozen=True)
class DocumentFilters:
    kind: str | None = None
    topic: str | None = None
    round_id: int | None = None
    issued_from: date | None = None  # display-zone days, both included
    issued_to: date | None = None


def _about(subject_type: str, ids: Select) -> ColumnElement[bool]:
    return and_(IssuedDocument.subject_type == subject_type, IssuedDocument.subject_id.in_(ids))


def _about_rounds(round_ids: Select, *, named_scores: bool = True) -> ColumnElement[bool]:
    """Documents about one of ``round_ids`` or about a group of one, and
    (``named_scores``) those that give its panel members' scores by name: the
    专家评审意见表 of its applications and its members' sheets."""
    about = [
        _about(ROUND_SUBJECT, round_ids),
        _about(GROUP_SUBJECT, select(ReviewGroup.id).where(ReviewGroup.round_id.in_(round_ids))),
    ]
    if named_scores:
        about += [
            _about(APPLICATION_SUBJECT,
                   select(Application.id).where(Application.round_id.in_(round_ids))),
            _about(MEMBER_SUBJECT, (
                select(PanelMember.id)
                .join(ReviewPanel, ReviewPanel.id == PanelMember.panel_id)
                .where(ReviewPanel.round_id.in_(round_ids))
            )),
        ]
    return or_(*about)


def _about_sessions(session_ids: Select) -> ColumnElement[bool]:
    return _about(SESSION_SUBJECT, session_ids)


def _published_rounds() -> Select:
    return select(ReviewRound.id).where(ReviewRound.status == RoundStatus.PUBLISHED.value)


def _released() -> ColumnElement[bool]:
    """Current rendered versions whose session or round may be shown outside."""
    released_sessions = select(ConsultationSession.id).where(
        ConsultationSession.status.in_(RELEASED_SESSION_STATUSES)
    )
    return and_(
        IssuedDocument.status == DocumentStatus.DONE.value,
        IssuedDocument.superseded_at.is_(None),
        or_(
            IssuedDocument.subject_type.is_(None),  # e.g. the pool statistics
            _about_sessions(released_sessions),
            _about_rounds(_published_rounds()),
        ),
    )


def _served_by(expert_id: int) -> ColumnElement[bool]:
    """Documents of the sessions and rounds the expert served on; of those
    with scores by name, only the expert's own sheets (another's scores stay
    hidden)."""
    sessions = select(Invitation.session_id).where(
        Invitation.expert_id == expert_id,
        or_(Invitation.status.in_(SERVING_INVITATION_STATUSES),
            Invitation.attendance == Attendance.PRESENT.value),
    )
    return or_(
        _about_sessions(sessions),
        _about_rounds(_served_rounds(expert_id), named_scores=False),
        _about(MEMBER_SUBJECT, select(PanelMember.id).where(PanelMember.expert_id == expert_id)),
    )


def _served_rounds(expert_id: int) -> Select:
    """The rounds on whose panel the expert scores (not a backup, not removed)."""
    return (
        select(ReviewPanel.round_id)
        .join(PanelMember, PanelMember.panel_id == ReviewPanel.id)
        .where(PanelMember.expert_id == expert_id, PanelMember.removed_at.is_(None),
               PanelMember.is_backup.is_(False))
    )


def is_reader(user) -> bool:
    """Officials, the secretariat and admins read every released document."""
    return bool(user.role_set & READER_ROLES)


def _readable_by(user) -> ColumnElement[bool]:
    if is_reader(user):
        return _released()
    if user.has_role(Role.EXPERT) and user.expert_id:
        return and_(_released(), _served_by(user.expert_id))
    return false()


def _display_day_start(day: date) -> datetime:
    return from_display(datetime.combine(day, time.min))


def document_query(user, filters: DocumentFilters) -> Select:
    """The documents ``user`` may read that match ``filters``, newest first."""
    query = select(IssuedDocument).where(_readable_by(user))
    if filters.kind:
        query = query.where(IssuedDocument.kind == filters.kind)
    if filters.topic:
        query = query.where(_about_sessions(
            select(ConsultationSession.id).where(ConsultationSession.topic == filters.topic)
        ))
    if filters.round_id:
        query = query.where(_about_rounds(
            select(ReviewRound.id).where(ReviewRound.id == filters.round_id)
        ))
    if filters.issued_from:
        query = query.where(IssuedDocument.issued_at >= _display_day_start(filters.issued_from))
    if filters.issued_to:
        day_after = filters.issued_to + timedelta(days=1)
        query = query.where(IssuedDocument.issued_at < _display_day_start(day_after))
    return query.order_by(IssuedDocument.issued_at.desc(), IssuedDocument.id.desc())


def readable_document(user, document_id: int) -> IssuedDocument | None:
    """The document if ``user`` may download it through the portal, else None."""
    return db.session.scalar(
        select(IssuedDocument).where(IssuedDocument.id == document_id, _readable_by(user))
    )


def round_choices(user) -> list[tuple[int, str]]:
    """(id, name) of the published rounds whose documents ``user`` may read."""
    rounds = _published_rounds()
    if not is_reader(user):
        rounds = rounds.where(ReviewRound.id.in_(_served_rounds(user.expert_id or 0)))
    return list(db.session.execute(
        select(ReviewRound.id, ReviewRound.name)
        .where(ReviewRound.id.in_(rounds))
        .order_by(ReviewRound.id.desc())
    ).all())


@dataclass(frozen=True)
class Overview:
    sessions_by_status: dict[str, int]
    rounds_by_status: dict[str, int]
    year: int
    documents_this_year: int
    documents_by_kind: dict[str, int]
    pool_total: int
    by_category: list[Row]
    by_field: list[Row]
    by_city: list[Row]


def _count_by(column, *where) -> dict[str, int]:
    return dict(db.session.execute(
        select(column, func.count()).where(*where).group_by(column)
    ).all())


def overview() -> Overview:
    """Counts for the overview page; a fixed number of queries whatever the data size.

    Only counts are given: titles of draft sessions and rounds are not shown."""
    year = today_in_display_zone().year
    # One row per number: a reissued document counts once, by its current version.
    documents = _count_by(
        IssuedDocument.kind, IssuedDocument.year == year,
        IssuedDocument.status == DocumentStatus.DONE.value, IssuedDocument.superseded_at.is_(None),
    )
    active = Expert.status == ExpertStatus.ACTIVE.value
    by_category = Counter(_count_by(Expert.category, active))
    total = sum(by_category.values())
    by_field = Counter(dict(db.session.execute(
        select(ExpertiseField.name, func.count())
        .join(expert_fields, expert_fields.c.field_id == ExpertiseField.id)
        .join(Expert, Expert.id == expert_fields.c.expert_id)
        .where(active)
        .group_by(ExpertiseField.name)
    ).all()))
    field_order = db.session.scalars(
        select(ExpertiseField.name)
        .where(ExpertiseField.active.is_(True))
        .order_by(ExpertiseField.position, ExpertiseField.name)
    ).all()
    return Overview(
        sessions_by_status=_count_by(ConsultationSession.status),
        rounds_by_status=_count_by(ReviewRound.status),
        year=year,
        documents_this_year=sum(documents.values()),
        documents_by_kind=documents,
        pool_total=total,
        by_category=composition_rows(by_category, list(CATEGORIES), total),
        # An expert may work in several fields; fields nobody works in are left out.
        by_field=[row for row in composition_rows(by_field, list(field_order), total) if row.count],
        by_city=composition_rows(Counter(_count_by(Expert.city, active)), list(CITIES), total),
    )
