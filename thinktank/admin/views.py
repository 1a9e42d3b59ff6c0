import io

from flask import flash, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from thinktank.admin import audit_log
from thinktank.auth import services as auth_services
from thinktank.auth.forms import UserForm
from thinktank.auth.models import User
from thinktank.errors import DomainError
from thinktank.experts.models import Expert
from thinktank.extensions import db
from thinktank.permissions import Role, roles
from thinktank.stored_files import XLSX
from thinktank.timeutil import today_in_display_zone
from thinktank.views import committed


def _expert_id_for_code(form: UserForm) -> int | None:
    code = (form.expert_code.data or "").strip()
    if not code:
        return None
    expert_id = db.session.scalar(select(Expert.id).where(Expert.code == code))
    if expert_id is None:
        raise DomainError(_("No expert has the code %(code)s.", code=code))
    return expert_id


def _password_page(user: User, password: str, created: bool):
    """Show a generated password once, in the answer to the POST that made it:
    never through a flash or anything else in the session, whose cookie is
    signed but readable by whoever holds it; and not kept by any cache."""
    response = make_response(render_template(
        "admin/user_password.html", user=user, password=password, created=created))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@roles(Role.ADMIN)
def users():
    rows = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("admin/users.html", users=rows)


@roles(Role.ADMIN)
def user_new():
    form = UserForm()
    if form.validate_on_submit():
        with committed() as done:
            user, password = auth_services.create_user(
                form.email.data,
                form.name.data,
                form.roles.data,
                expert_id=_expert_id_for_code(form),
            )
            user.active = form.active.data
        if done:
            return _password_page(user, password, created=True)
    return render_template("admin/user_form.html", form=form, user=None), (
        400 if request.method == "POST" else 200
    )


@roles(Role.ADMIN)
def user_edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    if request.method == "GET":
        form.roles.data = sorted(user.role_set)
        form.expert_code.data = user.expert.code if user.expert else ""
    form.email.render_kw = {"readonly": True}
    form.email.data = user.email
    if form.validate_on_submit():
        with committed() as done:
            auth_services.update_user(
                user,
                name=form.name.data,
                roles=form.roles.data,
                active=form.active.data,
                expert_id=_expert_id_for_code(form),
            )
        if done:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user), (
        400 if request.method == "POST" else 200
    )


@roles(Role.ADMIN)
def user_reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    with committed():
        password = auth_services.reset_password(user)
    return _password_page(user, password, created=False)


def _audit_filters() -> tuple[audit_log.AuditFilterForm, audit_log.AuditFilters | None]:
    form = audit_log.AuditFilterForm(request.args)
    return form, form.filters() if form.validate() else None


def _audit_page(form: audit_log.AuditFilterForm, page=None, errors=()):
    args = {key: value for key, value in request.args.items() if key != "page"}
    return render_template("admin/audit.html", form=form, page=page, args=args,
                           rows=audit_log.rows(page.items) if page else [],
                           errors=errors)


@roles(Role.ADMIN)
def audit():
    form, filters = _audit_filters()
    if filters is None:
        return _audit_page(form, errors=form.messages()), 400
    page = db.paginate(audit_log.entries_query(filters), per_page=audit_log.PER_PAGE,
                       error_out=False)
    return _audit_page(form, page)


@roles(Role.ADMIN)
def audit_export():
    form, filters = _audit_filters()
    if filters is None:
        return _audit_page(form, errors=form.messages()), 400
    with committed():
        data = audit_log.export(filters)
    if data is None:
        message = _("The filtered log has more than %(n)d entries, too many for one file. "
                    "Narrow the filters, for example to fewer days.", n=audit_log.MAX_EXPORT_ROWS)
        return _audit_page(form, errors=[message]), 400
    response = send_file(io.BytesIO(data), mimetype=XLSX.mimetype, as_attachment=True,
                         download_name=f"{_('Audit log')}-{today_in_display_zone():%Y%m%d}.xlsx")
    response.headers["Cache-Control"] = "private, no-store"  # e-mail and IP addresses
    return response
