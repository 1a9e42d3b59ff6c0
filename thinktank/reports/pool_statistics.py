"""专家库统计表: how the active pool is composed (by category, field and city),
with the list of its members (no contact data)."""

from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from thinktank.experts.models import Expert, ExpertiseField, ExpertStatus
from thinktank.extensions import db
from thinktank.timeutil import today_in_display_zone
from thinktank.vocabulary import CATEGORIES, CITIES


@dataclass(frozen=True)
class Row:
    label: str
    count: int
    share: str  # percent of the active pool, one decimal, rounded half up


def composition_rows(counts: Counter, order: list[str], total: int) -> list[Row]:
    """One row per label in ``order``, then any other label found, by count."""
    extra = sorted((label for label in counts if label not in order), key=lambda k: -counts[k])
    return [
        Row(label, counts[label], _percent(counts[label], total))
        for label in [*order, *extra]
    ]


def _percent(part: int, total: int) -> str:
    if not total:
        return "0.0"
    value = Decimal(part * 100) / Decimal(total)
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def build_context(subject_id: int | None) -> dict:
    """Counts of the active experts by category, field and city, and their list."""
    experts = db.session.scalars(
        select(Expert)
        .where(Expert.status == ExpertStatus.ACTIVE.value)
        .options(selectinload(Expert.fields))
        .order_by(Expert.name_pinyin, Expert.id)
    ).all()
    total = len(experts)
    field_order = db.session.scalars(
        select(ExpertiseField.name)
        .where(ExpertiseField.active.is_(True))
        .order_by(ExpertiseField.position, ExpertiseField.name)
    ).all()
    fields = Counter(name for expert in experts for name in expert.field_names)
    categories = Counter(e.category for e in experts)
    return {
        "as_of": today_in_display_zone(),
        "total": total,
        "by_category": composition_rows(categories, list(CATEGORIES), total),
        # An expert may work in several fields, so these shares add up to more than 100 %.
        "by_field": [r for r in composition_rows(fields, list(field_order), total) if r.count],
        "by_city": composition_rows(Counter(e.city for e in experts), list(CITIES), total),
        "experts": experts,
    }
