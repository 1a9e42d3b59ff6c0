"""Session materials: content checks, storage outside the web root, downloads."""

import hashlib
import io
import os
import zipfile
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from sqlalchemy import func, select

from tests.consultations.factories import make_session
from tests.helpers import Auth
from thinktank.consultations import services
from thinktank.consultations.models import SessionMaterial
from thinktank.extensions import db
from thinktank.stored_files import file_type

PDF_BYTES = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def office_file(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<document/>")
    return buffer.getvalue()


def workbook() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not an office file")
    return buffer.getvalue()


def materials_dir(app) -> Path:
    return Path(app.config["UPLOAD_DIR"]) / "materials"


def stored_files(app) -> set[str]:
    directory = materials_dir(app)
    return set(os.listdir(directory)) if directory.exists() else set()


@pytest.fixture
def secretariat(client, auth, make_user):
    auth.login(make_user("secretariat"))
    return client


def upload(client, session_id: int, data: bytes, name: str):
    return client.post(
        f"/consultations/{session_id}/materials",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("data", "mimetype"),
    [
        (PDF_BYTES, "application/pdf"),
        (office_file("word/"),
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (workbook(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (office_file("ppt/"),
         "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        (PNG_BYTES, "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 16, "image/jpeg"),
        (b"GIF89a" + b"\x00" * 16, "image/gif"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
    ],
)
def test_types_are_told_by_content(data, mimetype):
    assert file_type(data).mimetype == mimetype


@pytest.mark.parametrize(
    "data",
    [b"MZ\x90\x00\x03" + b"\x00" * 64, plain_zip(), b"PK\x03\x04 broken zip", b"hello",
     b"<html><script>alert(1)</script>", b"RIFF\x10\x00\x00\x00WAVEfmt "],
)
def test_other_content_is_not_a_material(data):
    assert file_type(data) is None


def test_upload_and_download_a_pdf(app, secretariat):
    session = make_session()
    name = "会议材料（第一批）.pdf"
    response = upload(secretariat, session.id, PDF_BYTES, f"../../static/{name}")
    assert response.status_code == 302
    material = db.session.scalar(select(SessionMaterial))
    assert material.original_name == name
    assert material.size == len(PDF_BYTES)
    assert material.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    # On disk under a random name in UPLOAD_DIR/materials, never the user's name.
    assert stored_files(app) == {material.stored_name}
    assert len(material.stored_name) == 32 and name not in material.stored_name
    assert (materials_dir(app) / material.stored_name).read_bytes() == PDF_BYTES
    assert name in secretariat.get(f"/consultations/{session.id}").get_data(as_text=True)

    response = secretariat.get(f"/consultations/materials/{material.id}")
    assert response.status_code == 200
    assert response.data == PDF_BYTES
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(name)}" in disposition


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"MZ\x90\x00\x03" + b"\x00" * 64, "会议议程.pdf", "仅可上传"),  # a program renamed .pdf
        (plain_zip(), "意见汇总.docx", "仅可上传"),  # a zip that is not a Word file
        (PDF_BYTES, "意见汇总.docx", "文件名与文件内容不符"),
        (b"", "空文件.pdf", "文件为空"),
    ],
)
def test_bad_uploads_are_refused_and_leave_nothing(app, secretariat, data, name, message):
    session = make_session()
    response = upload(secretariat, session.id, data, name)
    assert response.status_code == 302
    page = secretariat.get(f"/consultations/{session.id}").get_data(as_text=True)
    assert message in page
    assert db.session.scalar(select(func.count()).select_from(SessionMaterial)) == 0
    assert stored_files(app) == set()


def test_a_file_over_20_mb_is_refused(app, secretariat):
    session = make_session()
    too_large = PDF_BYTES + b"0" * (20 * 1024 * 1024 + 1 - len(PDF_BYTES))
    response = upload(secretariat, session.id, too_large, "大文件.pdf")
    assert response.status_code == 302
    assert "单个文件不得超过 20 MB" in secretariat.get(
        f"/consultations/{session.id}").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SessionMaterial)) == 0
    assert stored_files(app) == set()


def test_a_file_of_exactly_20_mb_is_taken(app):
    session = make_session()
    data = PDF_BYTES + b"0" * (SessionMaterial.max_bytes - len(PDF_BYTES))
    material = services.add_material(session, "整本.pdf", data)
    db.session.commit()
    assert material.size == SessionMaterial.max_bytes


def test_a_cancelled_session_takes_no_materials(app, secretariat):
    session = make_session(status="cancelled")
    upload(secretariat, session.id, PDF_BYTES, "材料.pdf")
    assert db.session.scalar(select(func.count()).select_from(SessionMaterial)) == 0


def test_officials_download_only_materials_of_sessions_they_see(app, make_user, make_expert):
    held = make_session(status="held")
    draft = make_session()
    held_file = services.add_material(held, "纪要.pdf", PDF_BYTES)
    draft_file = services.add_material(draft, "草稿.png", PNG_BYTES)
    db.session.commit()

    def client_for(role, **kwargs):
        client = app.test_client()
        Auth(client).login(make_user(role, **kwargs))
        return client

    official = client_for("official")
    assert official.get(f"/consultations/materials/{held_file.id}").status_code == 200
    assert official.get(f"/consultations/materials/{draft_file.id}").status_code == 403
    admin = client_for("admin")
    assert admin.get(f"/consultations/materials/{draft_file.id}").status_code == 200
    expert = client_for("expert", expert=make_expert())
    assert expert.get(f"/consultations/materials/{held_file.id}").status_code == 403
    assert official.get("/consultations/materials/999999").status_code == 404


def test_the_upload_is_audited(app, secretariat):
    from thinktank.audit.models import AuditEntry

    session = make_session()
    upload(secretariat, session.id, office_file("word/"), "征求意见稿.docx")
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "session.material_added"))
    assert entry.target_id == session.id and entry.payload["material"] == "征求意见稿.docx"
