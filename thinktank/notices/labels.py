"""What the pages call the notices' values."""

from flask_babel import lazy_gettext as _l

from thinktank.notices.models import NoticeKind

KIND_LABELS = {
    NoticeKind.POLICY_UPDATE: _l("Policy update"),
    NoticeKind.CALL_FOR_OPINIONS: _l("Call for opinions"),
}
