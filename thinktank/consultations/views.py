"""Pages of consultation sessions: list, month calendar, detail, forms and materials.

The secretariat manages sessions; admins read everything; officials read the
sessions that took place (held and later). Experts get their invitation pages
elsewhere."""

import calendar
import re
from datetime import date

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from thinktank.consultations import access, services
from thinktank.consultations.forms import (
    CancelForm,
    MaterialForm,
    SeriesForm,
    SessionFilterForm,
    SessionForm,
)
from thinktank.consultations.invitation_mail import EXPECTED_STATUSES
from thinktank.consultations.labels import (
    FREQUENCY_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    TOPIC_LABELS,
)
from thinktank.consultations.models import ConsultationSession, SessionMaterial
from thinktank.extensions import db
from thinktank.pagecache import cached_page
from thinktank.permissions import Role, roles, signed_in
from thinktank.stored_files import download
from thinktank.timeutil import today_in_display_zone
from thinktank.views import check_too, committed, on_fields

READERS = (Role.SECRETARIAT, Role.ADMIN, Role.OFFICIAL)
PER_PAGE = 25
MONTH = re.compile(r"(\d{4})-(\d{2})")


def labels():
    return {
        "kind_labels": KIND_LABELS,
        "topic_labels": TOPIC_LABELS,
        "status_labels": STATUS_LABELS,
        "frequency_labels": FREQUENCY_LABELS,
    }


@roles(*READERS)
def index():
    form = SessionFilterForm(request.args)
    form.validate()
    filters = services.SessionFilters(
        **{name: ("" if form[name].errors else form[name].data or "")
           for name in ("status", "kind", "topic")}
    )
    page = db.paginate(
        services.session_query(current_user, filters),
        per_page=PER_PAGE,
        error_out=False,
        max_per_page=100,
    )
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "consultations/list.html",
        form=form,
        page=page,
        args=args,
        can_manage=access.can_manage_sessions(current_user),
    )


def _month_from_request() -> date:
    """The first day of the month asked for (``?month=2026-12``), else this month."""
    found = MONTH.fullmatch(request.args.get("month", ""))
    if found and 1 <= int(found[2]) <= 12 and 1900 < int(found[1]) < 3000:
        return date(int(found[1]), int(found[2]), 1)
    return today_in_display_zone().replace(day=1)


@roles(*READERS)
def month_calendar():
    first = _month_from_request()
    previous = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return render_template(
        "consultations/calendar.html",
        first=first,
        weeks=calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month),
        days=services.sessions_by_day(current_user, first.year, first.month),
        previous=previous,
        following=following,
        today=today_in_display_zone(),
        can_manage=access.can_manage_sessions(current_user),
    )


def _readable_session(session_id: int) -> ConsultationSession:
    session = db.get_or_404(ConsultationSession, session_id)
    if not access.can_view_session(current_user, session):
        abort(403)
    return session


@roles(*READERS)
@cached_page
def detail(session_id: int):
    session = _readable_session(session_id)
    return render_template(
        "consultations/detail.html",
        consultation=session,
        can_manage=access.can_manage_sessions(current_user),
        editable=session.status in services.OPEN_STATUSES,
        material_form=MaterialForm(),
    )


def _valid_session_form(form: SessionForm, current: ConsultationSession | None = None) -> bool:
    """Whether the posted form is valid; if not, the session's rules are
    checked too once its times could be read, so that every error is shown
    (``current``: the session being edited)."""
    if form.validate_on_submit():
        return True
    if request.method == "POST" and all(
            form[name].data is not None and not form[name].errors
            for name in ("starts_at", "ends_at")):
        check_too(form, lambda: services.validate_session_data(form.to_data(), current))
    return False


@roles(Role.SECRETARIAT)
def create():
    form = SessionForm()
    if _valid_session_form(form):
        with committed(on_error=on_fields(form)) as done:
            session = services.create_session(form.to_data(), user=current_user)
        if done:
            flash(_("Session created as a draft."), "success")
            return redirect(url_for("consultations.detail", session_id=session.id))
    status = 400 if request.method == "POST" else 200
    return render_template("consultations/form.html", form=form, consultation=None), status


@roles(Role.SECRETARIAT)
def edit(session_id: int):
    session = db.get_or_404(ConsultationSession, session_id)
    if session.status not in services.OPEN_STATUSES:
        flash(_("Only a draft or scheduled session can be changed or cancelled."), "warning")
        return redirect(url_for("consultations.detail", session_id=session.id))
    form = SessionForm()
    if request.method == "GET":
        form.fill_from(session)
    elif _valid_session_form(form, session):
        with committed(on_error=on_fields(form)) as done:
            changes = services.update_session(session, form.to_data(), user=current_user)
        if done:
            flash(_("Saved.") if changes else _("Nothing was changed."), "success")
            return redirect(url_for("consultations.detail", session_id=session.id))
    status = 400 if request.method == "POST" else 200
    return render_template("consultations/form.html", form=form, consultation=session), status


@roles(Role.SECRETARIAT)
def cancel(session_id: int):
    """The confirmation page of a cancellation, with its reason (GET), and the
    cancellation (POST; 400 without the page's confirmation field or a reason)."""
    session = db.get_or_404(ConsultationSession, session_id)
    form = CancelForm()
    if form.validate_on_submit():
        with committed() as done:
            services.cancel_session(session, form.reason.data, user=current_user)
        if done:
            flash(_("The session was cancelled."), "success")
            return redirect(url_for("consultations.detail", session_id=session.id))
    if request.method == "POST" and "confirmed" not in request.form:
        abort(400)
    invited = sum(1 for invitation in session.invitations
                  if invitation.status in EXPECTED_STATUSES)
    return render_template(
        "consultations/confirm_cancel.html", consultation=session, form=form,
        heading=f"{_('Cancel the session')} · {session.title}",
        locked=_("The session: it can no longer be changed, and nobody can be invited, "
                 "answer or upload materials."),
        notified=_("The %(n)d invited experts who have not declined get a cancellation notice "
                   "(if the session has not started); pending reminders are dropped.",
                   n=invited),
        irreversible=_("A cancelled session cannot be restored: a new session must be "
                       "created."),
        action=url_for("consultations.cancel", session_id=session.id),
        confirm_label=_("Cancel the session"),
        cancel_url=url_for("consultations.detail", session_id=session.id),
    ), 400 if request.method == "POST" else 200


@roles(Role.SECRETARIAT)
def create_series():
    form = SeriesForm()
    if _valid_session_form(form):
        with committed(on_error=on_fields(form)) as done:
            _series, sessions = services.create_series(
                form.to_data(), form.to_recurrence(), user=current_user
            )
        if done:
            flash(_("%(n)d sessions created as drafts.", n=len(sessions)), "success")
            return redirect(url_for("consultations.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("consultations/series_form.html", form=form), status


@roles(Role.SECRETARIAT)
def upload_material(session_id: int):
    session = db.get_or_404(ConsultationSession, session_id)
    form = MaterialForm()
    if not form.validate_on_submit():
        flash(_("Choose a file to upload."), "danger")
        return redirect(url_for("consultations.detail", session_id=session.id))
    upload = form.file.data
    # One byte past the limit is enough to refuse a file that is too large.
    data = upload.read(SessionMaterial.max_bytes + 1)
    with committed() as done:
        material = services.add_material(session, upload.filename or "", data, user=current_user)
    if done:
        flash(_("Material %(name)s uploaded.", name=material.original_name), "success")
    return redirect(url_for("consultations.detail", session_id=session.id))


@signed_in  # object rule: can_download_material (readers and invited experts)
def download_material(material_id: int):
    material = db.get_or_404(SessionMaterial, material_id)
    if not access.can_download_material(current_user, material.session):
        abort(403)
    return download(material)
