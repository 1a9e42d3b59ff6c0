"""The reports area's blueprint and the table of all its routes.

Each rule names its endpoint (the view function's name) and the view; the
view carries its access rule (``thinktank.permissions``)."""

from flask import Blueprint

from thinktank.reports import views

blueprint = Blueprint("reports", __name__)

blueprint.add_url_rule("/reports/", "index", views.index)
blueprint.add_url_rule("/reports/issue", "issue", views.issue, methods=["POST"])
blueprint.add_url_rule("/reports/<int:document_id>", "detail", views.detail)
blueprint.add_url_rule("/reports/<int:document_id>/reissue",
                       "reissue", views.reissue, methods=["POST"])
blueprint.add_url_rule("/reports/<int:document_id>/download", "download", views.download)
blueprint.add_url_rule("/verify", "verify", views.verify, methods=["GET", "POST"])
