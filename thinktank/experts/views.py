from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from thinktank.experts import access, services
from thinktank.experts.forms import (
    ConflictForm,
    ExpertFilterForm,
    ExpertForm,
    FieldEditForm,
    FieldForm,
    StatusForm,
)
from thinktank.experts.labels import STATUS_LABELS
from thinktank.experts.models import Expert, ExpertiseField, ExpertStatus
from thinktank.extensions import db
from thinktank.forms import ConfirmForm
from thinktank.pagecache import cached_page
from thinktank.permissions import Role, roles, signed_in
from thinktank.views import committed

POOL_READERS = (Role.SECRETARIAT, Role.ADMIN, Role.OFFICIAL)


def filters_from_request() -> tuple[ExpertFilterForm, services.ExpertFilters]:
    """The list filters from the query string; invalid values are ignored."""
    form = ExpertFilterForm(request.args)
    form.field_id.choices = [("", _("All fields"))] + [
        (f.id, f.name) for f in services.active_fields()
    ]
    form.validate()

    def valid(field):
        return None if field.errors else field.data

    filters = services.ExpertFilters(
        q=valid(form.q) or "",
        category=valid(form.category) or "",
        field_id=valid(form.field_id),
        city=valid(form.city) or "",
        status=valid(form.status) or "",
        valid_on=valid(form.valid_on),
        sort=valid(form.sort) or "name",
        descending=valid(form.order) == "desc",
    )
    return form, filters


@roles(*POOL_READERS)
@cached_page
def index():
    form, filters = filters_from_request()
    page = db.paginate(
        services.expert_query(filters),
        per_page=current_app.config["EXPERTS_PER_PAGE"],
        error_out=False,
        max_per_page=100,
    )
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "experts/list.html",
        form=form,
        page=page,
        args=args,
        show_contacts=access.can_view_contacts(current_user),
        status_labels=STATUS_LABELS,
    )


def _expert_for_reader(expert_id: int) -> Expert:
    expert = db.get_or_404(Expert, expert_id)
    if not access.can_view_expert(current_user, expert):
        abort(403)
    return expert


@signed_in
def detail(expert_id: int):
    expert = _expert_for_reader(expert_id)
    own = current_user.expert_id == expert.id
    return render_template(
        "experts/detail.html",
        expert=expert,
        show_contacts=own or access.can_view_contacts(current_user),
        can_edit=current_user.has_role(Role.SECRETARIAT),
        status_labels=STATUS_LABELS,
        status_form=StatusForm(),
        conflict_form=ConflictForm(),
        confirm_form=ConfirmForm(),
    )


def _expert_form(expert: Expert | None) -> ExpertForm:
    form = ExpertForm(obj=expert)
    form.field_names.choices = [(f.name, f.name) for f in services.active_fields()]
    if expert is not None and request.method == "GET":
        form.field_names.data = expert.field_names
    if expert is not None:
        # Keep a field the expert already has even if it has since been retired.
        known = {value for value, _label in form.field_names.choices}
        form.field_names.choices += [(n, n) for n in expert.field_names if n not in known]
    return form


@roles(Role.SECRETARIAT)
def create():
    form = _expert_form(None)
    if form.validate_on_submit():
        with committed() as done:
            expert = services.create_expert(form.to_data())
        if done:
            flash(_("Expert %(name)s added as %(code)s.", name=expert.name, code=expert.code),
                  "success")
            return redirect(url_for("experts.detail", expert_id=expert.id))
    status = 400 if request.method == "POST" else 200
    return render_template("experts/form.html", form=form, expert=None), status


@roles(Role.SECRETARIAT)
def edit(expert_id: int):
    expert = db.get_or_404(Expert, expert_id)
    form = _expert_form(expert)
    if form.validate_on_submit():
        with committed() as done:
            changes = services.update_expert(expert, form.to_data())
        if done:
            flash(_("Saved.") if changes else _("Nothing was changed."), "success")
            return redirect(url_for("experts.detail", expert_id=expert.id))
    status = 400 if request.method == "POST" else 200
    return render_template("experts/form.html", form=form, expert=expert), status


@roles(Role.SECRETARIAT)
def change_status(expert_id: int):
    expert = db.get_or_404(Expert, expert_id)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    with committed():
        services.set_status(expert, ExpertStatus(form.status.data), form.reason.data or "")
    flash(_("The status is now: %(status)s", status=STATUS_LABELS[ExpertStatus(expert.status)]),
          "success")
    return redirect(url_for("experts.detail", expert_id=expert.id))


@roles(Role.SECRETARIAT)
def add_conflict(expert_id: int):
    expert = db.get_or_404(Expert, expert_id)
    form = ConflictForm()
    if form.validate_on_submit():
        with committed() as done:
            services.add_conflict(expert, form.organisation.data, form.reason.data,
                                  form.ends_on.data)
        if done:
            flash(_("Conflict recorded."), "success")
            return redirect(url_for("experts.detail", expert_id=expert.id))
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
    return redirect(url_for("experts.detail", expert_id=expert.id))


@roles(Role.SECRETARIAT)
def remove_conflict(expert_id: int, conflict_id: int):
    expert = db.get_or_404(Expert, expert_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with committed(on_error=lambda error: abort(404)):  # not a conflict of this expert
        services.remove_conflict(expert, conflict_id)
    flash(_("Conflict removed."), "success")
    return redirect(url_for("experts.detail", expert_id=expert.id))


def _fields_page(form: FieldForm, status: int = 200):
    entries = db.session.scalars(
        db.select(ExpertiseField).order_by(ExpertiseField.position)
    ).all()
    return render_template("experts/fields.html", form=form, entries=entries,
                           edit_form=FieldEditForm()), status


# The administrator reads the taxonomy; the secretariat keeps it.
@roles(Role.SECRETARIAT, Role.ADMIN)
def fields():
    return _fields_page(FieldForm())


@roles(Role.SECRETARIAT)
def add_field():
    form = FieldForm()
    if form.validate_on_submit():
        with committed() as done:
            services.add_field(form.name.data)
        if done:
            flash(_("Field added."), "success")
            return redirect(url_for("experts.fields"))
    return _fields_page(form, 400)


@roles(Role.SECRETARIAT)
def edit_field(field_id: int):
    entry = db.get_or_404(ExpertiseField, field_id)
    form = FieldEditForm()
    if not form.validate_on_submit():
        flash(_("Enter a field name."), "danger")
        return redirect(url_for("experts.fields"))
    with committed() as done:
        services.update_field(entry, form.name.data, form.active.data == "1")
    if done:
        flash(_("Saved."), "success")
    return redirect(url_for("experts.fields"))
