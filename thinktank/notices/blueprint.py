"""The notices area's blueprint and the table of all its routes.

Each rule names its endpoint (the view function's name) and the view; the
view carries its access rule (``thinktank.permissions``)."""

from flask import Blueprint

from thinktank.notices import views

blueprint = Blueprint("notices", __name__, url_prefix="/notices")

blueprint.add_url_rule("/", "index", views.index)
blueprint.add_url_rule("/new", "create", views.create, methods=["GET", "POST"])
blueprint.add_url_rule("/<int:notice_id>", "detail", views.detail)
blueprint.add_url_rule("/mine/", "my_notices", views.my_notices)
blueprint.add_url_rule("/mine/<int:notice_id>", "my_notice", views.my_notice)
