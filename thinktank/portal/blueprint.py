"""The portal area's blueprint and the table of all its routes.

Each rule names its endpoint (the view function's name) and the view; the
view carries its access rule (``thinktank.permissions``)."""

from flask import Blueprint

from thinktank.portal import views

blueprint = Blueprint("portal", __name__, url_prefix="/portal")

blueprint.add_url_rule("/", "overview", views.overview)
blueprint.add_url_rule("/documents", "documents", views.documents)
blueprint.add_url_rule("/documents/<int:document_id>/download", "download", views.download)
