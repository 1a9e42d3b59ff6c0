from flask import redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from thinktank.experts.models import Expert
from thinktank.extensions import db
from thinktank.permissions import Role, public, signed_in


@signed_in
def index():
    if current_user.role_set == {Role.EXPERT} and current_user.expert_id:
        return redirect(url_for("experts.detail", expert_id=current_user.expert_id))
    if current_user.role_set == {Role.OFFICIAL}:
        return redirect(url_for("portal.overview"))
    by_status = select(Expert.status, func.count()).group_by(Expert.status)
    counts = dict(db.session.execute(by_status).all())
    return render_template("main/index.html", counts=counts)


@public
def healthz():
    """Does no work: for a load balancer's health check, and the benchmark's
    measure of what the framework alone can serve."""
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@public
def favicon():
    """Browsers ask for /favicon.ico where a page names no icon (a PDF, a
    download): the site's icon, from static."""
    return redirect(url_for("static", filename="favicon.svg"), 301)
