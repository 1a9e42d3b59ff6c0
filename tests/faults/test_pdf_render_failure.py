"""A PDF render that fails: the document keeps the number it was issued with
(numbers have no gaps: the failure neither gives the number back nor takes
another), shows the error on its page, has no PDF to download or verify, and
a new version issued once the cause is fixed is rendered under that same
number.

The failure is injected into WeasyPrint itself, the one part mocked here:
``Document.write_pdf`` raises the error a full disk gives, after the real
HTML parsing and layout. Everything else runs for real, the render on the
background thread included."""

import errno

import pytest
from sqlalchemy import select
from weasyprint.document import Document

from tests.helpers import wait_until
from thinktank.audit.models import AuditEntry
from thinktank.extensions import db
from thinktank.reports import services
from thinktank.reports.models import DocumentCounter, DocumentStatus, IssuedDocument
from thinktank.timeutil import today_in_display_zone

TITLE = "专家库构成统计表"


def no_space_left(self, *args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def rendered(document_id: int, timeout: float = 60) -> IssuedDocument:
    """The document once the background renderer is done with it."""

    def finished() -> IssuedDocument | None:
        db.session.expire_all()
        document = db.session.get(IssuedDocument, document_id)
        if not document.in_progress:
            return document
        db.session.rollback()
        return None

    document = wait_until(finished, timeout)
    if document is None:
        pytest.fail("the background render did not finish")
    return document


def followed(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def last_sequence() -> int:
    return db.session.scalar(select(DocumentCounter.last_sequence))


@pytest.fixture
def secretariat(client, auth, make_user, make_expert):
    for _ in range(3):
        make_expert()
    auth.login(make_user("secretariat"))
    return client


@pytest.mark.slow
def test_a_failed_render_keeps_its_number_and_a_new_version_issues_it(
    app, secretariat, runner, monkeypatch
):
    monkeypatch.setitem(app.config, "REPORT_RENDER_IN_BACKGROUND", True)
    number = f"赣生智咨〔{today_in_display_zone().year}〕1号"
    with monkeypatch.context() as broken:
        broken.setattr(Document, "write_pdf", no_space_left)
        failed = rendered(followed(secretariat.post(
            "/reports/issue", data={"kind": "pool_statistics", "title": TITLE, "sequence": 1}
        )))

    assert failed.status == DocumentStatus.FAILED
    assert (failed.number, failed.version, failed.pdf) == (number, 1, None)
    assert "No space left on device" in failed.error
    assert last_sequence() == 1
    assert db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "report.render_failed", AuditEntry.target_id == failed.id))
    page = secretariat.get(f"/reports/{failed.id}").get_data(as_text=True)
    assert number in page and "生成失败" in page
    assert 'id="render-error"' in page and "No space left on device" in page
    assert 'id="download"' not in page and 'id="reissue-form"' in page
    assert secretariat.get(f"/reports/{failed.id}/download").status_code == 404
    assert services.find_by_code(failed.verification_code) is None
    # Not retried behind anyone's back: the cause needs fixing first.
    assert runner.invoke(args=["reports", "render-pending"]).output.strip() == (
        "rendered 0, failed 0"
    )

    # The cause fixed, a new version is issued under the same number.
    retried = rendered(followed(secretariat.post(
        f"/reports/{failed.id}/reissue", data={"reason": "PDF 生成失败，排除故障后重新出具"}
    )))
    assert retried.status == DocumentStatus.DONE
    assert (retried.number, retried.version, retried.supersedes_id) == (number, 2, failed.id)
    assert secretariat.get(f"/reports/{retried.id}/download").data.startswith(b"%PDF")
    assert services.find_by_code(retried.verification_code).id == retried.id
    assert last_sequence() == 1
    page = secretariat.get(f"/reports/{retried.id}").get_data(as_text=True)
    assert 'id="versions"' in page and "生成失败" in page and 'id="download"' in page

    # The next document takes the next number: none was skipped.
    assert services.request_issue("pool_statistics", None, TITLE).sequence == 2
    db.session.rollback()
