from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.forms import ConfirmForm
from thinktank.notifications import services
from thinktank.notifications.labels import STATUS_LABELS
from thinktank.notifications.models import OutboxMessage, OutboxStatus
from thinktank.permissions import Role, roles
from thinktank.timeutil import utcnow

blueprint = Blueprint("notifications", __name__, url_prefix="/admin/outbox")

OUTBOX_READERS = (Role.ADMIN, Role.SECRETARIAT)


@blueprint.route("")
@roles(*OUTBOX_READERS)
def outbox():
    status = request.args.get("status", "")
    if status not in STATUS_LABELS:
        status = ""
    page = db.paginate(
        services.outbox_query(status or None), per_page=50, error_out=False, max_per_page=200
    )
    heartbeat = services.last_heartbeat()
    return render_template(
        "notifications/outbox.html",
        page=page,
        status=status,
        counts=services.status_counts(),
        heartbeat=heartbeat,
        stale=services.dispatcher_is_stale(heartbeat, utcnow()),
        status_labels=STATUS_LABELS,
    )


@blueprint.route("/<int:message_id>/retry", methods=["POST"])
@roles(*OUTBOX_READERS)
def retry(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.retry_failed(message)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        flash(_("The message is queued again and goes out with the next dispatcher run."),
              "success")
    return redirect(url_for("notifications.outbox", status=OutboxStatus.FAILED.value))
