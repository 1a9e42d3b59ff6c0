"""The auth area's blueprint and the table of all its routes.

Each rule names its endpoint (the view function's name) and the view; the
view carries its access rule (``thinktank.permissions``)."""

from flask import Blueprint

from thinktank.auth import views

blueprint = Blueprint("auth", __name__, url_prefix="/auth")

blueprint.add_url_rule("/login", "login", views.login, methods=["GET", "POST"])
blueprint.add_url_rule("/logout", "logout", views.logout, methods=["POST"])
blueprint.add_url_rule("/password",
                       "change_password", views.change_password, methods=["GET", "POST"])
blueprint.add_url_rule("/locale", "set_locale", views.set_locale, methods=["POST"])
