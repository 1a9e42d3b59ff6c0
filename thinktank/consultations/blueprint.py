"""The consultations area's blueprint and the table of all its routes.

Each rule names its endpoint (the view function's name) and the view; the
view carries its access rule (``thinktank.permissions``)."""

from flask import Blueprint

from thinktank.consultations import proceedings_views, rsvp_views, views

blueprint = Blueprint("consultations", __name__, url_prefix="/consultations")

# The labels and helpers the area's templates use.
blueprint.context_processor(views.labels)
blueprint.context_processor(rsvp_views.invitation_helpers)
blueprint.context_processor(proceedings_views.proceedings_labels)

# Sessions: list, calendar, detail, forms and materials (views.py)
blueprint.add_url_rule("/", "index", views.index)
blueprint.add_url_rule("/calendar", "month_calendar", views.month_calendar)
blueprint.add_url_rule("/<int:session_id>", "detail", views.detail)
blueprint.add_url_rule("/new", "create", views.create, methods=["GET", "POST"])
blueprint.add_url_rule("/<int:session_id>/edit", "edit", views.edit, methods=["GET", "POST"])
blueprint.add_url_rule("/<int:session_id>/cancel", "cancel", views.cancel,
                       methods=["GET", "POST"])
blueprint.add_url_rule("/series/new", "create_series", views.create_series, methods=["GET", "POST"])
blueprint.add_url_rule("/<int:session_id>/materials",
                       "upload_material", views.upload_material, methods=["POST"])
blueprint.add_url_rule("/materials/<int:material_id>", "download_material", views.download_material)

# Participants and invitations, the experts' answers (rsvp_views.py)
blueprint.add_url_rule("/<int:session_id>/participants", "participants", rsvp_views.participants)
blueprint.add_url_rule("/<int:session_id>/participants/add",
                       "add_participants", rsvp_views.add_participants, methods=["POST"])
blueprint.add_url_rule("/<int:session_id>/participants/filter",
                       "add_by_filter", rsvp_views.add_by_filter, methods=["POST"])
blueprint.add_url_rule("/<int:session_id>/participants/draw",
                       "draw_participants", rsvp_views.draw_participants, methods=["POST"])
blueprint.add_url_rule("/invitations/<int:invitation_id>/remove",
                       "remove_participant", rsvp_views.remove_participant, methods=["POST"])
blueprint.add_url_rule("/invitations/<int:invitation_id>/promote",
                       "promote_backup", rsvp_views.promote_backup, methods=["POST"])
blueprint.add_url_rule("/<int:session_id>/schedule",
                       "schedule", rsvp_views.schedule, methods=["POST"])
blueprint.add_url_rule("/<int:session_id>/reminders",
                       "set_reminders", rsvp_views.set_reminders, methods=["POST"])
blueprint.add_url_rule("/invitations/", "my_invitations", rsvp_views.my_invitations)
blueprint.add_url_rule("/invitations/<int:invitation_id>",
                       "invitation", rsvp_views.invitation, methods=["GET", "POST"])
blueprint.add_url_rule("/rsvp/<token>", "rsvp", rsvp_views.rsvp, methods=["GET", "POST"])

# After the meeting: attendance, minutes, opinions (proceedings_views.py)
blueprint.add_url_rule("/<int:session_id>/attendance", "attendance", proceedings_views.attendance)
blueprint.add_url_rule("/<int:session_id>/attendance",
                       "record_attendance", proceedings_views.record_attendance, methods=["POST"])
blueprint.add_url_rule("/<int:session_id>/minutes", "minutes", proceedings_views.minutes)
blueprint.add_url_rule("/<int:session_id>/minutes",
                       "save_minutes", proceedings_views.save_minutes, methods=["POST"])
blueprint.add_url_rule("/<int:session_id>/minutes/history",
                       "minutes_history", proceedings_views.minutes_history)
blueprint.add_url_rule("/<int:session_id>/opinions", "consolidated", proceedings_views.consolidated)
blueprint.add_url_rule("/<int:session_id>/opinions/collect",
                       "collect_opinions", proceedings_views.collect_opinions, methods=["POST"])
blueprint.add_url_rule("/<int:session_id>/opinions/issue",
                       "issue_opinion", proceedings_views.issue_opinion, methods=["POST"])
blueprint.add_url_rule("/<int:session_id>/my-opinion", "my_opinion", proceedings_views.my_opinion)
blueprint.add_url_rule("/<int:session_id>/my-opinion",
                       "submit_opinion", proceedings_views.submit_opinion, methods=["POST"])
