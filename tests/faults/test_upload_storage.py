"""The upload storage refusing a file: a session material, an application's
PDF attachment or an expert workbook waiting for its confirmation. The user
gets a 503 page in Chinese (not a 500), the database keeps no row, audit
entry or file for it, and no partly written file is left behind.

Tests run as root, for whom permissions stop nothing, so the storage is made
unusable for real: ``UPLOAD_DIR`` below a regular file (ENOTDIR), or on a
64 KB tmpfs filled up to its last page (ENOSPC; skipped where mounting is not
permitted)."""

import errno
import io
import os
import random
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.consultations.factories import make_session
from tests.experts.workbooks import row, workbook
from tests.reviews.round_factories import application_data, make_round
from thinktank.audit.models import AuditEntry
from thinktank.consultations.models import SessionMaterial
from thinktank.experts.models import Expert
from thinktank.extensions import db
from thinktank.reviews.applications import create_application
from thinktank.reviews.models import ApplicationAttachment

MESSAGE = "文件无法保存"
PAGE = 4096
FILE_SIZE = 16 * PAGE  # larger than what a full disk has left


@dataclass
class Upload:
    folder: str  # below UPLOAD_DIR
    data: bytes
    send: Callable  # (client) -> response
    rows: Callable[[], int]  # rows that record such a file (with their audit entries)


def material_upload() -> Upload:
    session_id = make_session().id
    data = b"%PDF-1.7\n" + b"0" * FILE_SIZE

    def send(client):
        return client.post(f"/consultations/{session_id}/materials",
                           data={"file": (io.BytesIO(data), "会议材料.pdf")},
                           content_type="multipart/form-data")

    def rows():
        return count(SessionMaterial.id) + audited("session.material_added")

    return Upload("materials", data, send, rows)


def attachment_upload() -> Upload:
    application = create_application(make_round(), application_data())
    db.session.commit()
    application_id = application.id
    data = b"%PDF-1.7\n" + b"0" * FILE_SIZE

    def send(client):
        return client.post(f"/reviews/applications/{application_id}/attachments",
                           data={"file": (io.BytesIO(data), "申报书.pdf")},
                           content_type="multipart/form-data")

    def rows():
        return count(ApplicationAttachment.id) + audited("review_application.attachment_added")

    return Upload("applications", data, send, rows)


def workbook_upload() -> Upload:
    # Notes of varied characters (they must not compress away), so that the
    # workbook is larger than what a full disk has left.
    chars = random.Random(7)
    notes = ["".join(chr(0x4E00 + chars.randrange(3000)) for _ in range(600)) for _ in range(4)]
    data = workbook([row(备注=note) for note in notes])
    assert len(data) > 2 * PAGE

    def send(client):
        return client.post("/experts/import",
                           data={"file": (io.BytesIO(data), "专家名单.xlsx")},
                           content_type="multipart/form-data")

    def rows():
        return count(Expert.id) + audited("experts.imported")

    return Upload("imports", data, send, rows)


UPLOADS = {"material": material_upload, "attachment": attachment_upload,
           "workbook": workbook_upload}


def count(column) -> int:
    return db.session.scalar(select(func.count(column)))


def audited(action: str) -> int:
    return db.session.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.action == action)
    )


def files_below(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())


@pytest.fixture
def secretariat(client, auth, make_user):
    auth.login(make_user("secretariat"))
    return client


@pytest.fixture
def full_disk(tmp_path):
    """A 64 KB tmpfs filled up to its last free page."""
    mount_point = tmp_path / "full-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(mount_point)],
        capture_output=True, text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill up: {mounted.stderr.strip()}")
    try:
        for folder in ("materials", "applications", "imports"):
            (mount_point / folder).mkdir()
        filler = mount_point / "filler"
        descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(descriptor, b"\0" * PAGE):
                pass
        except OSError as error:
            if error.errno != errno.ENOSPC:
                raise
        finally:
            os.close(descriptor)
        os.truncate(filler, filler.stat().st_size - PAGE)
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def broken_storage(kind: str, tmp_path: Path, request) -> tuple[Path, list[str]]:
    """The UPLOAD_DIR to use and the files it holds before the upload."""
    if kind == "not-a-directory":
        blocker = tmp_path / "blocker"
        blocker.write_text("a regular file where the upload folder should be")
        return blocker / "uploads", []
    disk = request.getfixturevalue("full_disk")
    return disk, files_below(disk)


@pytest.mark.parametrize("fault", ["not-a-directory", "disk-full"])
@pytest.mark.parametrize("upload_kind", sorted(UPLOADS))
def test_an_upload_the_storage_refuses_is_a_503_and_leaves_nothing(
    app, secretariat, monkeypatch, tmp_path, request, fault, upload_kind
):
    upload = UPLOADS[upload_kind]()
    upload_dir, files_before = broken_storage(fault, tmp_path, request)
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(upload_dir))
    rows_before = upload.rows()

    response = upload.send(secretariat)

    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert MESSAGE in page and "Traceback" not in page
    assert response.headers["Retry-After"]
    db.session.expire_all()
    assert upload.rows() == rows_before
    if upload_dir.is_dir():  # the full disk: no partly written file is left
        assert files_below(upload_dir) == files_before

    # Once the storage works again, the same upload goes through.
    working = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(working))
    response = upload.send(secretariat)
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]
    assert [p.read_bytes() for p in (working / upload.folder).iterdir()] == [upload.data]
