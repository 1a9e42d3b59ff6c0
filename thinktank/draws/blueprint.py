"""The draws area's blueprint and the table of all its routes.

Each rule names its endpoint (the view function's name) and the view; the
view carries its access rule (``thinktank.permissions``)."""

from flask import Blueprint

from thinktank.draws import views

blueprint = Blueprint("draws", __name__, url_prefix="/draws")

blueprint.add_url_rule("/<int:draw_id>", "detail", views.detail)
