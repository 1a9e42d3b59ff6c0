"""Pages of review rounds: list, detail, round and application forms, status
changes, groups, attachments, avoidance requests and the Excel import.

The secretariat manages rounds, admins read them, officials read published
rounds only; experts have no page here yet (the panel feature adds theirs).
"""

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from thinktank import imports
from thinktank.errors import DomainError
from thinktank.experts.transfer_views import ConfirmImportForm, ImportForm
from thinktank.extensions import db
from thinktank.forms import ConfirmForm
from thinktank.permissions import Role, roles
from thinktank.reviews import access, applications, group_opinion, rounds
from thinktank.reviews.forms import (
    CATEGORY_SUGGESTIONS,
    ApplicationForm,
    AttachmentForm,
    AvoidanceForm,
    GroupForm,
    RoundForm,
    StatusConfirmForm,
)
from thinktank.reviews.importer import COLUMNS
from thinktank.reviews.labels import (
    AGGREGATION_LABELS,
    STATUS_LABELS,
    TRANSITION_CONSEQUENCES,
    TRANSITION_LABELS,
)
from thinktank.reviews.models import (
    Application,
    ApplicationAttachment,
    ReviewRound,
    RoundStatus,
)
from thinktank.stored_files import download
from thinktank.views import check_too, committed, on_fields

READERS = (Role.SECRETARIAT, Role.ADMIN, Role.OFFICIAL)
APPLICATIONS_PER_PAGE = 50
PENDING_IMPORT = "application_import"  # session key: {"token", "filename", "round_id"}


def _form_status() -> int:
    return 400 if request.method == "POST" else 200


# --- rounds --------------------------------------------------------------------------


@roles(*READERS)
def index():
    listed = db.session.scalars(rounds.round_query_for(current_user)).all()
    return render_template("reviews/list.html", rounds=listed,
                           status_labels=STATUS_LABELS)


def _round_for_reader(round_id: int) -> ReviewRound:
    review_round = db.get_or_404(ReviewRound, round_id)
    if not access.can_view_round(current_user, review_round):
        abort(403)
    return review_round


@roles(*READERS)
def round_detail(round_id: int):
    review_round = _round_for_reader(round_id)
    page = db.paginate(applications.application_query(review_round),
                       per_page=APPLICATIONS_PER_PAGE, error_out=False, max_per_page=200)
    current = RoundStatus(review_round.status)
    return render_template(
        "reviews/detail.html",
        review_round=review_round,
        page=page,
        attachment_counts=applications.attachment_counts(page.items),
        groups=applications.group_counts(review_round),
        status_labels=STATUS_LABELS,
        aggregation_labels=AGGREGATION_LABELS,
        transitions=[(target, TRANSITION_LABELS[(current, target)])
                     for target in rounds.TRANSITIONS[current]],
        can_manage=current_user.has_role(Role.SECRETARIAT),
        can_open_applications=current_user.has_role(Role.SECRETARIAT, Role.ADMIN),
        draft=current == RoundStatus.DRAFT,
        group_form=GroupForm(),
    )


def _round_page(form: RoundForm, review_round: ReviewRound | None) -> str:
    return render_template("reviews/round_form.html", form=form, review_round=review_round,
                           category_suggestions=CATEGORY_SUGGESTIONS)


@roles(Role.SECRETARIAT)
def round_create():
    form = RoundForm()
    if _valid_round_form(form):
        with committed(on_error=on_fields(form)) as done:
            review_round = rounds.create_round(form.to_data(), form.criteria_data)
        if done:
            flash(_("Round %(name)s created.", name=review_round.name), "success")
            return redirect(url_for("reviews.round_detail", round_id=review_round.id))
    return _round_page(form, None), _form_status()


def _valid_round_form(form: RoundForm, criteria: list | None = None) -> bool:
    """Whether the posted form is valid; if not, the round's rules are checked
    too on the values that could be read, so that every error is shown."""
    if form.validate_on_submit():
        return True
    if request.method == "POST" and all(
            form[name].data is not None and not form[name].errors
            for name in ("full_mark", "panel_size", "outlier_threshold")):
        if criteria is None and not form.criteria.errors:
            criteria = form.criteria_data
        check_too(form, lambda: rounds.check_round(form.to_data(), criteria))
    return False


@roles(Role.SECRETARIAT)
def round_edit(round_id: int):
    review_round = db.get_or_404(ReviewRound, round_id)
    if review_round.status in rounds.LOCKED_STATUSES:
        flash(_("The results of this round are locked: it cannot be edited."), "warning")
        return redirect(url_for("reviews.round_detail", round_id=review_round.id))
    current_criteria = rounds.current_criteria(review_round)
    form = RoundForm()
    form.locked = review_round.status != RoundStatus.DRAFT
    if request.method == "GET":
        form.fill_from(review_round, current_criteria)
    elif form.locked:
        # Once scoring has started the criteria and the full mark are shown
        # disabled, so the browser does not send them: they stay as they are.
        form.full_mark.data = review_round.full_mark
        form.show_criteria(current_criteria)
    if _valid_round_form(form, current_criteria if form.locked else None):
        criteria = current_criteria if form.locked else form.criteria_data
        with committed(on_error=on_fields(form)) as done:
            changes = rounds.update_round(review_round, form.to_data(), criteria)
        if done:
            flash(_("Saved.") if changes else _("Nothing was changed."), "success")
            return redirect(url_for("reviews.round_detail", round_id=review_round.id))
    return _round_page(form, review_round), _form_status()


@roles(Role.SECRETARIAT)
def change_status(round_id: int, target: str):
    """The confirmation page of a status change (GET) and the change (POST,
    refused with 400 without the page's confirmation field)."""
    review_round = db.get_or_404(ReviewRound, round_id)
    if target not in {status.value for status in RoundStatus}:
        abort(404)
    current, target = RoundStatus(review_round.status), RoundStatus(target)
    if target not in rounds.TRANSITIONS[current]:
        flash(_("A round in status %(current)s cannot move to %(target)s.",
                current=STATUS_LABELS[current], target=STATUS_LABELS[target]), "danger")
        return redirect(url_for("reviews.round_detail", round_id=review_round.id))
    form = StatusConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        with committed() as done:
            rounds.change_status(review_round, target, reason=form.reason.data)
        if done:
            flash(_("The round is now: %(status)s", status=STATUS_LABELS[target]), "success")
            return redirect(url_for("reviews.round_detail", round_id=review_round.id))
    locked, notified, irreversible = TRANSITION_CONSEQUENCES[(current, target)]
    return render_template(
        "reviews/confirm_status.html", review_round=review_round, form=form,
        heading=f"{TRANSITION_LABELS[(current, target)]} · {review_round.name}",
        locked=locked, notified=notified, irreversible=irreversible,
        action=url_for("reviews.change_status", round_id=review_round.id, target=target.value),
        confirm_label=TRANSITION_LABELS[(current, target)],
        cancel_url=url_for("reviews.round_detail", round_id=review_round.id),
        incomplete=(group_opinion.incomplete_opinions(review_round)
                    if target == RoundStatus.FINALIZED else []),
    ), _form_status()


@roles(Role.SECRETARIAT)
def add_group(round_id: int):
    review_round = db.get_or_404(ReviewRound, round_id)
    form = GroupForm()
    if form.validate_on_submit():
        with committed() as done:
            applications.add_group(review_round, form.name.data)
        if done:
            flash(_("Group added."), "success")
    else:
        flash(_("Enter a group name of at most 50 characters."), "danger")
    return redirect(url_for("reviews.round_detail", round_id=review_round.id))


# --- applications ----------------------------------------------------------------------


def _draft_round_or_redirect(review_round: ReviewRound):
    """A redirect to the round when its applications can no longer change, else ``None``."""
    if review_round.status == RoundStatus.DRAFT:
        return None
    flash(_("Applications and groups can change only while the round is a draft."), "warning")
    return redirect(url_for("reviews.round_detail", round_id=review_round.id))


def _application_form(review_round: ReviewRound, application: Application | None
                      ) -> ApplicationForm:
    form = ApplicationForm(obj=application)
    form.set_groups([group.name for group in review_round.groups])
    if application is not None and request.method == "GET":
        form.group_name.data = application.group.name if application.group else ""
    return form


def _application_page(form: ApplicationForm, review_round: ReviewRound,
                      application: Application | None) -> str:
    return render_template("reviews/application_form.html", form=form,
                           review_round=review_round, application=application)


@roles(Role.SECRETARIAT)
def application_create(round_id: int):
    review_round = db.get_or_404(ReviewRound, round_id)
    refused = _draft_round_or_redirect(review_round)
    if refused:
        return refused
    form = _application_form(review_round, None)
    if form.validate_on_submit():
        with committed() as done:
            application = applications.create_application(review_round, form.to_data())
        if done:
            flash(_("Application %(number)s added.", number=application.number), "success")
            return redirect(url_for("reviews.application_detail",
                                    application_id=application.id))
    return _application_page(form, review_round, None), _form_status()


def _application_for_reader(application_id: int) -> Application:
    application = db.get_or_404(Application, application_id)
    if not access.can_view_application(current_user, application):
        abort(403)
    return application


@roles(Role.SECRETARIAT, Role.ADMIN)
def application_detail(application_id: int):
    application = _application_for_reader(application_id)
    return render_template(
        "reviews/application_detail.html",
        application=application,
        review_round=application.round,
        can_manage=(current_user.has_role(Role.SECRETARIAT)
                    and application.round.status == RoundStatus.DRAFT),
        attachment_form=AttachmentForm(),
        avoidance_form=AvoidanceForm(),
        max_attachment_mb=ApplicationAttachment.max_bytes // (1024 * 1024),
    )


@roles(Role.SECRETARIAT)
def application_edit(application_id: int):
    application = db.get_or_404(Application, application_id)
    review_round = application.round
    refused = _draft_round_or_redirect(review_round)
    if refused:
        return refused
    form = _application_form(review_round, application)
    if form.validate_on_submit():
        with committed() as done:
            changes = applications.update_application(application, form.to_data())
        if done:
            flash(_("Saved.") if changes else _("Nothing was changed."), "success")
            return redirect(url_for("reviews.application_detail",
                                    application_id=application.id))
    return _application_page(form, review_round, application), _form_status()


@roles(Role.SECRETARIAT)
def upload_attachment(application_id: int):
    application = db.get_or_404(Application, application_id)
    back = redirect(url_for("reviews.application_detail", application_id=application.id))
    form = AttachmentForm()
    if not form.validate_on_submit():
        for message in form.file.errors:
            flash(message, "danger")
        return back
    upload = form.file.data
    # Reading one byte past the limit is enough to refuse a file that is too large.
    data = upload.read(ApplicationAttachment.max_bytes + 1)
    with committed() as done:
        attachment = applications.add_attachment(application, imports.client_filename(
            upload.filename), data, user=current_user)
    if done:
        flash(_("Attachment %(name)s uploaded.", name=attachment.original_name), "success")
    return back


@roles(Role.SECRETARIAT, Role.ADMIN, Role.EXPERT)
def download_attachment(attachment_id: int):
    attachment = db.get_or_404(ApplicationAttachment, attachment_id)
    if not access.can_view_application(current_user, attachment.application):
        abort(403)
    return download(attachment)


@roles(Role.SECRETARIAT)
def add_avoidance(application_id: int):
    application = db.get_or_404(Application, application_id)
    form = AvoidanceForm()
    if form.validate_on_submit():
        with committed() as done:
            applications.add_avoidance_request(application, form.expert_name.data,
                                               form.expert_code.data, form.reason.data)
        if done:
            flash(_("Avoidance request recorded."), "success")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
    return redirect(url_for("reviews.application_detail", application_id=application.id))


@roles(Role.SECRETARIAT)
def remove_avoidance(application_id: int, request_id: int):
    application = db.get_or_404(Application, application_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with committed() as done:
        applications.remove_avoidance_request(application, request_id)
    if done:
        flash(_("Avoidance request removed."), "success")
    return redirect(url_for("reviews.application_detail", application_id=application.id))


# --- Excel import ---------------------------------------------------------------------


@roles(Role.SECRETARIAT)
def import_upload(round_id: int):
    review_round = db.get_or_404(ReviewRound, round_id)
    refused = _draft_round_or_redirect(review_round)
    if refused:
        return refused
    form = ImportForm()
    if not form.validate_on_submit():
        return _upload_page(form, review_round), _form_status()
    upload = form.file.data
    # Reading one byte past the limit is enough to refuse a file that is too large.
    data = upload.read(current_app.config["EXPERT_IMPORT_MAX_BYTES"] + 1)
    filename = imports.client_filename(upload.filename)
    try:
        report = applications.import_applications(review_round, data, filename, dry_run=True)
    except DomainError as error:
        form.file.errors.append(error.message)
        return _upload_page(form, review_round), 400
    if not report.ok:
        return _preview_page(report, review_round, None), 422
    _forget_pending_import()
    token = imports.stash_upload(data)
    session[PENDING_IMPORT] = {"token": token, "filename": filename, "round_id": round_id}
    return _preview_page(report, review_round, ConfirmImportForm(token=token))


@roles(Role.SECRETARIAT)
def import_confirm(round_id: int):
    review_round = db.get_or_404(ReviewRound, round_id)
    form = ConfirmImportForm()
    pending = session.get(PENDING_IMPORT) or {}
    data = None
    # Only the preview last shown in this session, for this round, can be confirmed, once.
    if (form.validate_on_submit() and pending.get("token") == form.token.data
            and pending.get("round_id") == round_id):
        session.pop(PENDING_IMPORT)
        data = imports.claim_upload(form.token.data)
    if data is None:
        flash(_("This import was already confirmed or has expired. "
                "Please upload the file again."), "warning")
        return redirect(url_for("reviews.import_upload", round_id=round_id))
    with committed() as done:  # a report with problems has written nothing
        report = applications.import_applications(review_round, data, pending["filename"],
                                                  dry_run=False)
    if not done:
        return redirect(url_for("reviews.round_detail", round_id=round_id))
    if not report.ok:
        return _preview_page(report, review_round, None), 422
    flash(_("Import done: %(created)d applications added, %(groups)d groups created.",
            created=report.created, groups=len(report.new_groups)), "success")
    return redirect(url_for("reviews.round_detail", round_id=round_id))


def _forget_pending_import() -> None:
    """A new upload replaces the one waiting for confirmation in this session."""
    pending = session.pop(PENDING_IMPORT, None)
    if pending:
        imports.discard_upload(pending["token"])


def _upload_page(form: ImportForm, review_round: ReviewRound) -> str:
    return render_template("reviews/import.html", form=form, review_round=review_round,
                           columns=COLUMNS)


def _preview_page(report: applications.ApplicationImportReport, review_round: ReviewRound,
                  confirm_form: ConfirmImportForm | None) -> str:
    return render_template("reviews/import_preview.html", report=report,
                           review_round=review_round, confirm_form=confirm_form,
                           describe=imports.describe)
