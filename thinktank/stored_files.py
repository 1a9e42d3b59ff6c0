"""Uploaded files that a database row records (session materials, application
attachments): one model mixin, one way to store and discard them, one download.

A file lives under ``UPLOAD_DIR/<folder>`` with a random name; the name the
user gave is only shown and sent back. ``StoredFile.store`` checks the file by
its content (never by its name), writes it whole and flushed to the disk
before its row can be committed (``thinktank.storage``), and adds the row to
the session. A file whose row is not committed (a domain error after it was
stored, a refused commit, a request that failed) is removed when the
transaction ends: no view has to clean up after an upload.

A new kind of stored file is a model ``class Kind(StoredFile, db.Model)`` with
its table name, the foreign key and relationship to what it belongs to, and
the class attributes ``folder``, ``types`` and ``wrong_type`` (optionally
``max_bytes``, ``too_large``, ``adds_extension``). Its service calls
``Kind.store`` after the area's own checks; its download view checks the
reader's permission and returns ``download(row)``."""

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar, Self

from flask import Response, abort, current_app, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, event, inspect
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.storage import write_new_file
from thinktank.timeutil import UTCDateTime, utcnow


@dataclass(frozen=True)
class FileType:
    """An accepted file type: its MIME type and the file name endings that go with it."""

    mimetype: str
    extensions: tuple[str, ...]


PDF = FileType("application/pdf", (".pdf",))
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                (".docx",))
XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
PPTX = FileType("application/vnd.openxmlformats-officedocument.presentationml.presentation",
                (".pptx",))
PNG = FileType("image/png", (".png",))
JPEG = FileType("image/jpeg", (".jpg", ".jpeg"))
GIF = FileType("image/gif", (".gif",))
WEBP = FileType("image/webp", (".webp",))

# Office Open XML files are zip archives told apart by their main folder.
OFFICE_FOLDERS = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))


def file_type(data: bytes) -> FileType | None:
    """The type of a file judged by its content (never by its name), or None
    when it is none of the types above."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"PK\x03\x04"):
        return _office_type(data)
    return None


def _office_type(data: bytes) -> FileType | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return None
    if "[Content_Types].xml" not in names:
        return None
    for folder, kind in OFFICE_FOLDERS:
        if any(name.startswith(folder) for name in names):
            return kind
    return None


# session.info key: (row, path) of the files stored in the open transaction.
_UNCOMMITTED = "stored_files.uncommitted"


class StoredFile:
    """Columns and storage of a model whose rows each record one uploaded file."""

    # What each kind says about itself:
    folder: ClassVar[str]  # below UPLOAD_DIR
    types: ClassVar[tuple[FileType, ...]]  # accepted, judged by the content
    wrong_type: ClassVar[str]  # the message refusing any other content
    max_bytes: ClassVar[int] = 20 * 1024 * 1024
    too_large: ClassVar[str] = _l("A file may have at most %(mb)d MB.")
    # A name not ending as the content's type gets the type's ending (True),
    # or the file is refused as not matching its name (False).
    adds_extension: ClassVar[bool] = False

    id: Mapped[int] = mapped_column(primary_key=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @declared_attr
    def content_type(cls):
        """The type the content showed: a column where a kind takes several
        types, the one type otherwise."""
        if len(cls.types) == 1:
            return cls.types[0].mimetype
        return mapped_column(String(100), nullable=False)

    @classmethod
    def directory(cls) -> Path:
        return Path(current_app.config["UPLOAD_DIR"]) / cls.folder

    @property
    def path(self) -> Path:
        return self.directory() / self.stored_name

    @classmethod
    def store(cls, data: bytes, name: str, *, user=None, **values) -> Self:
        """Check ``data``, write it and add its row (with ``values``) to the session.

        ``data`` may be one byte longer than ``max_bytes`` (what the caller
        read), so that a file too large is refused without reading it whole.
        ``name`` is the user's file name, already reduced to a base name.
        Raises ``DomainError`` for a file refused, ``StorageUnavailable`` when
        the disk cannot take it; either way nothing is kept."""
        found = cls._check(data)
        if not name.lower().endswith(found.extensions):
            if not cls.adds_extension:
                raise DomainError(_("The file name does not match its content; expected a "
                                    "name ending in %(ext)s.", ext=" / ".join(found.extensions)))
            name += found.extensions[0]
        if len(cls.types) > 1:
            values["content_type"] = found.mimetype
        stored_name = secrets.token_hex(16)
        path = write_new_file(cls.directory(), stored_name, data)
        # Made only now: given its parent, the row joins the session at once.
        row = cls(original_name=name, stored_name=stored_name, size=len(data),
                  sha256=hashlib.sha256(data).hexdigest(),
                  uploaded_by_id=getattr(user, "id", None), **values)
        db.session.add(row)
        db.session.info.setdefault(_UNCOMMITTED, []).append((row, path))
        return row

    @classmethod
    def _check(cls, data: bytes) -> FileType:
        if not data:
            raise DomainError(_("The file is empty."))
        if len(data) > cls.max_bytes:
            raise DomainError(str(cls.too_large) % {"mb": cls.max_bytes // (1024 * 1024)})
        found = file_type(data)
        if found not in cls.types:
            raise DomainError(str(cls.wrong_type))
        return found


@event.listens_for(db.session, "after_commit")
def _keep_committed(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outer transaction decides
    for row, path in session.info.pop(_UNCOMMITTED, ()):
        if not inspect(row).persistent:  # taken back with a savepoint before the commit
            path.unlink(missing_ok=True)


@event.listens_for(db.session, "after_transaction_end")
def _discard_uncommitted(session, transaction) -> None:
    """The outermost transaction ended without a commit: its files go."""
    if transaction.parent is None:
        for _row, path in session.info.pop(_UNCOMMITTED, ()):
            path.unlink(missing_ok=True)


def download(stored: StoredFile) -> Response:
    """The file as an attachment under the user's name for it; never cached or
    sniffed into another type. 404 (and an error in the log) if it is missing."""
    path = stored.path
    if not path.is_file():
        current_app.logger.error("%s %s missing at %s", type(stored).__name__, stored.id, path)
        abort(404)
    response = send_file(path, mimetype=stored.content_type, as_attachment=True,
                         download_name=stored.original_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
