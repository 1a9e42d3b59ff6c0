"""Pages after the meeting, on the consultations blueprint: attendance,
minutes and their history, the experts' opinions and the consolidated opinion.

The secretariat records; admins read like the secretariat; officials read
sessions that took place; an expert writes only their own opinion on a
session they attended."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange
from wtforms.widgets import HiddenInput

from thinktank.consultations import access, proceedings
from thinktank.consultations.labels import ATTENDANCE_LABELS
from thinktank.consultations.models import ConsultationSession
from thinktank.errors import Forbidden
from thinktank.extensions import db
from thinktank.forms import ConfirmForm, IntegerField
from thinktank.permissions import Role, roles
from thinktank.timeutil import utcnow
from thinktank.views import committed

MAX_TEXT = 50_000


class MinutesForm(FlaskForm):
    text = TextAreaField(_l("Minutes"), validators=[InputRequired(), Length(max=MAX_TEXT)])
    # The revision the editor started from: the stale-edit check compares it.
    based_on = IntegerField(widget=HiddenInput(), validators=[NumberRange(min=0)])

    def rebase(self, number: int) -> None:
        """Base the editor's text on revision ``number`` (shown instead of the posted one)."""
        self.based_on.raw_data = None
        self.based_on.data = number


class OpinionForm(FlaskForm):
    text = TextAreaField(_l("Your opinion"), validators=[InputRequired(), Length(max=MAX_TEXT)])


class ConsolidatedForm(FlaskForm):
    text = TextAreaField(_l("Consolidated opinion"),
                         validators=[InputRequired(), Length(max=MAX_TEXT)])


def proceedings_labels():
    return {"attendance_labels": ATTENDANCE_LABELS}


def _readable(session_id: int) -> ConsultationSession:
    session = db.get_or_404(ConsultationSession, session_id)
    if not access.can_view_proceedings(current_user, session):
        abort(403)
    return session


# Attendance


@roles(Role.SECRETARIAT, Role.ADMIN)
def attendance(session_id: int):
    session = _readable(session_id)
    return _attendance_page(session)


def _attendance_page(session: ConsultationSession, status: int = 200):
    return render_template(
        "consultations/attendance.html",
        consultation=session,
        invitations=proceedings.attendable_invitations(session),
        can_record=access.can_manage_proceedings(current_user)
        and proceedings.attendance_open(session),
        not_started=utcnow() < session.starts_at,
    ), status


@roles(Role.SECRETARIAT)
def record_attendance(session_id: int):
    session = db.get_or_404(ConsultationSession, session_id)
    marks = {}
    for name, value in request.form.items():
        if name.startswith("attendance-") and value:
            key = name.removeprefix("attendance-")
            if not key.isdecimal():
                abort(400)
            marks[int(key)] = value
    with committed() as done:
        proceedings.record_attendance(session, marks, user=current_user)
    if done:
        flash(_("Attendance saved."), "success")
        return redirect(url_for("consultations.minutes", session_id=session.id))
    return _attendance_page(session, 400)


# Minutes


@roles(Role.SECRETARIAT, Role.ADMIN, Role.OFFICIAL)
def minutes(session_id: int):
    session = _readable(session_id)
    latest = proceedings.current_revision(proceedings.minutes_of(session))
    form = MinutesForm(text=latest.text if latest else "", based_on=latest.number if latest else 0)
    return _minutes_page(session, form, latest)


def _minutes_page(session, form, latest, conflict=None, status: int = 200):
    return render_template(
        "consultations/minutes.html",
        consultation=session,
        form=form,
        latest=latest,
        conflict=conflict,
        can_edit=access.can_manage_proceedings(current_user)
        and session.status in proceedings.RECORDING_STATUSES,
    ), status


@roles(Role.SECRETARIAT)
def save_minutes(session_id: int):
    session = db.get_or_404(ConsultationSession, session_id)
    form = MinutesForm()
    if not form.validate_on_submit():
        latest = proceedings.current_revision(proceedings.minutes_of(session))
        return _minutes_page(session, form, latest, status=400)
    with committed(on_error=None) as done:
        revision = proceedings.save_minutes(session, form.text.data, form.based_on.data,
                                            current_user)
    error = done.error
    if isinstance(error, proceedings.StaleMinutesError):
        # Keep the editor's text; base it on the newer revision shown beside it,
        # so that saving again is a deliberate choice, never a silent overwrite.
        form.rebase(error.latest.number)
        return _minutes_page(session, form, error.latest, conflict=error.message, status=409)
    if error:
        flash(error.message, "danger")
        latest = proceedings.current_revision(proceedings.minutes_of(session))
        return _minutes_page(session, form, latest, status=400)
    if revision is None:
        flash(_("Nothing was changed."), "info")
    else:
        flash(_("Minutes saved as revision %(n)d.", n=revision.number), "success")
    return redirect(url_for("consultations.minutes", session_id=session.id))


@roles(Role.SECRETARIAT, Role.ADMIN, Role.OFFICIAL)
def minutes_history(session_id: int):
    session = _readable(session_id)
    record = proceedings.minutes_of(session)
    return render_template(
        "consultations/minutes_history.html",
        consultation=session,
        revisions=record.revisions if record is not None else [],
    )


# Opinions


@roles(Role.SECRETARIAT, Role.ADMIN, Role.OFFICIAL)
def consolidated(session_id: int):
    session = _readable(session_id)
    return _consolidated_page(session, ConsolidatedForm())


def _consolidated_page(session, form, status: int = 200):
    return render_template(
        "consultations/consolidated.html",
        consultation=session,
        opinions=proceedings.opinions(session),
        missing=proceedings.missing_opinions(session),
        consolidated=proceedings.consolidated_of(session),
        opinion_open=proceedings.opinion_open(session),
        can_manage=access.can_manage_proceedings(current_user),
        form=form,
        confirm_form=ConfirmForm(),
    ), status


@roles(Role.SECRETARIAT)
def collect_opinions(session_id: int):
    session = db.get_or_404(ConsultationSession, session_id)
    with committed() as done:
        proceedings.collect_opinions(session, user=current_user)
    if done:
        flash(_("The opinions are collected; experts can no longer change them."), "success")
    return redirect(url_for("consultations.consolidated", session_id=session.id))


@roles(Role.SECRETARIAT)
def issue_opinion(session_id: int):
    session = db.get_or_404(ConsultationSession, session_id)
    form = ConsolidatedForm()
    if not form.validate_on_submit():
        return _consolidated_page(session, form, 400)
    with committed() as done:
        proceedings.issue_consolidated_opinion(session, form.text.data, current_user)
    if not done:
        return _consolidated_page(session, form, 400)
    flash(_("The consolidated opinion is issued; the session is now frozen."), "success")
    return redirect(url_for("consultations.consolidated", session_id=session.id))


@roles(Role.EXPERT)
def my_opinion(session_id: int):
    session = db.get_or_404(ConsultationSession, session_id)
    opinion = _own_opinion(session)
    return _opinion_page(session, OpinionForm(text=opinion.text if opinion else ""), opinion)


def _own_opinion(session: ConsultationSession):
    """The signed-in expert's opinion; 403 unless they attended ``session``."""
    try:
        proceedings.attended_invitation(session, current_user.expert_id)
    except Forbidden:
        abort(403)
    return proceedings.opinion_of(session, current_user.expert_id)


def _opinion_page(session, form, opinion, status: int = 200):
    return render_template(
        "consultations/opinion.html",
        consultation=session,
        form=form,
        opinion=opinion,
        opinion_open=proceedings.opinion_open(session),
    ), status


@roles(Role.EXPERT)
def submit_opinion(session_id: int):
    session = db.get_or_404(ConsultationSession, session_id)
    opinion = _own_opinion(session)
    form = OpinionForm()
    if not form.validate_on_submit():
        return _opinion_page(session, form, opinion, 400)
    with committed() as done:
        proceedings.submit_opinion(session, current_user.expert_id, form.text.data,
                                   user=current_user)
    if not done:
        return _opinion_page(session, form, opinion, 400)
    flash(_("Your opinion is saved. You can change it until the deadline."), "success")
    return redirect(url_for("consultations.my_opinion", session_id=session.id))
