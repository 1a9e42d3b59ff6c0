"""The stored-file model on its own (``thinktank.stored_files``): a file is
kept exactly when its row is committed, refused by its content, and sent
back the same way whatever kind it is. Its two kinds are tested through
their pages in tests/consultations/test_materials.py and
tests/reviews/test_applications.py."""

from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select
from werkzeug.http import parse_options_header

from tests.consultations.factories import make_session
from tests.reviews.round_factories import application_data, make_round
from thinktank.consultations.models import SessionMaterial
from thinktank.errors import DomainError, StorageUnavailable
from thinktank.extensions import db
from thinktank.reviews.applications import create_application
from thinktank.reviews.models import ApplicationAttachment
from thinktank.stored_files import download

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PDF_TYPE = "application/pdf"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def upload_dir(app, tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(folder))
    return folder


def files_below(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def rows(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_a_committed_file_is_kept_and_sent_back(app, upload_dir):
    session = make_session()
    material = SessionMaterial.store(PNG, "现场照片.png", session=session)
    db.session.commit()
    assert files_below(upload_dir) == [upload_dir / "materials" / material.stored_name]
    assert material.path.read_bytes() == PNG and material.content_type == "image/png"

    with app.test_request_context():
        response = download(material)
        response.direct_passthrough = False
        assert response.get_data() == PNG
    assert response.mimetype == "image/png"
    assert parse_options_header(response.headers["Content-Disposition"]) == (
        "attachment", {"filename": "现场照片.png"})
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"

    # A later transaction that is rolled back leaves the committed file alone.
    SessionMaterial.store(PDF, "议程.pdf", session=session)
    db.session.rollback()
    assert files_below(upload_dir) == [material.path]


def test_a_kind_of_one_type_keeps_no_type_column_and_names_its_files_after_it(app, upload_dir):
    application = create_application(make_round(), application_data())
    attachment = ApplicationAttachment.store(PDF, "申报书", application=application)
    db.session.commit()
    assert "content_type" not in inspect(ApplicationAttachment).columns
    assert attachment.original_name == "申报书.pdf" and attachment.content_type == PDF_TYPE
    assert attachment.path.read_bytes() == PDF


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "空.pdf", "文件为空"),
    (b"MZ\x90\x00" + b"\x00" * 64, "程序.pdf", "仅可上传"),
    (PDF, "议程.docx", "文件名与文件内容不符"),
    (PDF + bytes(SessionMaterial.max_bytes + 1 - len(PDF)), "大.pdf", "20 MB"),
])
def test_a_refused_file_leaves_neither_file_nor_row(app, upload_dir, data, name, message):
    session = make_session()
    with pytest.raises(DomainError, match=message):
        SessionMaterial.store(data, name, session=session)
    db.session.commit()
    assert rows(SessionMaterial) == 0 and files_below(upload_dir) == []


def test_storage_that_cannot_take_the_file_leaves_no_row(app, tmp_path, monkeypatch):
    blocker = tmp_path / "blocker"
    blocker.write_text("a regular file where the upload folder should be")
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(blocker / "uploads"))
    session = make_session()
    with pytest.raises(StorageUnavailable):
        SessionMaterial.store(PDF, "议程.pdf", session=session)
    db.session.commit()
    assert rows(SessionMaterial) == 0 and session.materials == []


def test_the_file_of_a_row_the_database_refuses_is_removed(app, upload_dir):
    session = make_session()
    kept = SessionMaterial.store(PDF, "议程.pdf", session=session)
    db.session.commit()
    refused = SessionMaterial.store(PNG, "照片.png", session=session)
    # In the same commit, a row the database refuses (the stored name is taken).
    db.session.add(SessionMaterial(session=session, original_name="x.pdf", content_type=PDF_TYPE,
                                   stored_name=kept.stored_name, size=1, sha256="0"))
    with pytest.raises(Exception, match="(?i)unique"):
        db.session.commit()
    db.session.rollback()
    assert not refused.path.exists()
    assert files_below(upload_dir) == [kept.path] and rows(SessionMaterial) == 1


def test_the_file_of_a_row_taken_back_with_a_savepoint_is_removed(app, upload_dir):
    session = make_session()
    kept = SessionMaterial.store(PDF, "议程.pdf", session=session)
    savepoint = db.session.begin_nested()
    taken_back = SessionMaterial.store(PNG, "照片.png", session=session)
    savepoint.rollback()
    db.session.commit()
    assert not taken_back.path.exists()
    assert files_below(upload_dir) == [kept.path] and rows(SessionMaterial) == 1
