"""What the pages call the outbox's values."""

from flask_babel import lazy_gettext as _l

from thinktank.notifications.models import OutboxStatus

STATUS_LABELS = {
    OutboxStatus.PENDING: _l("Pending"),
    OutboxStatus.SENT: _l("Sent"),
    OutboxStatus.FAILED: _l("Failed"),
    OutboxStatus.CANCELLED: _l("Cancelled"),
}
