"""The main area's blueprint and the table of all its routes.

Each rule names its endpoint (the view function's name) and the view; the
view carries its access rule (``thinktank.permissions``)."""

from flask import Blueprint

from thinktank.main import views

blueprint = Blueprint("main", __name__)

blueprint.add_url_rule("/", "index", views.index)
blueprint.add_url_rule("/healthz", "healthz", views.healthz)
blueprint.add_url_rule("/favicon.ico", "favicon", views.favicon)
