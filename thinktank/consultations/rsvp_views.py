"""Pages for a session's participants and invitations, on the consultations
blueprint: the secretariat's participants page (by hand, by filter, by draw,
removing, promoting, scheduling, reminders), the experts' own invitations,
and the public RSVP link."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from thinktank.consultations import access, invitation_mail
from thinktank.consultations import participants as panel
from thinktank.consultations import rsvp as answers
from thinktank.consultations.labels import (
    INVITATION_STATUS_LABELS,
    SOURCE_LABELS,
)
from thinktank.consultations.models import ConsultationSession, Invitation, SessionStatus
from thinktank.draws.services import draws_for
from thinktank.errors import DomainError
from thinktank.experts.models import ExpertiseField
from thinktank.experts.services import find_experts
from thinktank.extensions import db
from thinktank.forms import ConfirmForm, IntegerField, MultiCheckboxField
from thinktank.notifications.labels import KIND_LABELS as MAIL_KIND_LABELS
from thinktank.notifications.labels import STATUS_LABELS as OUTBOX_STATUS_LABELS
from thinktank.permissions import Role, public, roles
from thinktank.views import committed
from thinktank.vocabulary import CATEGORIES, CITIES


def invitation_helpers():
    return {
        "invitation_status_labels": INVITATION_STATUS_LABELS,
        "mail_kind_labels": MAIL_KIND_LABELS,
        "source_labels": SOURCE_LABELS,
        "invitation_mail_states": invitation_mail.mail_states,
        "invitation_participants": panel.participants,
        "outbox_status_labels": OUTBOX_STATUS_LABELS,
    }


# Forms


class AddByHandForm(FlaskForm):
    experts = StringField(_l("Expert codes or names"),
                          validators=[DataRequired(), Length(max=2000)],
                          description=_l("Separate several with commas."))


class FilterForm(FlaskForm):
    field_ids = MultiCheckboxField(_l("Expertise fields"), coerce=int)
    cities = MultiCheckboxField(_l("Cities"), choices=[(c, c) for c in CITIES])
    categories = MultiCheckboxField(_l("Organisation categories"),
                                    choices=[(c, c) for c in CATEGORIES])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_ids.choices = [
            (field.id, field.name) for field in db.session.scalars(
                select(ExpertiseField).where(ExpertiseField.active)
                .order_by(ExpertiseField.position, ExpertiseField.id))
        ]

    def filters(self) -> dict:
        return {"field_ids": self.field_ids.data or [], "cities": self.cities.data or [],
                "categories": self.categories.data or []}


class DrawForm(FilterForm):
    panel_size = IntegerField(_l("Panel size"), default=5,
                              validators=[InputRequired(), NumberRange(min=1, max=50)])
    backups = IntegerField(_l("Backups"), default=2,
                           validators=[InputRequired(), NumberRange(min=0, max=20)])
    org_cap = IntegerField(_l("At most per organisation"), default=1,
                           validators=[InputRequired(), NumberRange(min=1, max=10)])
    leave_out_flagged = BooleanField(_l("Leave out experts flagged by their evaluation"))


class ReminderForm(FlaskForm):
    hours = StringField(_l("Meeting reminders (hours before the start)"),
                        validators=[Optional(), Length(max=50)],
                        description=_l("For example 72, 2; leave empty for none."))


class AnswerForm(FlaskForm):
    reason = TextAreaField(_l("Reason for declining"), validators=[Optional(), Length(max=500)])
    accept = SubmitField(_l("Accept"))
    decline = SubmitField(_l("Decline"))


# The secretariat's participants page


def _session(session_id: int) -> ConsultationSession:
    return db.get_or_404(ConsultationSession, session_id)


def _participants_page(session: ConsultationSession, status: int = 200, **forms):
    reminder_form = forms.pop("reminder_form", None) or ReminderForm(
        hours=invitation_mail.reminder_hours_text(session))
    return render_template(
        "consultations/participants.html",
        consultation=session,
        draws=draws_for("session", session.id),
        replaceable=panel.replaceable(session),
        open_for_changes=session.status in (SessionStatus.DRAFT, SessionStatus.SCHEDULED),
        hand_form=forms.get("hand_form") or AddByHandForm(),
        filter_form=forms.get("filter_form") or FilterForm(prefix="filter"),
        draw_form=forms.get("draw_form") or DrawForm(prefix="draw"),
        reminder_form=reminder_form,
        confirm_form=ConfirmForm(),
    ), status


def _back(session: ConsultationSession, success: str):
    flash(success, "success")
    return redirect(url_for("consultations.participants", session_id=session.id))


@roles(Role.SECRETARIAT)
def participants(session_id: int):
    return _participants_page(_session(session_id))


@roles(Role.SECRETARIAT)
def add_participants(session_id: int):
    session = _session(session_id)
    form = AddByHandForm()
    if not form.validate_on_submit():
        return _participants_page(session, 400, hand_form=form)
    with committed() as done:
        added = panel.add_participants(
            session, find_experts(form.experts.data), "manual", user=current_user)
    if not done:
        return _participants_page(session, 400, hand_form=form)
    return _back(session, _("%(n)d experts added.", n=len(added)))


@roles(Role.SECRETARIAT)
def add_by_filter(session_id: int):
    session = _session(session_id)
    form = FilterForm(prefix="filter")
    if not form.validate_on_submit():
        return _participants_page(session, 400, filter_form=form)
    with committed() as done:
        added = panel.add_participants(
            session, panel.filter_candidates(session, **form.filters()), "filter",
            user=current_user)
    if not done:
        return _participants_page(session, 400, filter_form=form)
    return _back(session, _("%(n)d experts added.", n=len(added)))


@roles(Role.SECRETARIAT)
def draw_participants(session_id: int):
    session = _session(session_id)
    form = DrawForm(prefix="draw")
    if not form.validate_on_submit():
        return _participants_page(session, 400, draw_form=form)
    with committed() as done:
        draw = panel.draw_participants(
            session, form.panel_size.data, form.backups.data, form.org_cap.data,
            leave_out_flagged=form.leave_out_flagged.data, user=current_user,
            **form.filters())
    if not done:
        return _participants_page(session, 400, draw_form=form)
    return _back(session, _("Drawn %(n)d experts and %(b)d backups.",
                            n=len(draw.drawn), b=len(draw.backups)))


def _invitation(invitation_id: int) -> Invitation:
    return db.get_or_404(Invitation, invitation_id)


@roles(Role.SECRETARIAT)
def remove_participant(invitation_id: int):
    invitation = _invitation(invitation_id)
    session, name = invitation.session, invitation.expert.name
    with committed() as done:
        panel.remove_participant(invitation, user=current_user)
    if not done:
        return _participants_page(session, 400)
    return _back(session, _("%(name)s was removed.", name=name))


@roles(Role.SECRETARIAT)
def promote_backup(invitation_id: int):
    invitation = _invitation(invitation_id)
    session = invitation.session
    with committed() as done:
        backup = panel.promote_backup(invitation, user=current_user)
    if not done:
        return _participants_page(session, 400)
    return _back(session, _("%(name)s takes the place.", name=backup.expert.name)
                 if backup is not None else _("No backup is left."))


@roles(Role.SECRETARIAT)
def schedule(session_id: int):
    session = _session(session_id)
    with committed() as done:
        members = panel.schedule_session(session, user=current_user)
    if not done:
        return _participants_page(session, 400)
    return _back(session, _("Invitations to %(n)d experts are being sent.", n=len(members)))


@roles(Role.SECRETARIAT)
def set_reminders(session_id: int):
    session = _session(session_id)
    form = ReminderForm()
    if not form.validate_on_submit():
        return _participants_page(session, 400, reminder_form=form)
    with committed() as done:
        panel.set_reminder_hours(session, form.hours.data or "", user=current_user)
    if not done:
        return _participants_page(session, 400, reminder_form=form)
    return _back(session, _("Saved."))


# Experts' own invitations


@roles(Role.EXPERT)
def my_invitations():
    items = answers.invitations_of(current_user.expert_id) if current_user.expert_id else []
    return render_template("consultations/my_invitations.html", invitations=items)


def _own_invitation(invitation_id: int) -> Invitation:
    try:
        return answers.own_invitation(invitation_id, current_user)
    except DomainError as error:
        abort(error.status_code)


def _answer(invitation: Invitation, form: AnswerForm, via: str, template: str, **page):
    """Show the invitation with its answer form, or record a posted answer."""
    status = 200
    if request.method == "POST":
        if form.validate_on_submit() and (form.accept.data or form.decline.data):
            with committed(on_error=None) as done:
                answers.respond(invitation, accept=bool(form.accept.data),
                                reason=form.reason.data or "",
                                user=current_user if via == "app" else None, via=via)
            if done:
                flash(_("Thank you; your answer was recorded."), "success")
                return redirect(request.path)
            form.reason.errors.append(done.error.message)
            status = 400
        else:
            status = 400
    return render_template(
        template, invitation=invitation, consultation=invitation.session, form=form,
        can_answer=access.can_answer_invitation(invitation),
        deadline=access.answer_deadline(invitation.session), **page,
    ), status


@roles(Role.EXPERT)
def invitation(invitation_id: int):
    found = _own_invitation(invitation_id)
    return _answer(found, AnswerForm(), "app", "consultations/rsvp.html", in_app=True)


@public  # the signed link is the credential; the expert need not sign in
def rsvp(token: str):
    try:
        found = invitation_mail.invitation_from_token(
            token, current_user if current_user.is_authenticated else None)
    except invitation_mail.RsvpLinkError as error:
        return render_template("consultations/rsvp_invalid.html", error=error,
                               reason=error.reason), error.status_code
    return _answer(found, AnswerForm(), "link", "consultations/rsvp.html", in_app=False)
