from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from thinktank.consultations.labels import STATUS_LABELS as SESSION_STATUS_LABELS
from thinktank.extensions import db
from thinktank.pagecache import cached_page
from thinktank.permissions import Role, roles
from thinktank.portal import services
from thinktank.portal.charts import bar_chart
from thinktank.portal.forms import DocumentFilterForm
from thinktank.reports.registry import KINDS
from thinktank.reports.views import pdf_response
from thinktank.reviews.labels import STATUS_LABELS as ROUND_STATUS_LABELS

OVERVIEW_READERS = (Role.OFFICIAL, Role.SECRETARIAT, Role.ADMIN)
# Experts too: the services narrow them to the sessions and rounds they served on.
DOCUMENT_READERS = (*OVERVIEW_READERS, Role.EXPERT)
PER_PAGE = 25


def _chart(chart_id: str, title: str, rows, total: int):
    return bar_chart(
        chart_id, title, [(row.label, row.count) for row in rows],
        _("%(n)d active experts", n=total),
    )


@roles(*OVERVIEW_READERS)
def overview():
    counts = services.overview(current_user)
    charts = {
        "category": _chart("chart-category", _("Experts by category"), counts.by_category,
                           counts.pool_total),
        "field": _chart("chart-field", _("Experts by expertise field"), counts.by_field,
                        counts.pool_total),
        "city": _chart("chart-city", _("Experts by city"), counts.by_city, counts.pool_total),
    }
    return render_template(
        "portal/overview.html", counts=counts, charts=charts, kinds=KINDS,
        session_status_labels=SESSION_STATUS_LABELS, round_status_labels=ROUND_STATUS_LABELS,
    )


def _filters(form: DocumentFilterForm) -> services.DocumentFilters:
    """The filters of the query string; a value that does not validate is ignored."""
    form.validate()

    def value(name: str):
        return None if form[name].errors else form[name].data or None

    round_id = value("round")
    return services.DocumentFilters(
        kind=value("kind"), topic=value("topic"),
        round_id=int(round_id) if round_id else None,
        issued_from=value("issued_from"), issued_to=value("issued_to"),
    )


@roles(*DOCUMENT_READERS)
@cached_page
def documents():
    form = DocumentFilterForm(request.args)
    form.kind.choices = [("", _("All kinds"))] + [
        (name, kind.label) for name, kind in KINDS.items()
    ]
    form.round.choices = [("", _("All rounds"))] + [
        (str(round_id), name) for round_id, name in services.round_choices(current_user)
    ]
    page = db.paginate(
        services.document_query(current_user, _filters(form)),
        per_page=PER_PAGE, max_per_page=100, error_out=False,
    )
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "portal/documents.html", form=form, page=page, args=args, kinds=KINDS,
    )


@roles(*DOCUMENT_READERS)
def download(document_id: int):
    # Pending, failed, superseded and unreleased documents are answered as
    # missing: outside the secretariat they do not exist.
    document = services.readable_document(current_user, document_id)
    if document is None:
        abort(404)
    return pdf_response(document)
