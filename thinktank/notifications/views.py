from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from thinktank.extensions import db
from thinktank.forms import ConfirmForm
from thinktank.notifications import services
from thinktank.notifications.labels import KIND_LABELS, STATUS_LABELS
from thinktank.notifications.models import OutboxMessage, OutboxStatus
from thinktank.permissions import Role, roles
from thinktank.timeutil import utcnow
from thinktank.views import committed

OUTBOX_READERS = (Role.ADMIN, Role.SECRETARIAT)


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
        kind_labels=KIND_LABELS,
    )


@roles(*OUTBOX_READERS)
def retry(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with committed() as done:
        services.retry_failed(message)
    if done:
        flash(_("The message is queued again and goes out with the next dispatcher run."),
              "success")
    return redirect(url_for("notifications.outbox", status=OutboxStatus.FAILED.value))
