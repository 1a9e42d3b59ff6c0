"""Pages of review panels (routes on the ``reviews`` blueprint): the round's
panels, a panel's members, backups, draws and scoring progress, and the
secretariat's actions (draw, add or remove by hand, leader, replacement).

Membership is shown to the secretariat and admins, and to officials only
once the round is published (``access.can_view_panels``)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from thinktank.draws.services import draws_for
from thinktank.errors import DomainError
from thinktank.experts.services import find_experts
from thinktank.extensions import db
from thinktank.forms import IntegerField
from thinktank.permissions import Role, roles
from thinktank.reviews import access, panels, scoring
from thinktank.reviews.labels import SHEET_STATUS_LABELS, SOURCE_LABELS, STATUS_LABELS
from thinktank.reviews.models import (
    Application,
    PanelMember,
    ReviewPanel,
    ReviewRound,
    RoundStatus,
    SheetStatus,
)
from thinktank.views import committed


class PanelScopeForm(FlaskForm):
    scope = RadioField(_l("Panels"), choices=[
        ("round", _l("One panel for the whole round")),
        ("group", _l("One panel per group")),
    ], default="round", validators=[InputRequired()])


class PanelDrawForm(FlaskForm):
    backups = IntegerField(_l("Backups"), default=2,
                           validators=[InputRequired(), NumberRange(min=0, max=10)])
    org_cap = IntegerField(_l("At most per organisation"), default=1,
                           validators=[InputRequired(), NumberRange(min=1, max=5)])


class MemberForm(FlaskForm):
    expert = StringField(_l("Expert code or name"), validators=[DataRequired(), Length(max=50)])


class RemoveMemberForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)])


class ReplaceForm(FlaskForm):
    # Empty: a replacement for the whole panel (the member was removed).
    application_id = IntegerField(widget=HiddenInput(), validators=[Optional()])


def _round_with_membership(round_id: int) -> ReviewRound:
    review_round = db.get_or_404(ReviewRound, round_id)
    if not access.can_view_panels(current_user, review_round):
        abort(403)
    return review_round


def _panel_with_membership(panel_id: int) -> ReviewPanel:
    panel = db.get_or_404(ReviewPanel, panel_id)
    if not access.can_view_panels(current_user, panel.round):
        abort(403)
    return panel


def _member_of(panel: ReviewPanel, member_id: int) -> PanelMember:
    member = db.get_or_404(PanelMember, member_id)
    if member.panel_id != panel.id:
        abort(404)
    return member


def _form_errors(form: FlaskForm) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(message, "danger")


@roles(Role.SECRETARIAT, Role.ADMIN, Role.OFFICIAL)  # object rule: access.can_view_panels
def panels_page(round_id: int):
    review_round = _round_with_membership(round_id)
    return render_template(
        "reviews/panels.html", review_round=review_round, panels=panels.panels_of(review_round),
        scope_form=PanelScopeForm(), status_labels=STATUS_LABELS,
        can_manage=(current_user.has_role(Role.SECRETARIAT)
                    and review_round.status in panels.OPEN_STATUSES),
    )


@roles(Role.SECRETARIAT)
def create_panels(round_id: int):
    review_round = db.get_or_404(ReviewRound, round_id)
    form = PanelScopeForm()
    if form.validate_on_submit():
        with committed() as done:
            panels.create_panels(review_round, per_group=form.scope.data == "group")
        if done:
            flash(_("Panels created."), "success")
    else:
        _form_errors(form)
    return redirect(url_for("reviews.panels_page", round_id=round_id))


@roles(Role.SECRETARIAT, Role.ADMIN, Role.OFFICIAL)  # object rule: access.can_view_panels
def panel_detail(panel_id: int):
    panel = _panel_with_membership(panel_id)
    applications = panels.panel_applications(panel)
    staff = current_user.has_role(Role.SECRETARIAT, Role.ADMIN)
    sheets = scoring.sheets_for(applications) if staff else {}
    progress = [
        (application, [(member, sheets.get((application.id, member.expert_id)))
                       for member in panel.members
                       if member.active and member.application_id in (None, application.id)])
        for application in applications
    ]
    replaced = {(m.replaces_id, m.application_id) for m in panel.members
                if m.replaces_id is not None and m.removed_at is None}
    members_by_expert = {m.expert_id: m for m in panel.members}
    applications_by_id = {a.id: a for a in applications}
    conflicts = [
        (applications_by_id[application_id], members_by_expert[expert_id], sheet)
        for (application_id, expert_id), sheet in sheets.items()
        if sheet.status == SheetStatus.CONFLICT and expert_id in members_by_expert
    ]
    return render_template(
        "reviews/panel_detail.html",
        panel=panel,
        review_round=panel.round,
        members=[m for m in panel.members if m.active],
        backups=sorted((m for m in panel.members if m.is_backup and m.removed_at is None),
                       key=lambda m: m.backup_rank or 0),
        removed=[m for m in panel.members if m.removed_at is not None],
        progress=progress,
        conflicts=conflicts,
        replaced=replaced,
        draws=draws_for("panel", panel.id) if staff else [],
        staff=staff,
        can_manage=(current_user.has_role(Role.SECRETARIAT)
                    and panel.round.status in panels.OPEN_STATUSES),
        scoring=panel.round.status == RoundStatus.SCORING,
        draw_form=PanelDrawForm(),
        member_form=MemberForm(),
        remove_form=RemoveMemberForm(),
        status_labels=STATUS_LABELS,
        sheet_status_labels=SHEET_STATUS_LABELS,
        source_labels=SOURCE_LABELS,
    )


def _back(panel_id: int):
    return redirect(url_for("reviews.panel_detail", panel_id=panel_id))


@roles(Role.SECRETARIAT)
def panel_draw(panel_id: int):
    panel = db.get_or_404(ReviewPanel, panel_id)
    form = PanelDrawForm()
    if form.validate_on_submit():
        with committed() as done:
            panels.draw_members(panel, form.backups.data, form.org_cap.data, user=current_user)
        if done:
            flash(_("The experts were drawn."), "success")
    else:
        _form_errors(form)
    return _back(panel_id)


@roles(Role.SECRETARIAT)
def panel_add_member(panel_id: int):
    panel = db.get_or_404(ReviewPanel, panel_id)
    form = MemberForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(panel_id)
    with committed() as done:
        experts = find_experts(form.expert.data)
        if len(experts) != 1:
            raise DomainError(_("Enter one expert at a time."))
        panels.add_member(panel, experts[0], user=current_user)
    if done:
        flash(_("Expert added to the panel."), "success")
    return _back(panel_id)


@roles(Role.SECRETARIAT)
def panel_remove_member(panel_id: int, member_id: int):
    panel = db.get_or_404(ReviewPanel, panel_id)
    member = _member_of(panel, member_id)
    form = RemoveMemberForm()
    if form.validate_on_submit():
        with committed() as done:
            panels.remove_member(member, form.reason.data, user=current_user)
        if done:
            flash(_("Expert removed from the panel."), "success")
    else:
        flash(_("Give the reason for removing the expert."), "danger")
    return _back(panel_id)


@roles(Role.SECRETARIAT)
def panel_set_leader(panel_id: int, member_id: int):
    panel = db.get_or_404(ReviewPanel, panel_id)
    member = _member_of(panel, member_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    with committed() as done:
        panels.set_leader(member, user=current_user)
    if done:
        flash(_("Panel leader set."), "success")
    return _back(panel_id)


@roles(Role.SECRETARIAT)
def panel_replace_member(panel_id: int, member_id: int):
    panel = db.get_or_404(ReviewPanel, panel_id)
    member = _member_of(panel, member_id)
    form = ReplaceForm()
    if not form.validate_on_submit():
        abort(400)
    application = None
    if form.application_id.data is not None:
        application = db.session.get(Application, form.application_id.data)
        if application is None or application.round_id != panel.round_id:
            abort(400)
    with committed() as done:
        panels.replace_member(member, application, user=current_user)
    if done:
        flash(_("A replacement was named."), "success")
    return _back(panel_id)
