"""Pages of score sheets (routes on the ``reviews`` blueprint): an expert's
assignments and their own sheets, and the secretariat's view of one expert's
sheet, where it enters a paper sheet on the expert's behalf (代录入) or
reopens it.

An expert only ever reaches their own sheets of applications assigned to
them, once scoring has started (``access.can_review_application``); no page shows an
expert anyone else's scores."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput

from thinktank.experts.models import Expert
from thinktank.extensions import db
from thinktank.forms import IntegerField
from thinktank.pagecache import cache_no_later_than, cached_page
from thinktank.permissions import Role, roles
from thinktank.reviews import access, group_opinion, panels, scoring
from thinktank.reviews.aggregation import PointsError, parse_points
from thinktank.reviews.labels import SHEET_STATUS_LABELS
from thinktank.reviews.models import Application, RoundStatus, ScoreSheet, SheetStatus
from thinktank.views import committed


class SheetForm(FlaskForm):
    """The sheet's plain fields; the points arrive as ``points-<criterion id>``."""

    version = IntegerField(widget=HiddenInput(), default=0)
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=5000)])
    recommendation = StringField(validators=[Optional()])


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)])
    version = IntegerField(widget=HiddenInput(), default=0)


@roles(Role.EXPERT)
def my_assignments():
    assignments = panels.assignments_of(current_user.expert_id) if current_user.expert_id else []
    return render_template("reviews/my_assignments.html", assignments=assignments,
                           opinion_tasks=_opinion_tasks(), sheet_status_labels=SHEET_STATUS_LABELS)


def _opinion_tasks(application: Application | None = None) -> list[group_opinion.ExpertItem]:
    """The signed-in expert's group opinions to draft or answer (of one application)."""
    if not current_user.expert_id:
        return []
    if application is None:
        items = group_opinion.opinions_for_expert(current_user.expert_id)
    else:
        items = [group_opinion.opinion_item(current_user.expert_id, application)]
    return [item for item in items if item is not None and item.waiting]


def _assigned_application(application_id: int, expert_id: int | None) -> Application:
    application = db.get_or_404(Application, application_id)
    if not access.can_review_application(expert_id, application):
        abort(403)
    return application


def _typed_points(application: Application) -> dict[int, str]:
    return {c.id: request.form.get(f"points-{c.id}", "") for c in application.round.criteria}


def _shown_total(application: Application, points: dict[int, str]) -> str:
    """The running total of the points shown, counting only valid ones."""
    valid = []
    for criterion in application.round.criteria:
        try:
            valid.append(parse_points(points.get(criterion.id, ""), criterion.max_points,
                                      criterion.name))
        except PointsError:
            continue
    return str(scoring.total(valid))


def _sheet_page(application: Application, expert: Expert, *, proxy: bool, form: SheetForm,
                points: dict[int, str] | None = None, problems: dict | None = None,
                status: int = 200):
    sheet = scoring.sheet_of(application, expert.id)
    if points is None:
        points = {c: str(p) for c, p in scoring.points_by_criterion(sheet).items()}
    if request.method == "GET" or status == 409:
        form.version.data = sheet.version if sheet else 0
        form.comment.data = sheet.comment if sheet else ""
        form.recommendation.data = sheet.recommendation if sheet else ""
    current = SheetStatus(sheet.status) if sheet else SheetStatus.DRAFT
    open_round = application.round.status == RoundStatus.SCORING
    late = scoring.deadline_passed(application) and current != SheetStatus.REOPENED
    cache_no_later_than(application.round.scoring_deadline)  # the form closes then
    return render_template(
        "reviews/sheet.html",
        application=application,
        review_round=application.round,
        expert=expert,
        sheet=sheet,
        form=form,
        points=points,
        problems=problems or {},
        total=_shown_total(application, points),
        editable=open_round and current in scoring.EDITABLE and not late,
        late=open_round and current in scoring.EDITABLE and late,
        proxy=proxy,
        opinion_tasks=[] if proxy else _opinion_tasks(application),
        recommendations=scoring.RECOMMENDATIONS,
        reason_form=ReasonForm(formdata=None),
        can_reopen=proxy and open_round and (current in (SheetStatus.SUBMITTED,
                                                         SheetStatus.CONFLICT) or late),
        sheet_status_labels=SHEET_STATUS_LABELS,
    ), status


def _save(application: Application, expert: Expert, *, proxy: bool):
    """Handle a POST of the sheet form for ``expert`` (by them, or by proxy)."""
    form = SheetForm()
    if not form.validate_on_submit():
        abort(400)
    points = _typed_points(application)
    submit = request.form.get("action") == "submit"
    data = scoring.SheetInput(points, form.comment.data or "", form.recommendation.data or "")
    with committed(on_error=None) as done:
        scoring.save_sheet(application, expert.id, data, form.version.data or 0, submit=submit,
                           user=current_user, proxy=proxy)
    if isinstance(done.error, scoring.SheetRefused):
        flash(_("Nothing was saved: correct the marked fields."), "danger")
        return _sheet_page(application, expert, proxy=proxy, form=form, points=points,
                           problems=done.error.problems, status=400)
    if done.error:
        flash(done.error.message, "danger")
        # Show the sheet as stored now, so that the expert sees what won.
        return _sheet_page(application, expert, proxy=proxy, form=form, status=409)
    flash(_("Submitted. The sheet is now locked.") if submit else _("Draft saved."), "success")
    return None


@roles(Role.EXPERT)  # object rule: only the expert's own sheet of an assigned application
@cached_page
def sheet(application_id: int):
    application = _assigned_application(application_id, current_user.expert_id)
    expert = current_user.expert
    if request.method == "POST":
        page = _save(application, expert, proxy=False)
        if page is not None:
            return page
        return redirect(url_for("reviews.sheet", application_id=application.id))
    return _sheet_page(application, expert, proxy=False, form=SheetForm())


@roles(Role.EXPERT)  # object rule: only an assigned expert, on their own sheet
def sheet_conflict(application_id: int):
    application = _assigned_application(application_id, current_user.expert_id)
    form = ReasonForm()
    back = redirect(url_for("reviews.sheet", application_id=application.id))
    if not form.validate_on_submit():
        flash(_("Give the reason for the conflict."), "danger")
        return back
    with committed() as done:
        scoring.declare_conflict(application, current_user.expert_id, form.reason.data,
                                 form.version.data or 0, user=current_user)
    if done:
        flash(_("Your conflict has been recorded and the secretariat informed."), "success")
    return back


@roles(Role.SECRETARIAT, Role.EXPERT)  # object rule: an expert opens only their own sheet
def sheet_by_id(sheet_id: int):
    score_sheet = db.get_or_404(ScoreSheet, sheet_id)
    if current_user.has_role(Role.SECRETARIAT):
        return redirect(url_for("reviews.proxy_sheet", application_id=score_sheet.application_id,
                                expert_id=score_sheet.expert_id))
    if score_sheet.expert_id != current_user.expert_id:
        abort(403)
    return redirect(url_for("reviews.sheet", application_id=score_sheet.application_id))


def expert_on_application(application_id: int, expert_id: int) -> tuple[Application, Expert]:
    """The application and an expert who scores it (404 otherwise), for proxy entry."""
    application = db.get_or_404(Application, application_id)
    expert = db.get_or_404(Expert, expert_id)
    if not panels.is_assigned(expert.id, application):
        abort(404)
    return application, expert


@roles(Role.SECRETARIAT)
def proxy_sheet(application_id: int, expert_id: int):
    application, expert = expert_on_application(application_id, expert_id)
    if request.method == "POST":
        page = _save(application, expert, proxy=True)
        if page is not None:
            return page
        return redirect(url_for("reviews.proxy_sheet", application_id=application.id,
                                expert_id=expert.id))
    return _sheet_page(application, expert, proxy=True, form=SheetForm())


@roles(Role.SECRETARIAT)
def reopen_sheet(application_id: int, expert_id: int):
    application, expert = expert_on_application(application_id, expert_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for reopening the sheet."), "danger")
    else:
        with committed() as done:
            scoring.reopen_sheet(application, expert.id, form.reason.data, user=current_user)
        if done:
            flash(_("The sheet is reopened."), "success")
    return redirect(url_for("reviews.proxy_sheet", application_id=application.id,
                            expert_id=expert.id))
