"""The honoraria area's blueprint and the table of all its routes.

Each rule names its endpoint (the view function's name) and the view; the
view carries its access rule (``thinktank.permissions``)."""

from flask import Blueprint

from thinktank.honoraria import views

blueprint = Blueprint("honoraria", __name__, url_prefix="/honoraria")

blueprint.add_url_rule("/sessions/<int:session_id>", "session_preview", views.session_preview)
blueprint.add_url_rule("/sessions/<int:session_id>.xlsx", "session_export", views.session_export)
blueprint.add_url_rule("/rounds/<int:round_id>", "round_preview", views.round_preview)
blueprint.add_url_rule("/rounds/<int:round_id>.xlsx", "round_export", views.round_export)
