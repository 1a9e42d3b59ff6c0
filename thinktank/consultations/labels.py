"""What the pages and documents call the consultations area's values: one
label per value, next to nothing else (forms, views and documents read them
from here)."""

from flask_babel import lazy_gettext as _l

from thinktank.consultations.models import (
    Attendance,
    InvitationStatus,
    SeriesFrequency,
    SessionKind,
    SessionStatus,
    SessionTopic,
)

KIND_LABELS = {
    SessionKind.REGULAR: _l("Regular consultation"),
    SessionKind.TOPICAL: _l("Topical consultation"),
    SessionKind.DECISION: _l("Decision consultation"),
    SessionKind.ASSESSMENT: _l("Assessment and appraisal"),
}

TOPIC_LABELS = {
    SessionTopic.PLANNING: _l("Industry planning"),
    SessionTopic.POLICY: _l("Special policy research"),
    SessionTopic.SELECTION: _l("Project selection"),
    SessionTopic.EVALUATION: _l("Third-party evaluation"),
    SessionTopic.STANDARDS: _l("Standards and specifications"),
    SessionTopic.IP: _l("Intellectual property"),
    SessionTopic.BIOSAFETY: _l("Biosafety"),
    SessionTopic.ETHICS: _l("Regulation and ethics"),
}

STATUS_LABELS = {
    SessionStatus.DRAFT: _l("Draft"),
    SessionStatus.SCHEDULED: _l("Scheduled"),
    SessionStatus.HELD: _l("Held"),
    SessionStatus.OPINIONS_COLLECTED: _l("Opinions collected"),
    SessionStatus.ISSUED: _l("Issued"),
    SessionStatus.CANCELLED: _l("Cancelled"),
}

FREQUENCY_LABELS = {
    SeriesFrequency.WEEKLY: _l("Weekly"),
    SeriesFrequency.MONTHLY: _l("Monthly"),
    SeriesFrequency.QUARTERLY: _l("Quarterly"),
}

INVITATION_STATUS_LABELS = {
    InvitationStatus.RESERVE: _l("Backup"),
    InvitationStatus.PENDING: _l("To be invited"),
    InvitationStatus.INVITED: _l("Invited, no answer yet"),
    InvitationStatus.ACCEPTED: _l("Accepted"),
    InvitationStatus.DECLINED: _l("Declined"),
    InvitationStatus.WITHDRAWN: _l("Removed"),
}

# How an expert came onto a session (``Invitation.source``).
SOURCE_LABELS = {
    "manual": _l("By hand"),
    "filter": _l("By filter"),
    "draw": _l("Random draw"),
    "promoted": _l("Promoted backup"),
}

ATTENDANCE_LABELS = {
    Attendance.PRESENT: _l("Present"),
    Attendance.ABSENT: _l("Absent"),
    Attendance.EXCUSED: _l("Excused"),
}
