"""The reviews area's blueprint and the table of all its routes.

Each rule names its endpoint (the view function's name) and the view; the
view carries its access rule (``thinktank.permissions``)."""

from flask import Blueprint

from thinktank.reviews import panel_views, results_views, scoring_views, views

blueprint = Blueprint("reviews", __name__, url_prefix="/reviews")

# Rounds, groups, applications, attachments, avoidance, import (views.py)
blueprint.add_url_rule("/", "index", views.index)
blueprint.add_url_rule("/<int:round_id>", "round_detail", views.round_detail)
blueprint.add_url_rule("/new", "round_create", views.round_create, methods=["GET", "POST"])
blueprint.add_url_rule("/<int:round_id>/edit",
                       "round_edit", views.round_edit, methods=["GET", "POST"])
blueprint.add_url_rule("/<int:round_id>/status/<target>",
                       "change_status", views.change_status, methods=["GET", "POST"])
blueprint.add_url_rule("/<int:round_id>/groups", "add_group", views.add_group, methods=["POST"])
blueprint.add_url_rule("/<int:round_id>/applications/new",
                       "application_create", views.application_create, methods=["GET", "POST"])
blueprint.add_url_rule("/applications/<int:application_id>",
                       "application_detail", views.application_detail)
blueprint.add_url_rule("/applications/<int:application_id>/edit",
                       "application_edit", views.application_edit, methods=["GET", "POST"])
blueprint.add_url_rule("/applications/<int:application_id>/attachments",
                       "upload_attachment", views.upload_attachment, methods=["POST"])
blueprint.add_url_rule("/attachments/<int:attachment_id>",
                       "download_attachment", views.download_attachment)
blueprint.add_url_rule("/applications/<int:application_id>/avoidance",
                       "add_avoidance", views.add_avoidance, methods=["POST"])
blueprint.add_url_rule("/applications/<int:application_id>/avoidance/<int:request_id>/delete",
                       "remove_avoidance", views.remove_avoidance, methods=["POST"])
blueprint.add_url_rule("/<int:round_id>/import",
                       "import_upload", views.import_upload, methods=["GET", "POST"])
blueprint.add_url_rule("/<int:round_id>/import/confirm",
                       "import_confirm", views.import_confirm, methods=["POST"])

# Panels and their members (panel_views.py)
blueprint.add_url_rule("/<int:round_id>/panels",
                       "panels_page", panel_views.panels_page, methods=["GET"])
blueprint.add_url_rule("/<int:round_id>/panels",
                       "create_panels", panel_views.create_panels, methods=["POST"])
blueprint.add_url_rule("/panels/<int:panel_id>", "panel_detail", panel_views.panel_detail)
blueprint.add_url_rule("/panels/<int:panel_id>/draw",
                       "panel_draw", panel_views.panel_draw, methods=["POST"])
blueprint.add_url_rule("/panels/<int:panel_id>/members",
                       "panel_add_member", panel_views.panel_add_member, methods=["POST"])
blueprint.add_url_rule("/panels/<int:panel_id>/members/<int:member_id>/remove",
                       "panel_remove_member", panel_views.panel_remove_member, methods=["POST"])
blueprint.add_url_rule("/panels/<int:panel_id>/members/<int:member_id>/leader",
                       "panel_set_leader", panel_views.panel_set_leader, methods=["POST"])
blueprint.add_url_rule("/panels/<int:panel_id>/members/<int:member_id>/replace",
                       "panel_replace_member", panel_views.panel_replace_member, methods=["POST"])

# Score sheets: the expert's own and by proxy (scoring_views.py)
blueprint.add_url_rule("/my-assignments", "my_assignments", scoring_views.my_assignments)
blueprint.add_url_rule("/applications/<int:application_id>/sheet",
                       "sheet", scoring_views.sheet, methods=["GET", "POST"])
blueprint.add_url_rule("/applications/<int:application_id>/sheet/conflict",
                       "sheet_conflict", scoring_views.sheet_conflict, methods=["POST"])
blueprint.add_url_rule("/sheets/<int:sheet_id>", "sheet_by_id", scoring_views.sheet_by_id)
blueprint.add_url_rule("/applications/<int:application_id>/experts/<int:expert_id>/sheet",
                       "proxy_sheet", scoring_views.proxy_sheet, methods=["GET", "POST"])
blueprint.add_url_rule("/applications/<int:application_id>/experts/<int:expert_id>/sheet/reopen",
                       "reopen_sheet", scoring_views.reopen_sheet, methods=["POST"])

# Progress, results and group opinions (results_views.py)
blueprint.add_url_rule("/<int:round_id>/progress", "progress_page", results_views.progress_page)
blueprint.add_url_rule("/<int:round_id>/progress/remind",
                       "remind_now", results_views.remind_now, methods=["POST"])
blueprint.add_url_rule("/<int:round_id>/results", "results_page", results_views.results_page)
blueprint.add_url_rule("/<int:round_id>/results.xlsx",
                       "results_export", results_views.results_export)
blueprint.add_url_rule("/<int:round_id>/opinions", "round_opinions", results_views.round_opinions)
blueprint.add_url_rule("/opinions", "my_opinions", results_views.my_opinions)
blueprint.add_url_rule("/applications/<int:application_id>/opinion/edit",
                       "opinion_edit", results_views.opinion_edit, methods=["GET", "POST"])
blueprint.add_url_rule("/applications/<int:application_id>/opinion",
                       "opinion_answer", results_views.opinion_answer, methods=["GET", "POST"])
blueprint.add_url_rule("/applications/<int:application_id>/opinion/proxy/<int:expert_id>",
                       "proxy_answer", results_views.proxy_answer, methods=["GET", "POST"])
