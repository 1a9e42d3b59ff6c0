"""The records area's blueprint and the table of all its routes.

Each rule names its endpoint (the view function's name) and the view; the
view carries its access rule (``thinktank.permissions``)."""

from flask import Blueprint

from thinktank.records import views

blueprint = Blueprint("records", __name__, url_prefix="/records")

blueprint.add_url_rule("/experts/<int:expert_id>", "expert_history_page", views.expert_history_page)
blueprint.add_url_rule("/sessions/<int:session_id>/ratings",
                       "session_ratings", views.session_ratings, methods=["GET", "POST"])
blueprint.add_url_rule("/rounds/<int:round_id>/ratings",
                       "round_ratings", views.round_ratings, methods=["GET", "POST"])
