"""The officials' portal: the documents a user may read, filtered, and the
overview counts. Which documents a user may read at all is ``access``."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, func, select

from thinktank.consultations.models import ConsultationSession
from thinktank.experts.models import Expert, ExpertiseField, ExpertStatus, expert_fields
from thinktank.extensions import db
from thinktank.portal import access
from thinktank.reports.models import IssuedDocument
from thinktank.reports.pool_statistics import Row, composition_rows
from thinktank.reviews.models import ReviewRound
from thinktank.timeutil import from_display, today_in_display_zone
from thinktank.vocabulary import CATEGORIES, CITIES


@dataclass(frozen=True)
class DocumentFilters:
    kind: str | None = None
    topic: str | None = None
    round_id: int | None = None
    issued_from: date | None = None  # display-zone days, both included
    issued_to: date | None = None


def _display_day_start(day: date) -> datetime:
    return from_display(datetime.combine(day, time.min))


def document_query(user, filters: DocumentFilters) -> Select:
    """The documents ``user`` may read that match ``filters``, newest first."""
    query = select(IssuedDocument).where(access.viewable_by(user))
    if filters.kind:
        query = query.where(IssuedDocument.kind == filters.kind)
    if filters.topic:
        query = query.where(access.about_sessions(
            select(ConsultationSession.id).where(ConsultationSession.topic == filters.topic)
        ))
    if filters.round_id:
        query = query.where(access.about_rounds(
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
        select(IssuedDocument).where(IssuedDocument.id == document_id, access.viewable_by(user))
    )


def round_choices(user) -> list[tuple[int, str]]:
    """(id, name) of the published rounds whose documents ``user`` may read."""
    rounds = access.published_rounds()
    if not access.can_view_released_documents(user):
        rounds = rounds.where(ReviewRound.id.in_(access.served_rounds(user.expert_id or 0)))
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


def overview(user) -> Overview:
    """Counts for the overview page; a fixed number of queries whatever the data size.

    Only counts are given: titles of draft sessions and rounds are not shown.
    The documents counted are those the list shows ``user`` (``access.viewable_by``:
    current versions, so a reissued document counts once, of released sessions
    and rounds), numbered this year."""
    year = today_in_display_zone().year
    documents = _count_by(IssuedDocument.kind, IssuedDocument.year == year,
                          access.viewable_by(user))
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
