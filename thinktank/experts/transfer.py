"""Excel import and export of the expert pool (docs/design.md, "Excel imports"
and "Export").

``import_experts`` reads a workbook with the pure importer, matches its rows
against the pool (by mobile, then email) and, when no row has a problem,
creates and updates experts through the ordinary services, all or nothing.
The wording of problems and the upload stash are shared with other imports
(``thinktank.imports``) and re-exported here (``x as x``) for the expert pages.
"""

import dataclasses
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from thinktank.audit.services import record
from thinktank.errors import DomainError
from thinktank.experts import services
from thinktank.experts.exporter import export_experts
from thinktank.experts.importer import (
    COLUMN_BY_ATTRIBUTE,
    COLUMNS,
    ExpertRow,
    ExpertSheet,
    FileRefused,
    Problem,
    Reason,
    read_experts,
)
from thinktank.experts.models import Expert
from thinktank.experts.rules import ExpertData
from thinktank.extensions import db
from thinktank.imports import claim_upload as claim_upload
from thinktank.imports import describe
from thinktank.imports import discard_upload as discard_upload
from thinktank.imports import problem_line as problem_line
from thinktank.imports import stash_upload as stash_upload
from thinktank.spreadsheets import sort_problems
from thinktank.timeutil import today_in_display_zone


@dataclass
class ImportReport:
    """The answer to an import: the counts, or every problem (then nothing is written)."""

    filename: str
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Step:
    data: ExpertData
    expert: Expert | None  # None: a new expert
    changes: dict


def import_experts(
    data: bytes, filename: str, *, dry_run: bool, actor: str | None = None
) -> ImportReport:
    """Validate an experts workbook and, unless ``dry_run`` or any row has a
    problem, write it: new experts are created, known ones (same mobile, else
    same email) updated. Raises ``DomainError`` when the file is refused as a
    whole; the caller commits."""
    known = services.fields_by_name()
    try:
        sheet = read_experts(
            data,
            filename,
            field_names=known.keys(),
            today=today_in_display_zone(),
            max_bytes=current_app.config["EXPERT_IMPORT_MAX_BYTES"],
        )
    except FileRefused as refused:
        raise DomainError(describe(refused.reason, refused.params)) from refused
    report = ImportReport(filename=filename, dry_run=dry_run, problems=sheet.problems,
                          warnings=sheet.warnings)
    active = {name for name, entry in known.items() if entry.active}
    steps = _match_pool(sheet, active, report.problems)
    if report.problems:
        sort_problems(report.problems, COLUMNS)
        return report
    report.created = sum(step.expert is None for step in steps)
    report.updated = sum(bool(step.changes) for step in steps)
    report.unchanged = len(steps) - report.created - report.updated
    if not dry_run:
        _write(steps, report, actor)
    return report


def _match_pool(
    sheet: ExpertSheet, active_fields: set[str], problems: list[Problem]
) -> list[_Step]:
    """Find the expert each valid row names; conflicts with the pool become problems."""
    if not sheet.rows:
        return []
    mobiles = {row.data.mobile for row in sheet.rows}
    emails = {row.data.email for row in sheet.rows}
    experts = db.session.scalars(
        select(Expert)
        .options(selectinload(Expert.fields))
        .where(or_(Expert.mobile.in_(mobiles), func.lower(Expert.email).in_(emails)))
    ).all()
    by_mobile = {expert.mobile: expert for expert in experts}
    by_email = {expert.email.lower(): expert for expert in experts}
    first_row_of_expert: dict[int, int] = {}
    steps = []
    for row in sheet.rows:
        found, expert = _identify(row, by_mobile, by_email, first_row_of_expert)
        data = row.data if expert is None else _keep_absent(row.data, expert, sheet.attributes)
        held = set(expert.field_names) if expert is not None else set()
        # A retired field stays acceptable on an expert who already has it (as in the form).
        retired = [n for n in data.field_names if n not in active_fields and n not in held]
        if retired:
            found.append(Problem(row.row, COLUMN_BY_ATTRIBUTE["field_names"].header,
                                 Reason.RETIRED_FIELD, {"names": "、".join(retired)}))
        if found:
            problems.extend(found)
            continue
        changes = services.pending_changes(expert, data) if expert is not None else {}
        steps.append(_Step(data, expert, changes))
    return steps


def _identify(
    row: ExpertRow,
    by_mobile: dict[str, Expert],
    by_email: dict[str, Expert],
    first_row_of_expert: dict[int, int],
) -> tuple[list[Problem], Expert | None]:
    """The pool's expert that the row names: by mobile, then by email."""
    found = []
    owner_of_mobile = by_mobile.get(row.data.mobile)
    owner_of_email = by_email.get(row.data.email)
    expert = owner_of_mobile or owner_of_email
    if owner_of_mobile and owner_of_email and owner_of_mobile is not owner_of_email:
        found.append(Problem(row.row, COLUMN_BY_ATTRIBUTE["email"].header,
                             Reason.CONTACT_OF_OTHER_EXPERT,
                             {"code": owner_of_email.code, "name": owner_of_email.name}))
    if expert is not None:
        if expert.id in first_row_of_expert:
            by = "mobile" if owner_of_mobile is expert else "email"
            found.append(Problem(row.row, COLUMN_BY_ATTRIBUTE[by].header,
                                 Reason.SAME_EXPERT_AS_ROW,
                                 {"row": first_row_of_expert[expert.id], "code": expert.code}))
        else:
            first_row_of_expert[expert.id] = row.row
    return found, expert


def _keep_absent(data: ExpertData, expert: Expert, attributes: frozenset[str]) -> ExpertData:
    """An optional column the file lacks leaves the expert's value as it is
    (an empty cell in a present column does clear it)."""
    kept = {
        column.attribute: getattr(expert, column.attribute)
        for column in COLUMNS
        if column.attribute not in attributes
    }
    return dataclasses.replace(data, **kept)


def _write(steps: list[_Step], report: ImportReport, actor: str | None) -> None:
    try:
        services.create_experts([step.data for step in steps if step.expert is None],
                                actor=actor)
        for step in steps:
            if step.expert is not None and step.changes:
                services.update_expert(step.expert, step.data, actor=actor)
        record(
            "experts.imported",
            None,
            {"file": report.filename, "created": report.created, "updated": report.updated,
             "unchanged": report.unchanged},
            actor=actor,
        )
        db.session.flush()
    except Exception:
        # All or nothing: a failure on any row takes back the rows before it.
        db.session.rollback()
        raise


def export_pool(filters: services.ExpertFilters, *, actor: str | None = None) -> tuple[bytes, int]:
    """The experts matching ``filters`` as an .xlsx in the import template's
    columns, and how many they are. The file holds contact details, so the
    export is audited; the caller commits."""
    experts = db.session.scalars(services.expert_query(filters)).all()
    record(
        "experts.exported",
        None,
        {"count": len(experts),
         "filters": {key: value.isoformat() if hasattr(value, "isoformat") else value
                     for key, value in dataclasses.asdict(filters).items()}},
        actor=actor,
    )
    return export_experts(experts), len(experts)
