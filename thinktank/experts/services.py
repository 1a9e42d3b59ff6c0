"""Expert pool operations: search, create and update, status, conflicts, taxonomy."""

import re
from dataclasses import dataclass, fields
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import selectinload

from thinktank.audit.services import record
from thinktank.errors import DomainError
from thinktank.experts.models import Conflict, Expert, ExpertiseField, ExpertStatus, expert_fields
from thinktank.experts.rules import ExpertData
from thinktank.extensions import db
from thinktank.text import fold, organisation_key, pinyin_index, tidy
from thinktank.vocabulary import SEED_FIELDS

SORTS = {
    "name": Expert.name_pinyin,
    "code": Expert.code,
    "organisation": Expert.organisation_key,
    "city": Expert.city,
    "term_end": Expert.term_end,
    "updated": Expert.updated_at,
}


@dataclass
class ExpertFilters:
    q: str = ""
    category: str = ""
    field_id: int | None = None
    city: str = ""
    status: str = ""
    valid_on: date | None = None
    sort: str = "name"
    descending: bool = False


def expert_query(filters: ExpertFilters) -> Select:
    """The experts matching ``filters``, sorted, with their fields loaded in one query."""
    query = select(Expert).options(selectinload(Expert.fields))
    # Names and organisations are stored as typed: a name is found as typed or
    # folded (ＡＢＣ or ABC), an organisation by its key, whichever width was typed.
    typed, q = tidy(filters.q).lower(), fold(filters.q).lower()
    if q:
        pattern = f"%{q}%"
        query = query.where(
            or_(
                func.lower(Expert.name).like(f"%{typed}%"),
                func.lower(Expert.name).like(pattern),
                Expert.name_pinyin.like(pattern),
                Expert.organisation_key.like(f"%{organisation_key(q)}%"),
                Expert.code.like(pattern.upper()),
            )
        )
    if filters.category:
        query = query.where(Expert.category == filters.category)
    if filters.city:
        query = query.where(Expert.city == filters.city)
    if filters.status:
        query = query.where(Expert.status == filters.status)
    if filters.field_id:
        query = query.where(
            exists().where(
                and_(
                    expert_fields.c.expert_id == Expert.id,
                    expert_fields.c.field_id == filters.field_id,
                )
            )
        )
    if filters.valid_on:
        query = query.where(
            or_(Expert.term_start.is_(None), Expert.term_start <= filters.valid_on),
            or_(Expert.term_end.is_(None), Expert.term_end >= filters.valid_on),
        )
    column = SORTS.get(filters.sort, Expert.name_pinyin)
    order = column.desc() if filters.descending else column.asc()
    return query.order_by(order, Expert.id)


def find_experts(text: str) -> list[Expert]:
    """The experts named in ``text`` by code (专家编号) or full name, separated
    by commas, 、 or spaces. Unknown or ambiguous names are a ``DomainError``."""
    names = list(dict.fromkeys(p for p in re.split(r"[,，、;；\s]+", text.strip()) if p))
    if not names:
        raise DomainError(_("Enter at least one expert code or name."))
    rows = db.session.scalars(
        select(Expert).where(or_(func.upper(Expert.code).in_([n.upper() for n in names]),
                                 Expert.name.in_(names)))
    ).all()
    found, unknown, ambiguous = [], [], []
    for name in names:
        by_code = [e for e in rows if e.code and e.code.upper() == name.upper()]
        matches = by_code or [e for e in rows if e.name == name]
        if not matches:
            unknown.append(name)
        elif len(matches) > 1:
            ambiguous.append(name)
        else:
            found.append(matches[0])
    if unknown:
        raise DomainError(_("No expert with this code or name: %(names)s",
                            names="、".join(unknown)))
    if ambiguous:
        raise DomainError(_("Several experts have this name; enter their codes instead: "
                            "%(names)s", names="、".join(ambiguous)))
    return found


def active_fields() -> list[ExpertiseField]:
    return list(
        db.session.scalars(
            select(ExpertiseField).where(ExpertiseField.active).order_by(ExpertiseField.position)
        )
    )


def fields_by_name() -> dict[str, ExpertiseField]:
    return {f.name: f for f in db.session.scalars(select(ExpertiseField))}


def _check_unique_contacts(data: ExpertData, expert_id: int | None) -> None:
    for column, value in ((Expert.mobile, data.mobile), (Expert.email, data.email)):
        query = select(Expert.id).where(column == value)
        if expert_id is not None:
            query = query.where(Expert.id != expert_id)
        if db.session.scalar(query) is not None:
            if column is Expert.mobile:
                raise DomainError(_("Another expert already has the mobile %(v)s.", v=value))
            raise DomainError(_("Another expert already has the email %(v)s.", v=value))


def pending_changes(expert: Expert, data: ExpertData) -> dict:
    """What ``apply_data`` would change, without changing it (import previews):
    ``{attribute: [old, new]}``, the expertise fields under ``"fields"``."""
    changes = {}
    for item in fields(ExpertData):
        if item.name == "field_names":
            continue
        old, new = getattr(expert, item.name), getattr(data, item.name)
        if old != new:
            changes[item.name] = [_jsonable(old), _jsonable(new)]
    if set(expert.field_names) != set(data.field_names):
        changes["fields"] = [expert.field_names, list(data.field_names)]
    return changes


def apply_data(expert: Expert, data: ExpertData, known_fields: dict[str, ExpertiseField]) -> dict:
    """Copy ``data`` onto ``expert``; returns ``{attribute: [old, new]}`` for what changed."""
    unknown = [name for name in data.field_names if name not in known_fields]
    if unknown:
        raise DomainError(_("Unknown expertise field: %(names)s", names="、".join(unknown)))
    changes = pending_changes(expert, data)
    for name in changes.keys() - {"fields"}:
        setattr(expert, name, getattr(data, name))
    if "fields" in changes:
        expert.fields = [known_fields[name] for name in data.field_names]
    if "name" in changes:
        expert.name_pinyin = pinyin_index(expert.name)
    if "organisation" in changes:
        expert.organisation_key = organisation_key(expert.organisation)
    return changes


def _jsonable(value):
    return value.isoformat() if isinstance(value, date) else value


def _assign_code(expert: Expert) -> None:
    db.session.flush()
    expert.code = f"ZJ{expert.id:05d}"


def create_expert(data: ExpertData, *, actor: str | None = None) -> Expert:
    _check_unique_contacts(data, None)
    expert = Expert(status=ExpertStatus.ACTIVE.value)
    apply_data(expert, data, fields_by_name())
    db.session.add(expert)
    _assign_code(expert)
    record("expert.created", expert, {"name": expert.name, "code": expert.code}, actor=actor)
    return expert


def create_experts(items: list[ExpertData], *, actor: str | None = None) -> list[Expert]:
    """``create_expert`` for many at once (an import): the same checks and
    records, in a fixed number of statements rather than several per expert."""
    if not items:
        return []
    seen: set[str] = set()
    for data in items:  # the same contact twice among the new experts
        for value in (data.mobile, data.email):
            if value in seen:
                raise DomainError(_("Another expert already has the mobile %(v)s.", v=value)
                                  if value == data.mobile else
                                  _("Another expert already has the email %(v)s.", v=value))
            seen.add(value)
    taken = db.session.execute(select(Expert.mobile, Expert.email).where(or_(
        Expert.mobile.in_([d.mobile for d in items]),
        Expert.email.in_([d.email for d in items]),
    ))).all()
    if taken:  # the pool has one of them: the message names which
        contacts = {value for row in taken for value in row}
        _check_unique_contacts(
            next(d for d in items if d.mobile in contacts or d.email in contacts), None)
    known = fields_by_name()
    experts = []
    for data in items:
        expert = Expert(status=ExpertStatus.ACTIVE.value)
        apply_data(expert, data, known)
        experts.append(expert)
    db.session.add_all(experts)
    db.session.flush()  # one INSERT … RETURNING for the ids the codes are made of
    for expert in experts:
        expert.code = f"ZJ{expert.id:05d}"
        record("expert.created", expert, {"name": expert.name, "code": expert.code},
               actor=actor)
    return experts


def update_expert(expert: Expert, data: ExpertData, *, actor: str | None = None) -> dict:
    _check_unique_contacts(data, expert.id)
    changes = apply_data(expert, data, fields_by_name())
    if changes:
        record("expert.updated", expert, {"changes": changes}, actor=actor)
    return changes


def set_status(
    expert: Expert, status: ExpertStatus, reason: str = "", *, actor: str | None = None
) -> None:
    if expert.status == status.value:
        return
    record(
        "expert.status_changed",
        expert,
        {"from": expert.status, "to": status.value, "reason": reason.strip()},
        actor=actor,
    )
    expert.status = status.value


def add_conflict(
    expert: Expert,
    organisation: str,
    reason: str,
    ends_on: date | None,
    *,
    actor: str | None = None,
) -> Conflict:
    organisation = tidy(organisation)
    if not organisation:
        raise DomainError(_("Name the organisation of the conflict."))
    conflict = Conflict(
        organisation=organisation,
        organisation_key=organisation_key(organisation),
        reason=tidy(reason),
        ends_on=ends_on,
    )
    expert.conflicts.append(conflict)
    record(
        "expert.conflict_added",
        expert,
        {"organisation": organisation, "reason": conflict.reason,
         "ends_on": ends_on.isoformat() if ends_on else None},
        actor=actor,
    )
    return conflict


def remove_conflict(expert: Expert, conflict_id: int) -> None:
    conflict = next((c for c in expert.conflicts if c.id == conflict_id), None)
    if conflict is None:
        raise DomainError(_("This conflict does not belong to the expert."))
    expert.conflicts.remove(conflict)
    record("expert.conflict_removed", expert, {"organisation": conflict.organisation})


def seed_fields() -> int:
    """Add the seeded expertise fields that are missing; returns how many."""
    existing = set(db.session.scalars(select(ExpertiseField.name)))
    added = 0
    for position, name in enumerate(SEED_FIELDS):
        if name not in existing:
            db.session.add(ExpertiseField(name=name, position=position))
            added += 1
    return added


def add_field(name: str) -> ExpertiseField:
    name = fold(name)
    if not name or len(name) > 50:
        raise DomainError(_("A field name has 1 to 50 characters."))
    if db.session.scalar(select(ExpertiseField.id).where(ExpertiseField.name == name)):
        raise DomainError(_("The field %(name)s already exists.", name=name))
    position = (db.session.scalar(select(func.max(ExpertiseField.position))) or 0) + 1
    entry = ExpertiseField(name=name, position=position)
    db.session.add(entry)
    record("taxonomy.field_added", entry, {"name": name})
    return entry


def update_field(entry: ExpertiseField, name: str, active: bool) -> None:
    name = fold(name)
    if not name or len(name) > 50:
        raise DomainError(_("A field name has 1 to 50 characters."))
    clash = db.session.scalar(
        select(ExpertiseField.id).where(ExpertiseField.name == name, ExpertiseField.id != entry.id)
    )
    if clash:
        raise DomainError(_("The field %(name)s already exists.", name=name))
    record("taxonomy.field_updated", entry,
           {"from": [entry.name, entry.active], "to": [name, active]})
    entry.name = name
    entry.active = active
