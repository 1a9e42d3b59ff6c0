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
    MAIL_KIND_LABELS,
    SOURCE_LABELS,
)
from thinktank.consultations.models import ConsultationSession, Invitation, SessionStatus
from thinktank.consultations.views import blueprint
from thinktank.draws.services import draws_for
from thinktank.errors import DomainError
from thinktank.experts.models import ExpertiseField
from thinktank.experts.services import find_experts
from thinktank.extensions import db
from thinktank.forms import ConfirmForm, IntegerField, MultiCheckboxField
from thinktank.notifications.labels import STATUS_LABELS as OUTBOX_STATUS_LABELS
from thinktank.permissions import Role, public, roles
from thinktank.vocabulary import CATEGORIES, CITIES


@blueprint.context_processor
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


def _act(session: ConsultationSession, action, success: str, **forms):
    """Run a service ``action``; commit and go back to the page, or show the
    page again with the error."""
    try:
        result = action()
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _participants_page(db.session.get(ConsultationSession, session.id), 400, **forms)
    flash(success(result) if callable(success) else success, "success")
    return redirect(url_for("consultations.participants", session_id=session.id))


@blueprint.route("/<int:session_id>/participants")
@roles(Role.SECRETARIAT)
def participants(session_id: int):
    return _participants_page(_session(session_id))


@blueprint.route("/<int:session_id>/participants/add", methods=["POST"])
@roles(Role.SECRETARIAT)
def add_participants(session_id: int):
    session = _session(session_id)
    form = AddByHandForm()
    if not form.validate_on_submit():
        return _participants_page(session, 400, hand_form=form)
    return _act(
        session,
        lambda: panel.add_participants(
            session, find_experts(form.experts.data), "manual", user=current_user),
        lambda added: _("%(n)d experts added.", n=len(added)),
        hand_form=form,
    )


@blueprint.route("/<int:session_id>/participants/filter", methods=["POST"])
@roles(Role.SECRETARIAT)
def add_by_filter(session_id: int):
    session = _session(session_id)
    form = FilterForm(prefix="filter")
    if not form.validate_on_submit():
        return _participants_page(session, 400, filter_form=form)
    return _act(
        session,
        lambda: panel.add_participants(
            session, panel.filter_candidates(session, **form.filters()), "filter",
            user=current_user),
        lambda added: _("%(n)d experts added.", n=len(added)),
        filter_form=form,
    )


@blueprint.route("/<int:session_id>/participants/draw", methods=["POST"])
@roles(Role.SECRETARIAT)
def draw_participants(session_id: int):
    session = _session(session_id)
    form = DrawForm(prefix="draw")
    if not form.validate_on_submit():
        return _participants_page(session, 400, draw_form=form)
    return _act(
        session,
        lambda: panel.draw_participants(
            session, form.panel_size.data, form.backups.data, form.org_cap.data,
            leave_out_flagged=form.leave_out_flagged.data, user=current_user,
            **form.filters()),
        lambda draw: _("Drawn %(n)d experts and %(b)d backups.",
                       n=len(draw.drawn), b=len(draw.backups)),
        draw_form=form,
    )


def _invitation(invitation_id: int) -> Invitation:
    return db.get_or_404(Invitation, invitation_id)


@blueprint.route("/invitations/<int:invitation_id>/remove", methods=["POST"])
@roles(Role.SECRETARIAT)
def remove_participant(invitation_id: int):
    invitation = _invitation(invitation_id)
    name = invitation.expert.name
    return _act(invitation.session,
                lambda: panel.remove_participant(invitation, user=current_user),
                _("%(name)s was removed.", name=name))


@blueprint.route("/invitations/<int:invitation_id>/promote", methods=["POST"])
@roles(Role.SECRETARIAT)
def promote_backup(invitation_id: int):
    invitation = _invitation(invitation_id)
    return _act(
        invitation.session,
        lambda: panel.promote_backup(invitation, user=current_user),
        lambda backup: (_("%(name)s takes the place.", name=backup.expert.name)
                        if backup is not None else _("No backup is left.")),
    )


@blueprint.route("/<int:session_id>/schedule", methods=["POST"])
@roles(Role.SECRETARIAT)
def schedule(session_id: int):
    session = _session(session_id)
    return _act(session, lambda: panel.schedule_session(session, user=current_user),
                lambda members: _("Invitations to %(n)d experts are being sent.", n=len(members)))


@blueprint.route("/<int:session_id>/reminders", methods=["POST"])
@roles(Role.SECRETARIAT)
def set_reminders(session_id: int):
    session = _session(session_id)
    form = ReminderForm()
    if not form.validate_on_submit():
        return _participants_page(session, 400, reminder_form=form)
    return _act(session,
                lambda: panel.set_reminder_hours(session, form.hours.data or "",
                                                 user=current_user),
                _("Saved."), reminder_form=form)


# Experts' own invitations


@blueprint.route("/invitations/")
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
            try:
                answers.respond(invitation, accept=bool(form.accept.data),
                                reason=form.reason.data or "",
                                user=current_user if via == "app" else None, via=via)
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                form.reason.errors = [*form.reason.errors, error.message]
                status = 400
            else:
                flash(_("Thank you; your answer was recorded."), "success")
                return redirect(request.path)
        else:
            status = 400
    return render_template(
        template, invitation=invitation, consultation=invitation.session, form=form,
        can_answer=access.can_answer_invitation(invitation),
        deadline=access.answer_deadline(invitation.session), **page,
    ), status


@blueprint.route("/invitations/<int:invitation_id>", methods=["GET", "POST"])
@roles(Role.EXPERT)
def invitation(invitation_id: int):
    found = _own_invitation(invitation_id)
    return _answer(found, AnswerForm(), "app", "consultations/rsvp.html", in_app=True)


@blueprint.route("/rsvp/<token>", methods=["GET", "POST"])
@public  # the signed link is the credential; the expert need not sign in
def rsvp(token: str):
    try:
        found = invitation_mail.invitation_from_token(
            token, current_user if current_user.is_authenticated else None)
    except invitation_mail.RsvpLinkError as error:
        return render_template("consultations/rsvp_invalid.html", error=error,
                               reason=error.reason), error.status_code
    return _answer(found, AnswerForm(), "link", "consultations/rsvp.html", in_app=False)
