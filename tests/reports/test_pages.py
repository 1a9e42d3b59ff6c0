"""The documents pages, downloads and the public verification page over HTTP."""

import io
import time
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from tests.helpers import wait_until
from thinktank.audit.models import AuditEntry
from thinktank.extensions import db
from thinktank.reports.models import DocumentStatus, IssuedDocument
from thinktank.reports.services import issued_on

from .documents import confirmed

TITLE = "专家库构成统计表"


@pytest.fixture
def secretariat(make_user, auth):
    user = make_user("secretariat")
    auth.login(user)
    return user


def issue_through_page(client, **extra) -> IssuedDocument:
    response = client.post("/reports/issue", data=confirmed({"kind": "pool_statistics",
                                                             "title": TITLE, **extra}))
    assert response.status_code == 302, response.get_data(as_text=True)
    document_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    db.session.expire_all()
    return db.session.get(IssuedDocument, document_id)


def test_list_offers_the_issue_form_to_the_secretariat(client, secretariat):
    page = client.get("/reports/").get_data(as_text=True)
    assert 'id="issue-form"' in page and "专家库统计表" in page
    assert "尚未出具任何文件" in page


def test_admin_reads_the_list_without_the_issue_form(client, make_user, auth):
    auth.login(make_user("admin"))
    page = client.get("/reports/")
    assert page.status_code == 200 and 'id="issue-form"' not in page.get_data(as_text=True)


def test_issue_and_download_returns_the_same_frozen_bytes(client, secretariat, pool):
    document = issue_through_page(client)
    assert document.status == DocumentStatus.DONE
    detail = client.get(f"/reports/{document.id}").get_data(as_text=True)
    assert document.number in detail and 'id="download"' in detail
    assert document.display_code in detail

    first = client.get(f"/reports/{document.id}/download")
    second = client.get(f"/reports/{document.id}/download")
    assert first.status_code == second.status_code == 200
    assert first.data == second.data == document.pdf
    assert first.mimetype == "application/pdf"
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    disposition = first.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"filename*=UTF-8''{quote(f'{document.number}-v1.pdf')}" in disposition
    downloads = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "report.downloaded", AuditEntry.target_id == document.id))
    assert downloads == 2
    listing = client.get("/reports/").get_data(as_text=True)
    assert document.number in listing and "已出具" in listing


def test_a_document_without_pdf_is_not_downloadable(client, secretariat, pool):
    document = issue_through_page(client)
    document.status = DocumentStatus.PENDING.value
    db.session.commit()
    assert client.get(f"/reports/{document.id}/download").status_code == 404
    assert client.get("/reports/999999/download").status_code == 404
    assert client.get("/reports/999999").status_code == 404


def test_missing_characters_are_shown_and_can_be_overridden(client, secretariat, pool,
                                                            make_expert):
    make_expert(name="李\ue000")
    response = client.post("/reports/issue",
                           data=confirmed({"kind": "pool_statistics", "title": TITLE}))
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'id="missing-glyphs"' in page and "U+E000" in page
    assert db.session.scalar(select(func.count()).select_from(IssuedDocument)) == 0
    document = issue_through_page(client, allow_missing_glyphs="y")
    assert document.missing_characters == "\ue000" and document.sequence == 1


def test_invalid_issue_forms_are_refused(client, secretariat):
    for data in ({"kind": "nonsense", "title": TITLE}, {"kind": "pool_statistics", "title": ""}):
        assert client.post("/reports/issue", data=data).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(IssuedDocument)) == 0


def test_version_two_keeps_version_one_downloadable(client, secretariat, pool, make_expert):
    first = issue_through_page(client)
    first_pdf = first.pdf
    make_expert(name="周喆")
    assert client.post(f"/reports/{first.id}/reissue", data={"reason": ""}).status_code == 302
    response = client.post(f"/reports/{first.id}/reissue", data={"reason": "补充新入库专家"})
    assert response.status_code == 302
    db.session.expire_all()
    second = db.session.scalar(select(IssuedDocument).where(IssuedDocument.version == 2))
    assert second.number == first.number and second.status == DocumentStatus.DONE
    assert client.get(f"/reports/{first.id}/download").data == first_pdf
    assert client.get(f"/reports/{second.id}/download").data == second.pdf != first_pdf
    page = client.get(f"/reports/{first.id}").get_data(as_text=True)
    assert 'id="versions"' in page and "补充新入库专家" in page and "已被替代" in page
    assert 'id="reissue-form"' not in page  # only the latest version can be reissued
    assert client.post(f"/reports/{first.id}/reissue", data={"reason": "再次"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(IssuedDocument)) == 2

    # /verify: version 1 is genuine but superseded, version 2 is current.
    old = client.get(f"/verify?code={first.verification_code}").get_data(as_text=True)
    assert "已被更新版本替代" in old and first.number in old
    new = client.get(f"/verify?code={second.verification_code}").get_data(as_text=True)
    assert "现行版本" in new


def test_verify_by_code_needs_no_login_and_shows_no_content(app, client, secretariat, pool):
    document = issue_through_page(client)
    anonymous = app.test_client()
    page = anonymous.post("/verify", data={"code": document.display_code.lower()})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'class="alert alert-success"' in text
    for shown in (document.title, document.number, issued_on(document), "现行版本"):
        assert shown in text
    assert "王堃" not in text and "/download" not in text  # the content stays private

    wrong = anonymous.post("/verify", data={"code": "ABCDE-FGHJK"}).get_data(as_text=True)
    assert 'class="alert alert-danger"' in wrong and document.number not in wrong
    empty = anonymous.post("/verify", data={"code": ""}).get_data(as_text=True)
    assert 'id="verify-result"' not in empty


def test_verify_by_upload_matches_the_exact_pdf_only(app, client, secretariat, pool):
    document = issue_through_page(client)
    anonymous = app.test_client()

    def upload(data: bytes):
        return anonymous.post("/verify", data={"pdf": (io.BytesIO(data), "文件.pdf")},
                              content_type="multipart/form-data")

    exact = upload(document.pdf).get_data(as_text=True)
    assert 'class="alert alert-success"' in exact and document.number in exact
    tampered = bytearray(document.pdf)
    tampered[len(tampered) // 3] ^= 0x20  # one byte changed
    changed = upload(bytes(tampered)).get_data(as_text=True)
    assert 'class="alert alert-danger"' in changed and document.number not in changed


def test_verify_refuses_an_upload_over_the_limit(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REPORT_VERIFY_MAX_BYTES", 1000)
    response = client.post("/verify", data={"pdf": (io.BytesIO(b"%PDF" + b"0" * 2000), "a.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 413


@pytest.mark.slow
def test_background_render_answers_at_once_then_offers_the_download(app, client, secretariat,
                                                                     pool, monkeypatch):
    monkeypatch.setitem(app.config, "REPORT_RENDER_IN_BACKGROUND", True)
    started = time.monotonic()
    document = issue_through_page(client)
    assert time.monotonic() - started < 5
    assert document.status in {DocumentStatus.PENDING, DocumentStatus.RENDERING}
    assert document.pdf is None
    waiting = client.get(f"/reports/{document.id}")
    if document.status != DocumentStatus.DONE:
        assert waiting.headers.get("Refresh") == f"2; url=/reports/{document.id}"

    def offering_the_download():
        page = client.get(f"/reports/{document.id}")
        if 'id="download"' in page.get_data(as_text=True):
            return page
        assert 'id="render-progress"' in page.get_data(as_text=True)
        return None

    page = wait_until(offering_the_download, timeout=60, interval=0.2)
    if page is None:
        pytest.fail("the background render did not finish")
    assert "Refresh" not in page.headers
    assert client.get(f"/reports/{document.id}/download").data.startswith(b"%PDF")


def test_reissue_warns_about_missing_characters_first(client, secretariat, pool, make_expert):
    first = issue_through_page(client)
    make_expert(name="吴\ue000")
    response = client.post(f"/reports/{first.id}/reissue", data={"reason": "更正"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "U+E000" in page and 'id="reissue-form"' in page
    assert db.session.scalar(select(func.count()).select_from(IssuedDocument)) == 1
    response = client.post(f"/reports/{first.id}/reissue",
                           data={"reason": "更正", "allow_missing_glyphs": "y"})
    assert response.status_code == 302
    second = db.session.scalar(select(IssuedDocument).where(IssuedDocument.version == 2))
    assert second.missing_characters == "\ue000"
    assert "缺字" in client.get(f"/reports/{second.id}").get_data(as_text=True)


def test_the_navigation_links_to_the_documents(client, secretariat):
    assert 'href="/reports/"' in client.get("/").get_data(as_text=True)
