"""The applications of a review round and their groups (分组): adding and
editing them by hand or from an Excel workbook, their attachments and the
applicants' avoidance requests, all while the round is a draft; and the
counts the round's page shows. Who may open an application is ``access``."""

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from thinktank.audit.services import record
from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.imports import describe
from thinktank.reviews.importer import (
    COLUMN_BY_ATTRIBUTE,
    COLUMNS,
    ApplicationData,
    read_applications,
)
from thinktank.reviews.models import (
    Application,
    ApplicationAttachment,
    AvoidanceRequest,
    ReviewGroup,
    ReviewRound,
    RoundStatus,
)
from thinktank.spreadsheets import FileRefused, Problem, Reason, sort_problems
from thinktank.text import fold, organisation_key, tidy

# --- reading --------------------------------------------------------------------------


def application_query(review_round: ReviewRound) -> Select:
    """The round's applications in number order, each with its group."""
    return (
        select(Application)
        .options(joinedload(Application.group))
        .where(Application.round_id == review_round.id)
        .order_by(Application.number, Application.id)
    )


def attachment_counts(applications: list[Application]) -> dict[int, int]:
    """``{application id: number of attachments}`` for a page of applications, in one query."""
    ids = [application.id for application in applications]
    if not ids:
        return {}
    rows = db.session.execute(
        select(ApplicationAttachment.application_id, func.count(ApplicationAttachment.id))
        .where(ApplicationAttachment.application_id.in_(ids))
        .group_by(ApplicationAttachment.application_id)
    )
    return {application_id: count for application_id, count in rows}


def group_counts(review_round: ReviewRound) -> list[tuple[ReviewGroup, int]]:
    """The round's groups by name, each with its number of applications, in one query."""
    rows = db.session.execute(
        select(ReviewGroup, func.count(Application.id))
        .outerjoin(Application, Application.group_id == ReviewGroup.id)
        .where(ReviewGroup.round_id == review_round.id)
        .group_by(ReviewGroup.id)
        .order_by(ReviewGroup.name)
    )
    return [(group, count) for group, count in rows]


def application_count(review_round: ReviewRound) -> int:
    return db.session.scalar(
        select(func.count(Application.id)).where(Application.round_id == review_round.id)
    )


# --- groups ---------------------------------------------------------------------------


def add_group(review_round: ReviewRound, name: str, *, actor: str | None = None) -> ReviewGroup:
    """A new group (分组) of a draft round; names are unique within the round,
    whatever the width they are typed in ("甲组（一）" is "甲组(一)")."""
    _require_draft(review_round)
    name = tidy(name)
    if not name or len(name) > 50:
        raise DomainError(_("A group needs a name of at most 50 characters."))
    if any(fold(group.name) == fold(name) for group in review_round.groups):
        raise DomainError(_("The round already has a group named %(name)s.", name=name))
    group = ReviewGroup(round=review_round, name=name)
    db.session.add(group)
    record("review_group.created", group, {"round": review_round.id, "name": name}, actor=actor)
    return group


# --- applications ---------------------------------------------------------------------


def create_application(review_round: ReviewRound, data: ApplicationData, *,
                       actor: str | None = None) -> Application:
    """Add an application to a draft round; its group is created if new."""
    _require_draft(review_round)
    _require_free_number(review_round, data.number, None)
    application = Application(round=review_round)
    _apply_application_data(application, data, _groups_by_name(review_round), actor)
    db.session.add(application)
    record("review_application.created", application,
           {"round": review_round.id, "number": data.number}, actor=actor)
    return application


def update_application(application: Application, data: ApplicationData, *,
                       actor: str | None = None) -> dict:
    """Change an application of a draft round; returns what changed."""
    review_round = application.round
    _require_draft(review_round)
    _require_free_number(review_round, data.number, application)
    before = _application_values(application)
    _apply_application_data(application, data, _groups_by_name(review_round), actor)
    after = _application_values(application)
    changes = {name: after[name] for name in after if after[name] != before[name]}
    if changes:
        record("review_application.updated", application, changes, actor=actor)
    return changes


def _require_draft(review_round: ReviewRound) -> None:
    if review_round.status != RoundStatus.DRAFT:
        raise DomainError(_("Applications and groups can change only while the round is a "
                            "draft."))


def _require_free_number(review_round: ReviewRound, number: str,
                         application: Application | None) -> None:
    query = select(Application.id).where(Application.round_id == review_round.id,
                                         Application.number == number)
    if application is not None:
        query = query.where(Application.id != application.id)
    if db.session.scalar(query) is not None:
        raise DomainError(_("The round already has an application numbered %(number)s.",
                            number=number))


def _groups_by_name(review_round: ReviewRound) -> dict[str, ReviewGroup]:
    """The round's groups by folded name (the key ``add_group`` keeps unique)."""
    return {fold(group.name): group for group in review_round.groups}


def _apply_application_data(application: Application, data: ApplicationData,
                            groups: dict[str, ReviewGroup], actor: str | None) -> None:
    for attribute in ("number", "title", "organisation", "direction", "city", "investment",
                      "summary", "contact", "phone"):
        setattr(application, attribute, getattr(data, attribute))
    application.organisation_key = organisation_key(data.organisation)
    if data.group_name is None:
        application.group = None
        return
    key = fold(data.group_name)
    if key not in groups:
        groups[key] = add_group(application.round, data.group_name, actor=actor)
    application.group = groups[key]


def _application_values(application: Application) -> dict[str, str | None]:
    values = {attribute: getattr(application, attribute) for attribute in (
        "number", "title", "organisation", "direction", "city", "investment", "summary",
        "contact", "phone")}
    values["group"] = application.group.name if application.group else None
    return {name: None if value is None else str(value) for name, value in values.items()}


# --- import ---------------------------------------------------------------------------


@dataclass
class ApplicationImportReport:
    """The answer to an import: the counts, or every problem (then nothing is written)."""

    filename: str
    dry_run: bool
    created: int = 0
    new_groups: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def import_applications(review_round: ReviewRound, data: bytes, filename: str, *,
                        dry_run: bool, actor: str | None = None) -> ApplicationImportReport:
    """Validate an applications workbook for a draft round and, unless
    ``dry_run`` or any row has a problem, add every row as an application
    (groups named in 分组 are created if new). All or nothing; raises
    ``DomainError`` when the file is refused as a whole. The caller commits."""
    _require_draft(review_round)
    try:
        sheet = read_applications(data, filename,
                                  max_bytes=current_app.config["EXPERT_IMPORT_MAX_BYTES"])
    except FileRefused as refused:
        raise DomainError(describe(refused.reason, refused.params)) from refused
    report = ApplicationImportReport(filename=filename, dry_run=dry_run,
                                     problems=sheet.problems, warnings=sheet.warnings)
    taken = set(db.session.scalars(
        select(Application.number).where(Application.round_id == review_round.id)
    ))
    for row in sheet.rows:
        if row.data.number in taken:
            report.problems.append(Problem(row.row, COLUMN_BY_ATTRIBUTE["number"].header,
                                           Reason.NUMBER_TAKEN))
    if report.problems:
        sort_problems(report.problems, COLUMNS)
        return report
    known_groups = _groups_by_name(review_round)
    report.created = len(sheet.rows)
    # In the order the file first names them, as first spelt.
    new_groups: dict[str, str] = {}
    for row in sheet.rows:
        if row.data.group_name and fold(row.data.group_name) not in known_groups:
            new_groups.setdefault(fold(row.data.group_name), row.data.group_name)
    report.new_groups = list(new_groups.values())
    if dry_run:
        return report
    try:
        for row in sheet.rows:
            application = Application(round=review_round)
            _apply_application_data(application, row.data, known_groups, actor)
            db.session.add(application)
        record("review_applications.imported", review_round,
               {"file": filename, "created": report.created, "new_groups": report.new_groups},
               actor=actor)
        db.session.flush()
    except Exception:
        # All or nothing: a failure on any row takes back the rows before it.
        db.session.rollback()
        raise
    return report


# --- attachments ----------------------------------------------------------------------


def add_attachment(application: Application, filename: str, data: bytes, *,
                   user=None) -> ApplicationAttachment:
    """Store a PDF for ``application`` (see ``StoredFile.store``); a name not
    ending in .pdf gets it."""
    _require_draft(application.round)
    attachment = ApplicationAttachment.store(data, tidy(filename) or "attachment", user=user,
                                             application=application)
    record("review_application.attachment_added", application,
           {"attachment": attachment.original_name, "size": attachment.size,
            "sha256": attachment.sha256}, user=user)
    return attachment


# --- avoidance requests ---------------------------------------------------------------


def add_avoidance_request(application: Application, expert_name: str | None,
                          expert_code: str | None, reason: str, *,
                          actor: str | None = None) -> AvoidanceRequest:
    """Record the applicant's request to keep an expert (by name and/or code)
    off the application."""
    _require_draft(application.round)
    name, code = tidy(expert_name) or None, fold(expert_code).upper() or None
    reason = tidy(reason)
    if name is None and code is None:
        raise DomainError(_("Name the expert, by name or by expert code."))
    if not reason:
        raise DomainError(_("Give the applicant's reason."))
    request = AvoidanceRequest(application=application, expert_name=name, expert_code=code,
                               reason=reason)
    db.session.add(request)
    record("review_application.avoidance_added", application,
           {"expert_name": name, "expert_code": code, "reason": reason}, actor=actor)
    return request


def remove_avoidance_request(application: Application, request_id: int, *,
                             actor: str | None = None) -> None:
    _require_draft(application.round)
    request = next((r for r in application.avoidance_requests if r.id == request_id), None)
    if request is None:
        raise DomainError(_("This avoidance request does not exist."))
    application.avoidance_requests.remove(request)
    record("review_application.avoidance_removed", application,
           {"expert_name": request.expert_name, "expert_code": request.expert_code},
           actor=actor)
