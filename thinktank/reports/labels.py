"""What the pages call the issued documents' values (a document kind's own
name is on its ``DocumentKind`` in the registry)."""

from flask_babel import lazy_gettext as _l

from thinktank.reports.models import DocumentStatus

STATUS_LABELS = {
    DocumentStatus.PENDING: _l("Waiting to be rendered"),
    DocumentStatus.RENDERING: _l("Rendering"),
    DocumentStatus.DONE: _l("Issued"),
    DocumentStatus.FAILED: _l("Rendering failed"),
}
