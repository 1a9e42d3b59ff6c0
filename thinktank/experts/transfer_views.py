"""Excel import (upload, preview, confirm) and export of the expert pool.

Routes on the ``experts`` blueprint. The uploaded file is kept between the
preview and the confirmation under a random name recorded in the user's
session, validated again at confirmation and deleted then.
"""

import io

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import InputRequired

from thinktank.errors import DomainError
from thinktank.experts import transfer
from thinktank.experts.importer import COLUMNS
from thinktank.experts.views import filters_from_request
from thinktank.imports import client_filename
from thinktank.permissions import Role, roles
from thinktank.spreadsheets import template_bytes
from thinktank.timeutil import today_in_display_zone
from thinktank.views import committed

PENDING_IMPORT = "expert_import"  # session key: {"token": ..., "filename": ...}
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(FlaskForm):
    file = FileField(_l("Excel file (.xlsx)"),
                     validators=[FileRequired(_l("Choose the file to import."))])


class ConfirmImportForm(FlaskForm):
    token = HiddenField(validators=[InputRequired()])


@roles(Role.SECRETARIAT)
def import_upload():
    form = ImportForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return _upload_page(form), status
    upload = form.file.data
    # Reading one byte past the limit is enough to refuse a file that is too large.
    data = upload.read(current_app.config["EXPERT_IMPORT_MAX_BYTES"] + 1)
    filename = client_filename(upload.filename)
    try:
        report = transfer.import_experts(data, filename, dry_run=True)
    except DomainError as error:
        form.file.errors.append(error.message)
        return _upload_page(form), 400
    if not report.ok:
        return _preview_page(report, None), 422
    _forget_pending_import()
    token = transfer.stash_upload(data)
    session[PENDING_IMPORT] = {"token": token, "filename": filename}
    return _preview_page(report, ConfirmImportForm(token=token))


@roles(Role.SECRETARIAT)
def import_confirm():
    form = ConfirmImportForm()
    pending = session.get(PENDING_IMPORT) or {}
    data = None
    # Only the preview last shown in this session can be confirmed, and only once.
    if form.validate_on_submit() and pending.get("token") == form.token.data:
        session.pop(PENDING_IMPORT)
        data = transfer.claim_upload(form.token.data)
    if data is None:
        flash(_("This import was already confirmed or has expired. "
                "Please upload the file again."), "warning")
        return redirect(url_for("experts.import_upload"))
    with committed() as done:  # a report with problems has written nothing
        report = transfer.import_experts(data, pending["filename"], dry_run=False)
    if not done:
        return redirect(url_for("experts.import_upload"))
    if not report.ok:
        return _preview_page(report, None), 422
    flash(_("Import done: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.",
            created=report.created, updated=report.updated, unchanged=report.unchanged),
          "success")
    return redirect(url_for("experts.index"))


@roles(Role.SECRETARIAT)
def export():
    _form, filters = filters_from_request()
    with committed():
        data, _count = transfer.export_pool(filters)
    response = send_file(
        io.BytesIO(data),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=f"专家库-{today_in_display_zone():%Y%m%d}.xlsx",
    )
    response.headers["Cache-Control"] = "private, no-store"  # mobiles and emails
    return response


@roles(Role.SECRETARIAT)
def import_template():
    response = send_file(io.BytesIO(template_bytes(COLUMNS)), mimetype=XLSX_MIMETYPE,
                         as_attachment=True,
                         download_name=_("expert import template") + ".xlsx")
    response.headers["Cache-Control"] = "private, no-store"  # as every download
    return response


def _forget_pending_import() -> None:
    """A new upload replaces the one waiting for confirmation in this session."""
    pending = session.pop(PENDING_IMPORT, None)
    if pending:
        transfer.discard_upload(pending["token"])


def _upload_page(form: ImportForm) -> str:
    return render_template("experts/import.html", form=form, columns=COLUMNS)


def _preview_page(report: transfer.ImportReport, confirm_form: ConfirmImportForm | None) -> str:
    return render_template("experts/import_preview.html", report=report,
                           confirm_form=confirm_form, describe=transfer.describe)
