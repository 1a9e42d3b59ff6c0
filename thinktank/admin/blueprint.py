"""The admin area's blueprint and the table of all its routes.

Each rule names its endpoint (the view function's name) and the view; the
view carries its access rule (``thinktank.permissions``)."""

from flask import Blueprint

from thinktank.admin import views

blueprint = Blueprint("admin", __name__, url_prefix="/admin")

blueprint.add_url_rule("/users", "users", views.users)
blueprint.add_url_rule("/users/new", "user_new", views.user_new, methods=["GET", "POST"])
blueprint.add_url_rule("/users/<int:user_id>",
                       "user_edit", views.user_edit, methods=["GET", "POST"])
blueprint.add_url_rule("/users/<int:user_id>/reset-password",
                       "user_reset_password", views.user_reset_password, methods=["POST"])
blueprint.add_url_rule("/audit", "audit", views.audit)
blueprint.add_url_rule("/audit.xlsx", "audit_export", views.audit_export)
