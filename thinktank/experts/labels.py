"""What the pages call the expert pool's values."""

from flask_babel import lazy_gettext as _l

from thinktank.experts.models import ExpertStatus

STATUS_LABELS = {
    ExpertStatus.ACTIVE: _l("Active"),
    ExpertStatus.SUSPENDED: _l("Suspended"),
    ExpertStatus.WITHDRAWN: _l("Withdrawn"),
}
