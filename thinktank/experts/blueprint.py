"""The experts area's blueprint and the table of all its routes.

Each rule names its endpoint (the view function's name) and the view; the
view carries its access rule (``thinktank.permissions``)."""

from flask import Blueprint

from thinktank.experts import terms_views, transfer_views, views

blueprint = Blueprint("experts", __name__, url_prefix="/experts")

# The pool: list, detail, forms, status, conflicts, fields (views.py)
blueprint.add_url_rule("/", "index", views.index)
blueprint.add_url_rule("/<int:expert_id>", "detail", views.detail)
blueprint.add_url_rule("/new", "create", views.create, methods=["GET", "POST"])
blueprint.add_url_rule("/<int:expert_id>/edit", "edit", views.edit, methods=["GET", "POST"])
blueprint.add_url_rule("/<int:expert_id>/status",
                       "change_status", views.change_status, methods=["POST"])
blueprint.add_url_rule("/<int:expert_id>/conflicts",
                       "add_conflict", views.add_conflict, methods=["POST"])
blueprint.add_url_rule("/<int:expert_id>/conflicts/<int:conflict_id>/delete",
                       "remove_conflict", views.remove_conflict, methods=["POST"])
blueprint.add_url_rule("/fields", "fields", views.fields)
blueprint.add_url_rule("/fields", "add_field", views.add_field, methods=["POST"])
blueprint.add_url_rule("/fields/<int:field_id>", "edit_field", views.edit_field, methods=["POST"])

# Terms ending and renewals (terms_views.py)
blueprint.add_url_rule("/terms", "terms_page", terms_views.terms_page)
blueprint.add_url_rule("/<int:expert_id>/renew",
                       "renew_term", terms_views.renew_term, methods=["POST"])

# Excel import and export (transfer_views.py)
blueprint.add_url_rule("/import",
                       "import_upload", transfer_views.import_upload, methods=["GET", "POST"])
blueprint.add_url_rule("/import/confirm",
                       "import_confirm", transfer_views.import_confirm, methods=["POST"])
blueprint.add_url_rule("/import/template.xlsx",
                       "import_template", transfer_views.import_template)
blueprint.add_url_rule("/export", "export", transfer_views.export)
