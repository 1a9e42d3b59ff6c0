"""Score sheets: an assigned expert's points per criterion, comment and
recommendation, saved as drafts and submitted (locked); a conflict declared
instead of scoring; reopening by the secretariat; paper sheets entered on an
expert's behalf (代录入).

One sheet per expert and application whatever the number of tabs or clicks:
the row is created by INSERT … ON CONFLICT DO NOTHING on its unique key, and
every change is a conditional UPDATE on the version the page was showing
(``WHERE version = :seen AND status IN (…)``) that must change exactly one row;
the points are upserted on their own unique key afterwards. This holds on
SQLite and PostgreSQL alike, unlike a check followed by an insert.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from thinktank.audit.services import record
from thinktank.errors import DomainError, Forbidden
from thinktank.extensions import db
from thinktank.notifications.services import enqueue
from thinktank.reviews.aggregation import PointsError, PointsProblem, parse_points
from thinktank.reviews.models import (
    Application,
    Criterion,
    RoundStatus,
    ScoreSheet,
    SheetScore,
    SheetStatus,
)
from thinktank.reviews.panels import is_assigned, panel_for, required_reason
from thinktank.reviews.progress import cancel_reminders_if_done
from thinktank.timeutil import to_display, utcnow

RECOMMENDATIONS = ("推荐", "不推荐")
EDITABLE = frozenset({SheetStatus.DRAFT, SheetStatus.REOPENED})
COMMENT_LIMIT = 5000
CONFLICT_MAIL_KIND = "review_conflict"


class SheetRefused(DomainError):
    """Points or fields refused; ``problems`` maps a criterion id (or ``"comment"``,
    ``"recommendation"``) to its message. Nothing was saved."""

    def __init__(self, problems: dict):
        super().__init__("；".join(problems.values()))
        self.problems = problems


@dataclass(frozen=True)
class SheetInput:
    """What was typed on a sheet: the points by criterion id, as text."""

    points: Mapping[int, str]
    comment: str = ""
    recommendation: str = ""


def points_message(error: PointsError) -> str:
    """A message naming the criterion whose points were refused."""
    maximum = f"{error.maximum.normalize():f}"  # 30, not 30.0
    messages = {
        PointsProblem.MISSING: _("Enter the points for %(criterion)s.",
                                 criterion=error.criterion),
        PointsProblem.NOT_A_NUMBER: _(
            "The points for %(criterion)s must be a number from 0 to %(max)s.",
            criterion=error.criterion, max=maximum),
        PointsProblem.NEGATIVE: _("The points for %(criterion)s cannot be negative.",
                                  criterion=error.criterion),
        PointsProblem.ABOVE_MAXIMUM: _("The points for %(criterion)s cannot exceed %(max)s.",
                                       criterion=error.criterion, max=maximum),
        PointsProblem.TOO_PRECISE: _("The points for %(criterion)s may have at most one "
                                     "decimal.", criterion=error.criterion),
    }
    return messages[error.problem]


# --- reading ---------------------------------------------------------------------------


def sheet_of(application: Application, expert_id: int) -> ScoreSheet | None:
    return db.session.scalars(select(ScoreSheet).where(
        ScoreSheet.application_id == application.id, ScoreSheet.expert_id == expert_id)
    ).one_or_none()


def points_by_criterion(sheet: ScoreSheet | None) -> dict[int, Decimal]:
    return {score.criterion_id: score.points for score in sheet.scores} if sheet else {}


def total(points: Iterable[Decimal]) -> Decimal:
    return sum(points, Decimal("0.0"))


def deadline_passed(application: Application) -> bool:
    deadline = application.round.scoring_deadline
    return deadline is not None and utcnow() > deadline


def sheets_for(applications: list[Application]) -> dict[tuple[int, int], ScoreSheet]:
    """``{(application id, expert id): sheet}`` for the secretariat's progress table."""
    ids = [a.id for a in applications]
    sheets = db.session.scalars(select(ScoreSheet).where(ScoreSheet.application_id.in_(ids)))
    return {(s.application_id, s.expert_id): s for s in sheets}


# --- checks -----------------------------------------------------------------------------


def _check_assigned(application: Application, expert_id: int) -> None:
    if not is_assigned(expert_id, application):
        raise Forbidden(_("This application is not assigned to this expert."))


def _check_scoring(application: Application) -> None:
    if application.round.status != RoundStatus.SCORING:
        raise DomainError(_("The round is not in scoring: sheets cannot be changed."))


def _check_editable(application: Application, sheet: ScoreSheet) -> None:
    status = SheetStatus(sheet.status)
    if status == SheetStatus.SUBMITTED:
        raise DomainError(_("This sheet has been submitted and is locked."))
    if status == SheetStatus.CONFLICT:
        raise DomainError(_("A conflict was declared on this application: it is not scored."))
    if status != SheetStatus.REOPENED and deadline_passed(application):
        raise DomainError(_(
            "The scoring deadline (%(time)s) has passed: the sheet can no longer be saved "
            "or submitted. Ask the secretariat to reopen it if needed.",
            time=to_display(application.round.scoring_deadline).strftime("%Y-%m-%d %H:%M")))


def _parse(criteria: list[Criterion], data: SheetInput, submit: bool
           ) -> tuple[dict[int, Decimal], str, str | None]:
    points, problems = {}, {}
    for criterion in criteria:
        text = data.points.get(criterion.id, "") or ""
        try:
            points[criterion.id] = parse_points(text, criterion.max_points, criterion.name)
        except PointsError as error:
            if submit or error.problem != PointsProblem.MISSING:
                problems[criterion.id] = points_message(error)
    comment = (data.comment or "").strip()
    if submit and not comment:
        problems["comment"] = _("Write a comment before submitting.")
    if len(comment) > COMMENT_LIMIT:
        problems["comment"] = _("The comment may have at most %(n)d characters.",
                                n=COMMENT_LIMIT)
    recommendation = (data.recommendation or "").strip() or None
    if recommendation not in (None, *RECOMMENDATIONS) or (submit and recommendation is None):
        problems["recommendation"] = _("Choose 推荐 or 不推荐.")
    if problems:
        raise SheetRefused(problems)
    return points, comment, recommendation


# --- writing ----------------------------------------------------------------------------


def _dialect():
    return postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite


def _ensure_sheet(application: Application, expert_id: int) -> ScoreSheet:
    """The sheet's row, created at version 0 if missing; two requests creating it
    at once end with the one row (the second insert does nothing)."""
    now = utcnow()
    db.session.execute(
        _dialect().insert(ScoreSheet).values(
            application_id=application.id, expert_id=expert_id, status=SheetStatus.DRAFT.value,
            version=0, created_at=now, updated_at=now,
        ).on_conflict_do_nothing(index_elements=["application_id", "expert_id"])
    )
    return db.session.scalars(
        select(ScoreSheet).where(ScoreSheet.application_id == application.id,
                                 ScoreSheet.expert_id == expert_id)
        .execution_options(populate_existing=True)
    ).one()


def _change(sheet: ScoreSheet, seen_version: int, allowed: frozenset, **values) -> None:
    """Apply ``values`` only if the sheet is still at ``seen_version`` and in an
    ``allowed`` status; otherwise another tab or click got there first."""
    result = db.session.execute(
        update(ScoreSheet)
        .where(ScoreSheet.id == sheet.id, ScoreSheet.version == seen_version,
               ScoreSheet.status.in_([s.value for s in allowed]))
        .values(version=ScoreSheet.version + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise DomainError(_("This sheet was changed in another window or tab in the "
                            "meantime. Reload it and check before saving again."))
    db.session.refresh(sheet)


def save_sheet(application: Application, expert_id: int, data: SheetInput, seen_version: int,
               *, submit: bool, user=None, proxy: bool = False) -> ScoreSheet:
    """Save the expert's sheet as a draft, or submit it (then it is locked).

    ``seen_version`` is the version the page showed (0 for a sheet not yet
    saved); a save based on an older one is refused. Refused, with nothing
    saved: points outside 0..maximum or with more than one decimal (the
    message names the criterion); on submit, any criterion left empty, no
    comment or no recommendation; after the deadline, unless the sheet was
    reopened. ``proxy`` marks a paper sheet entered by the secretariat
    (``user``) on the expert's behalf. The caller commits."""
    _check_assigned(application, expert_id)
    _check_scoring(application)
    points, comment, recommendation = _parse(application.round.criteria, data, submit)
    sheet = _ensure_sheet(application, expert_id)
    _check_editable(application, sheet)
    values = {"comment": comment or None, "recommendation": recommendation}
    if submit:
        values |= {"status": SheetStatus.SUBMITTED.value, "submitted_at": utcnow()}
    if proxy:
        values["entered_by_proxy_user_id"] = user.id
    _change(sheet, seen_version, EDITABLE, **values)
    if points:
        insert = _dialect().insert(SheetScore).values(
            [{"sheet_id": sheet.id, "criterion_id": c, "points": p} for c, p in points.items()])
        db.session.execute(insert.on_conflict_do_update(
            index_elements=["sheet_id", "criterion_id"], set_={"points": insert.excluded.points}))
    db.session.execute(delete(SheetScore).where(SheetScore.sheet_id == sheet.id,
                                                SheetScore.criterion_id.not_in(points)))
    db.session.expire(sheet, ["scores"])
    action = "submitted" if submit else "saved"
    record(f"score_sheet.{'proxy_' if proxy else ''}{action}", sheet, {
        "application": application.id, "expert": expert_id, "version": sheet.version,
        "points": {str(c): str(p) for c, p in points.items()}, "total": str(total(points.values())),
        "recommendation": recommendation,
    } | ({"proxy": True} if proxy else {}), user=user)
    if submit:
        cancel_reminders_if_done(application.round, expert_id)
    return sheet


def declare_conflict(application: Application, expert_id: int, reason: str,
                     seen_version: int, *, user=None) -> ScoreSheet:
    """The expert steps back from ``application`` instead of scoring it: the
    sheet is marked ``conflict`` with the reason, any points are dropped and
    the secretariat is told by mail (outbox) so it can name a replacement."""
    _check_assigned(application, expert_id)
    _check_scoring(application)
    reason = required_reason(reason)
    sheet = _ensure_sheet(application, expert_id)
    _check_editable(application, sheet)
    _change(sheet, seen_version, EDITABLE, status=SheetStatus.CONFLICT.value,
            conflict_reason=reason)
    db.session.execute(delete(SheetScore).where(SheetScore.sheet_id == sheet.id))
    db.session.expire(sheet, ["scores"])
    record("score_sheet.conflict_declared", sheet,
           {"application": application.id, "expert": expert_id, "reason": reason}, user=user)
    _notify_conflict(sheet, reason)
    cancel_reminders_if_done(application.round, expert_id)
    return sheet


def _notify_conflict(sheet: ScoreSheet, reason: str) -> None:
    config = current_app.config
    application, expert = sheet.application, sheet.expert
    panel = panel_for(application)
    with force_locale(config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Conflict declared: %(number)s %(title)s",
                    number=application.number, title=application.title)
        body = _(
            "%(expert)s declared a conflict on application %(number)s %(title)s "
            "(%(organisation)s) and will not score it.\n\nReason: %(reason)s\n\n"
            "A replacement can be drawn on the panel page:\n%(url)s\n",
            expert=expert.name, number=application.number, title=application.title,
            organisation=application.organisation, reason=reason,
            url=url_for("reviews.panel_detail", panel_id=panel.id, _external=True))
        recipient = _("Secretariat")
    enqueue(
        kind=CONFLICT_MAIL_KIND,
        dedupe_key=f"{CONFLICT_MAIL_KIND}:sheet:{sheet.id}:v{sheet.version}",
        recipient_email=config["SECRETARIAT_EMAIL"],
        recipient_name=recipient,
        subject=subject,
        text_body=body,
        due_at=utcnow(),
        subject_type="score_sheet",
        subject_id=sheet.id,
        expert_id=expert.id,
    )


def reopen_sheet(application: Application, expert_id: int, reason: str, *, user=None
                 ) -> ScoreSheet:
    """Unlock a submitted or conflict sheet, or one the deadline closed, so
    that it can be saved and submitted once more (also after the deadline).
    The reason is required and recorded."""
    _check_assigned(application, expert_id)
    _check_scoring(application)
    reason = required_reason(reason)
    sheet = _ensure_sheet(application, expert_id)
    if sheet.status == SheetStatus.REOPENED or (
            sheet.status == SheetStatus.DRAFT and not deadline_passed(application)):
        raise DomainError(_("This sheet is open already."))
    before = sheet.status
    _change(sheet, sheet.version, frozenset(SheetStatus) - {SheetStatus.REOPENED},
            status=SheetStatus.REOPENED.value, reopened_reason=reason, reopened_at=utcnow())
    record("score_sheet.reopened", sheet, {"application": application.id,
                                           "expert": expert_id, "from": before,
                                           "reason": reason}, user=user)
    return sheet
