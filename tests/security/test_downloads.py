"""Every download route sends its file as an attachment, under its Chinese
name (RFC 5987 ``filename*``), with the right Content-Type, ``nosniff`` and
no caching.

The routes are found by the walk (``walk.py``), not by a list: a response of
any GET route that is a file (``Content-Disposition: attachment``, or a type
other than a page) must belong to an endpoint of ``DOWNLOADS``, and every
endpoint there must have been downloaded by the walk."""

import re
from urllib.parse import unquote

from tests.security.walk import ATTACHMENT_NAME, MATERIAL_NAME

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"

# endpoint -> (Content-Type of the walk's download, why it is a download)
DOWNLOADS = {
    "experts.export": (XLSX, "the expert pool with mobiles and emails, for the secretariat"),
    "honoraria.session_export": (XLSX, "a session's honoraria sheet (劳务费发放表)"),
    "honoraria.round_export": (XLSX, "a review round's honoraria sheet"),
    "reviews.results_export": (XLSX, "a round's ranked results (评审结果)"),
    "admin.audit_export": (XLSX, "the filtered audit log, with e-mail and IP addresses, "
                                 "for admins"),
    "experts.import_template": (XLSX, "an empty expert import template (headers only)"),
    "reports.download": (PDF, "an issued document, for the secretariat and admins"),
    "portal.download": (PDF, "an issued document, for officials and the experts who served"),
    # The stored type, told by the content at upload; the walk's material is a PDF.
    "consultations.download_material": (PDF, "a session material"),
    "reviews.download_attachment": (PDF, "an application's PDF attachment"),
}
# Endpoints that serve the app's own assets inline (CSS, JS, images), not user files.
ASSET_ENDPOINTS = {"static", "bootstrap.static"}
# Responses that are pages or plain answers, not files.
PAGE_TYPES = {"text/html", "text/plain", "application/json"}
MAGIC = {PDF: b"%PDF-", XLSX: b"PK\x03\x04"}
# Download names the walk's files must arrive under: as they were uploaded.
EXPECTED_NAMES = {
    "consultations.download_material": MATERIAL_NAME,
    "reviews.download_attachment": ATTACHMENT_NAME,
}


def _mimetype(visit) -> str:
    return visit.headers.get("Content-Type", "").split(";")[0].strip()


def is_download(visit) -> bool:
    disposition = visit.headers.get("Content-Disposition", "")
    return disposition.startswith("attachment") or (
        visit.status == 200 and _mimetype(visit) not in PAGE_TYPES)


def _filename_star(disposition: str) -> str | None:
    match = re.search(r"filename\*=UTF-8''([^;\s]+)", disposition)
    return unquote(match.group(1)) if match else None


def test_every_download_is_a_listed_endpoint(site_walk):
    found = {visit.endpoint for visit in site_walk.visits
             if visit.endpoint not in ASSET_ENDPOINTS and is_download(visit)}
    unlisted = sorted(found - DOWNLOADS.keys())
    assert unlisted == [], (
        f"endpoints answering with a file but missing from DOWNLOADS: {unlisted}; "
        "list them with their type and reason, and check their headers")
    never = sorted(DOWNLOADS.keys() - found)
    assert never == [], f"listed downloads the walk never downloaded: {never}"


def test_downloads_are_attachments_with_their_type_nosniff_and_no_cache(site_walk):
    checked = 0
    for visit in site_walk.visits:
        if visit.endpoint not in DOWNLOADS or visit.status != 200:
            continue
        where = (visit.role, visit.endpoint, visit.url)
        mimetype, _reason = DOWNLOADS[visit.endpoint]
        assert _mimetype(visit) == mimetype, where
        assert visit.body.startswith(MAGIC[mimetype]), where  # the type matches the bytes
        assert visit.headers["X-Content-Type-Options"] == "nosniff", where
        disposition = visit.headers["Content-Disposition"]
        assert disposition.startswith("attachment;"), (where, disposition)
        assert "no-store" in visit.headers.get("Cache-Control", ""), (
            where, visit.headers.get("Cache-Control"))
        checked += 1
    assert checked >= len(DOWNLOADS)


def test_chinese_download_names_are_sent_as_rfc_5987(site_walk):
    """Every download of the walk has a Chinese name: ``filename*=UTF-8''…``
    carries it whole, beside an ASCII ``filename=`` for old clients."""
    for visit in site_walk.visits:
        if visit.endpoint not in DOWNLOADS or visit.status != 200:
            continue
        disposition = visit.headers["Content-Disposition"]
        name = _filename_star(disposition)
        assert name is not None, (visit.endpoint, disposition)
        assert re.search(r"[\u4e00-\u9fff]", name), (visit.endpoint, name)
        assert "/" not in name and "\\" not in name, name
        fallback = re.search(r'filename="?([^";]*)"?', disposition).group(1)
        assert fallback.isascii(), (visit.endpoint, disposition)
        if visit.endpoint in EXPECTED_NAMES:
            assert name == EXPECTED_NAMES[visit.endpoint], (visit.endpoint, name)
