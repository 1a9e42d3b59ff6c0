from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from thinktank.extensions import db
from thinktank.timeutil import UTCDateTime, utcnow


class DocumentStatus(StrEnum):
    PENDING = "pending"  # waiting for the renderer
    RENDERING = "rendering"
    DONE = "done"
    FAILED = "failed"


class DocumentCounter(db.Model):
    """The last sequence number given out for a number prefix in a year.

    Issuing increments it with a single UPDATE in the issuing transaction, so
    concurrent issues wait for each other (no duplicates) and a rolled-back
    issue gives its number back (no gaps)."""

    __tablename__ = "document_counters"
    __table_args__ = (UniqueConstraint("prefix", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(40))
    year: Mapped[int]
    last_sequence: Mapped[int] = mapped_column(default=0)


class IssuedDocument(db.Model):
    """One version of an issued PDF document, frozen once rendered.

    The HTML is built and checked when the document is issued; a renderer turns
    it into the PDF later. The PDF bytes are kept in the database rather than in
    UPLOAD_DIR: documents are small (fonts are subset), a database backup then
    holds everything, and a row and its file can never part. A correction is a
    new row with the same number, ``version`` + 1 and ``supersedes_id``; a
    subject has one number per kind, so one version 1 per kind and subject
    (kinds without a subject have a NULL ``subject_id``, which never clashes).
    """

    __tablename__ = "issued_documents"
    __table_args__ = (
        UniqueConstraint("prefix", "year", "sequence", "version"),
        Index("ix_issued_documents_subject", "subject_type", "subject_id"),
        Index("uq_issued_documents_kind_subject", "kind", "subject_type", "subject_id", "version",
              unique=True),
        Index("ix_issued_documents_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    title: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(40))
    year: Mapped[int]
    sequence: Mapped[int]
    number: Mapped[str] = mapped_column(String(80))  # e.g. 赣生智咨〔2026〕3号
    version: Mapped[int] = mapped_column(default=1)
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("issued_documents.id", ondelete="RESTRICT")
    )
    reason: Mapped[str | None] = mapped_column(Text)  # why a new version was issued
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verification_code: Mapped[str] = mapped_column(String(16), unique=True)
    status: Mapped[str] = mapped_column(String(12), default=DocumentStatus.PENDING.value)
    error: Mapped[str | None] = mapped_column(Text)
    # Characters the fonts lack that the issuer chose to print anyway (as empty boxes).
    missing_characters: Mapped[str | None] = mapped_column(Text)
    html: Mapped[str] = deferred(mapped_column(Text))
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    size: Mapped[int | None]
    page_count: Mapped[int | None]
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    render_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    issued_by = relationship("User")
    supersedes: Mapped["IssuedDocument | None"] = relationship(remote_side=[id])

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    @property
    def is_done(self) -> bool:
        return self.status == DocumentStatus.DONE

    @property
    def in_progress(self) -> bool:
        return self.status in {DocumentStatus.PENDING, DocumentStatus.RENDERING}

    @property
    def display_code(self) -> str:
        """The verification code in two groups of five, as printed."""
        return f"{self.verification_code[:5]}-{self.verification_code[5:]}"
