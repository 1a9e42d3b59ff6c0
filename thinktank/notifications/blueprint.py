"""The notifications area's blueprint and the table of all its routes.

Each rule names its endpoint (the view function's name) and the view; the
view carries its access rule (``thinktank.permissions``)."""

from flask import Blueprint

from thinktank.notifications import views

blueprint = Blueprint("notifications", __name__, url_prefix="/admin/outbox")

blueprint.add_url_rule("", "outbox", views.outbox)
blueprint.add_url_rule("/<int:message_id>/retry", "retry", views.retry, methods=["POST"])
