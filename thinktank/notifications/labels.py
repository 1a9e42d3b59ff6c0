"""What the pages call the outbox's values."""

from flask_babel import lazy_gettext as _l

from thinktank.notifications.models import OutboxStatus

STATUS_LABELS = {
    OutboxStatus.PENDING: _l("Pending"),
    OutboxStatus.SENT: _l("Sent"),
    OutboxStatus.FAILED: _l("Failed"),
    OutboxStatus.CANCELLED: _l("Cancelled"),
}

# The kinds of mail the areas queue (``enqueue(kind=...)``; a test finds them
# in the source). The outbox sits below the areas, so their kinds are named here.
KIND_LABELS = {
    "session_invitation": _l("Invitation"),
    "session_cancellation": _l("Cancellation"),
    "meeting_reminder": _l("Meeting reminder"),
    "rsvp_nudge": _l("Reply reminder"),
    "opinion_reminder": _l("Opinion reminder"),
    "review_scoring_reminder": _l("Scoring reminder"),
    "review_conflict": _l("Conflict of interest declared by a reviewer"),
    "term_reminder": _l("Term ending reminder"),
    "rating_reminder": _l("Performance rating reminder"),
    "notice": _l("Notice to experts"),
}
