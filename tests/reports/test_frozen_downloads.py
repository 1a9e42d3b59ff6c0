"""A download serves the bytes frozen when the document was rendered, never a
new render: after the data behind a document has changed (and a corrected
version was issued from it), the secretariat's download, the officials'
portal download and the public verification all still give or recognise
exactly the frozen bytes, whose SHA-256 is the one stored and audited.

Downloads run with WeasyPrint broken (the one part mocked, as in
tests/faults): a download that rendered anything, even from the stored HTML,
would fail instead of serving the frozen bytes."""

import errno
import hashlib
import io

import pytest
from sqlalchemy import select
from weasyprint.document import Document

from thinktank.audit.models import AuditEntry
from thinktank.experts.models import ExpertStatus
from thinktank.experts.services import set_status
from thinktank.extensions import db
from thinktank.reports.models import IssuedDocument

from .documents import confirmed

TITLE = "专家库构成统计表"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def issued_through_page(client, url: str, data: dict) -> IssuedDocument:
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.session.expire_all()
    document = db.session.get(IssuedDocument, int(response.headers["Location"].split("/")[-1]))
    assert document.is_done, document.error
    return document


@pytest.fixture
def frozen(app, client, auth, make_user, make_expert, pool):
    """Version 1 of the pool statistics issued and rendered, then the pool
    changed (an expert renamed, one suspended, two new) and version 2 issued
    from the changed pool; returns (version 1, its bytes, version 2)."""
    auth.login(make_user("secretariat"))
    first = issued_through_page(client, "/reports/issue", confirmed({"kind": "pool_statistics",
                                                                    "title": TITLE}))
    first_pdf = first.pdf
    assert first.sha256 == sha256(first_pdf)

    pool[0].name = "王燊"
    set_status(pool[1], ExpertStatus.SUSPENDED, "出国访学")
    make_expert(name="赵喆", category="行业协会", city="上饶", field_names=["生物化工"])
    make_expert(name="钱堃", category="行业协会", city="上饶", field_names=["生物化工"])
    db.session.commit()
    second = issued_through_page(client, f"/reports/{first.id}/reissue",
                                 {"reason": "专家库调整后重新出具"})
    # The changed data makes a different document: a new render could not pass as the old.
    assert second.number == first.number and second.pdf != first_pdf
    assert "王燊" in second.html and "王燊" not in first.html
    # ...and the data changes again after version 2.
    pool[2].name = "孙堃"
    db.session.commit()
    auth.logout()
    return first, first_pdf, second


def no_space_left(self, *args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture
def renderer_broken(monkeypatch):
    monkeypatch.setattr(Document, "write_pdf", no_space_left)


def _downloaded(client, url: str, document: IssuedDocument) -> bytes:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert sha256(response.data) == document.sha256
    audit = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "report.downloaded",
                                 AuditEntry.target_id == document.id)
        .order_by(AuditEntry.id.desc())).first()
    assert audit.payload["sha256"] == document.sha256
    return response.data


def test_the_secretariat_downloads_each_version_as_frozen(client, auth, make_user, frozen,
                                                          renderer_broken):
    first, first_pdf, second = frozen
    auth.login(make_user("secretariat"))

    assert _downloaded(client, f"/reports/{first.id}/download", first) == first_pdf
    assert _downloaded(client, f"/reports/{second.id}/download", second) == second.pdf
    # Downloading again gives the same bytes; nothing was rendered or stored anew.
    assert _downloaded(client, f"/reports/{first.id}/download", first) == first_pdf
    db.session.expire_all()
    stored = db.session.get(IssuedDocument, first.id)
    assert (stored.pdf, stored.sha256) == (first_pdf, sha256(first_pdf))
    assert "王燊" not in stored.html and "孙堃" not in stored.html


def test_the_portal_serves_the_frozen_current_version(client, auth, make_user, frozen,
                                                       renderer_broken):
    first, _first_pdf, second = frozen
    auth.login(make_user("official"))

    assert _downloaded(client, f"/portal/documents/{second.id}/download", second) == second.pdf
    # The superseded version does not leave the secretariat.
    assert client.get(f"/portal/documents/{first.id}/download").status_code == 404


def test_only_the_frozen_bytes_verify(client, frozen, renderer_broken):
    first, first_pdf, second = frozen

    def verify_upload(data: bytes) -> str:
        return client.post("/verify", data={"pdf": (io.BytesIO(data), "文件.pdf")},
                           content_type="multipart/form-data").get_data(as_text=True)

    old = verify_upload(first_pdf)
    assert first.number in old and "已被更新版本替代" in old
    current = verify_upload(second.pdf)
    assert second.number in current and "现行版本" in current
    by_code = client.get(f"/verify?code={first.verification_code}").get_data(as_text=True)
    assert first.number in by_code and "已被更新版本替代" in by_code
    # Bytes that differ from the frozen ones are not recognised.
    assert 'class="alert alert-danger"' in verify_upload(first_pdf + b"\n")
