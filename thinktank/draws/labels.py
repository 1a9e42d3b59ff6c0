"""What the pages call the reasons a draw left an expert out."""

from flask_babel import lazy_gettext as _l

from thinktank.draws.rules import ExclusionReason
from thinktank.experts.models import ExpertStatus

EXCLUSION_LABELS = {
    ExclusionReason.APPLICANT_ORGANISATION.value: _l("Works for an applicant organisation"),
    ExclusionReason.CONFLICT.value: _l("Declared conflict with an applicant organisation"),
    ExclusionReason.KEPT_AWAY.value: _l("An applicant asked to keep this expert away"),
    ExclusionReason.ALREADY_ON.value: _l("Already on this panel or session"),
    ExclusionReason.FLAGGED.value: _l("Flagged for review by their evaluation"),
}
# Why a backup was passed over at promotion (draws.services._no_longer_eligible).
PASSED_OVER_LABELS = EXCLUSION_LABELS | {
    ExpertStatus.SUSPENDED.value: _l("Suspended in the pool"),
    ExpertStatus.WITHDRAWN.value: _l("Withdrawn from the pool"),
    "term_ended": _l("Their term no longer covers the date"),
    "out_of_reserve": _l("No longer in reserve"),
}
