from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from thinktank.audit.services import client_ip, record
from thinktank.auth import services
from thinktank.auth.forms import LocaleForm, LoginForm, PasswordChangeForm
from thinktank.errors import DomainError
from thinktank.permissions import public, signed_in
from thinktank.views import committed


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths; anything else goes to the home page."""
    if not target:
        return url_for("main.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("main.index")
    return target


@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, client_ip() or "")
        except DomainError as error:
            flash(error.message, "danger")
            status = error.status_code
        else:
            locale = session.get("locale")
            session.clear()  # a fresh session at sign-in: no fixation
            if locale:
                session["locale"] = locale
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@signed_in
def logout():
    user = current_user._get_current_object()
    with committed():
        services.end_sessions(user)  # a copy of this session's cookie must not outlive it
        record("logout", user)
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@signed_in
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        with committed(on_error=None) as done:
            services.change_password(user, form.current.data, form.new.data)
        if done:
            login_user(user)  # keep this session: its id carries the new token
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("main.index"))
        form.new.errors.append(done.error.message)
    return render_template("auth/password.html", form=form), 400 if form.errors else 200


@public
def set_locale():
    form = LocaleForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        with committed():
            current_user.locale = form.locale.data
    session["locale"] = form.locale.data
    return redirect(_safe_next(request.form.get("next")))
