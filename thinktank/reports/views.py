import io

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.permissions import Role, public, roles
from thinktank.reports import services
from thinktank.reports.background import submit_render
from thinktank.reports.forms import IssueForm, ReissueForm, VerifyForm
from thinktank.reports.labels import STATUS_LABELS
from thinktank.reports.models import IssuedDocument
from thinktank.reports.registry import KINDS
from thinktank.views import committed

# Issued documents are the secretariat's work; admins may read them. Officials
# will be added once the documents they receive (opinions, results) exist.
READERS = (Role.SECRETARIAT, Role.ADMIN)
PROGRESS_REFRESH_SECONDS = 2


def _queue_render(document: IssuedDocument) -> None:
    """Render the committed document in the background (or here, if so configured)."""
    if current_app.config["REPORT_RENDER_IN_BACKGROUND"]:
        submit_render(current_app._get_current_object(), document.id)
    else:
        services.render_document(document.id)


def _index_page(form: IssueForm, refused: DomainError | None = None, status=200):
    """The list with the issue form; ``refused`` is the error that stopped an
    issue (missing characters, a number taken meanwhile)."""
    if form.subject_id.data is None:
        # Kinds about a subject are issued from the subject's page, not chosen here.
        form.kind.choices = [(name, label) for name, label in form.kind.choices
                             if KINDS[name].subject_type is None]
    page = db.paginate(services.document_query(), per_page=50, error_out=False)
    sequence, number = services.upcoming_sequence()
    return render_template(
        "reports/list.html", page=page, form=form, status_labels=STATUS_LABELS, kinds=KINDS,
        missing=refused if isinstance(refused, services.MissingGlyphs) else None,
        number_changed=isinstance(refused, services.NumberChanged),
        upcoming_sequence=sequence, upcoming_number=number,
    ), status


@roles(*READERS)
def index():
    form = IssueForm()
    kind = next(iter(KINDS.values()))
    form.kind.data, form.title.data = kind.name, str(kind.default_title)
    return _index_page(form)


@roles(Role.SECRETARIAT)
def issue():
    form = IssueForm()
    if not form.validate_on_submit():
        return _index_page(form, status=400)
    with committed(on_error=None) as done:
        document = services.request_issue(
            form.kind.data, form.subject_id.data, form.title.data, user=current_user,
            allow_missing_glyphs=form.allow_missing_glyphs.data,
            expected_sequence=form.sequence.data,
        )
    if isinstance(done.error, services.AlreadyIssued):
        existing = done.error.document
        return _detail_page(existing, ReissueForm(), already=done.error, status=409)
    if isinstance(done.error, services.MissingGlyphs | services.NumberChanged):
        return _index_page(form, done.error, status=409)
    if done.error:
        flash(done.error.message, "danger")
        return _index_page(form, status=400)
    _queue_render(document)  # once committed: the renderer reads the document's row
    return redirect(url_for("reports.detail", document_id=document.id))


def _detail_page(
    document: IssuedDocument, form: ReissueForm,
    missing: services.MissingGlyphs | None = None, status: int = 200,
    already: services.AlreadyIssued | None = None,
) -> Response:
    """The document's page; ``already`` is the refusal of a second issue of
    its subject, shown above it (the page then answers the issue's POST)."""
    all_versions = services.versions(document)
    response = Response(render_template(
        "reports/detail.html", document=document, versions=all_versions, form=form,
        status_labels=STATUS_LABELS, kind=KINDS.get(document.kind), missing=missing,
        already=already,
        can_reissue=all_versions[-1].id == document.id and not document.in_progress,
    ), status=status)
    if document.in_progress:
        # Without scripts (CSP), the page reloads itself until the PDF is ready;
        # by its address, as it may be the answer to an issue's POST.
        address = url_for("reports.detail", document_id=document.id)
        response.headers["Refresh"] = f"{PROGRESS_REFRESH_SECONDS}; url={address}"
    return response


@roles(*READERS)
def detail(document_id: int):
    return _detail_page(db.get_or_404(IssuedDocument, document_id), ReissueForm())


@roles(Role.SECRETARIAT)
def reissue(document_id: int):
    previous = db.get_or_404(IssuedDocument, document_id)
    form = ReissueForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for the new version."), "danger")
        return redirect(url_for("reports.detail", document_id=previous.id))
    with committed(on_error=None) as done:
        document = services.reissue(
            previous, form.reason.data, user=current_user,
            allow_missing_glyphs=form.allow_missing_glyphs.data,
        )
    if isinstance(done.error, services.MissingGlyphs):
        return _detail_page(previous, form, missing=done.error, status=409)
    if done.error:
        flash(done.error.message, "danger")
        return redirect(url_for("reports.detail", document_id=previous.id))
    _queue_render(document)
    return redirect(url_for("reports.detail", document_id=document.id))


@roles(*READERS)
def download(document_id: int):
    document = db.get_or_404(IssuedDocument, document_id)
    if not document.is_done:
        abort(404)
    return pdf_response(document)


def pdf_response(document: IssuedDocument) -> Response:
    """The document's frozen PDF as an attachment; the download is audited and committed."""
    with committed():  # the download is recorded before the file is sent
        data = services.download(document, user=current_user)
    response = send_file(
        io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
        download_name=services.download_name(document), max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@public
def verify():
    form = VerifyForm()
    result, checked = None, False
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"]
        result, checked = services.find_by_code(form.code.data), True
    elif form.validate_on_submit():
        upload = form.pdf.data
        if upload:
            limit = current_app.config["REPORT_VERIFY_MAX_BYTES"]
            data = upload.read(limit + 1)
            if len(data) > limit:
                abort(413)
            result, checked = services.find_by_pdf(data), True
        elif form.code.data:
            result, checked = services.find_by_code(form.code.data), True
        else:
            flash(_("Enter a verification code or choose a PDF file."), "warning")
    return render_template(
        "reports/verify.html", form=form, result=result, checked=checked,
        issued_on=services.issued_on(result) if result else None,
    )
