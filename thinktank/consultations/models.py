import uuid
from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from thinktank.extensions import db
from thinktank.stored_files import DOCX, GIF, JPEG, PDF, PNG, PPTX, WEBP, XLSX, StoredFile
from thinktank.timeutil import UTCDateTime, utcnow


class SessionKind(StrEnum):
    REGULAR = "regular"  # 定期会商
    TOPICAL = "topical"  # 专题咨询
    DECISION = "decision"  # 决策咨询
    ASSESSMENT = "assessment"  # 评估论证


class SessionTopic(StrEnum):
    """The consultation areas named by the provincial action plan."""

    PLANNING = "planning"  # 产业规划编制
    POLICY = "policy"  # 专项政策研究
    SELECTION = "selection"  # 项目组织遴选
    EVALUATION = "evaluation"  # 第三方评估
    STANDARDS = "standards"  # 规范标准制定
    IP = "ip"  # 知识产权
    BIOSAFETY = "biosafety"  # 生物安全
    ETHICS = "ethics"  # 法规伦理


class SessionStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"  # invitations out
    HELD = "held"  # attendance and minutes recorded
    OPINIONS_COLLECTED = "opinions_collected"
    ISSUED = "issued"  # consolidated opinion frozen
    CANCELLED = "cancelled"


class SeriesFrequency(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


def new_uid() -> str:
    """The iCalendar UID: stable for the session's life, so updates replace the invite."""
    return f"{uuid.uuid4().hex}@thinktank"


class SessionSeries(db.Model):
    """A recurrence (定期会商) and the values its occurrences were created from.

    Occurrences are separate sessions; editing one never changes the series."""

    __tablename__ = "session_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    frequency: Mapped[str] = mapped_column(String(12))
    interval: Mapped[int] = mapped_column(default=1)
    count: Mapped[int | None]
    until: Mapped[date | None]  # last day (display zone) an occurrence may fall on
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str] = mapped_column(String(20))
    first_starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int]
    place: Mapped[str | None] = mapped_column(String(200))
    online_link: Mapped[str | None] = mapped_column(String(500))
    agenda: Mapped[str] = mapped_column(Text, default="")
    # Deadlines keep the first occurrence's distance to its start and end.
    rsvp_minutes_before: Mapped[int | None]
    opinion_minutes_after: Mapped[int | None]
    auto_promote_backups: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsultationSession(db.Model):
    """A consultation session (会商)."""

    __tablename__ = "consultation_sessions"
    __table_args__ = (Index("ix_consultation_sessions_status_starts_at", "status", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str | None] = mapped_column(String(200))
    online_link: Mapped[str | None] = mapped_column(String(500))
    agenda: Mapped[str] = mapped_column(Text, default="")
    rsvp_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opinion_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default=SessionStatus.DRAFT.value)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("session_series.id", ondelete="SET NULL"), index=True
    )
    # iCalendar SEQUENCE: raised whenever attendees must update their calendars.
    sequence: Mapped[int] = mapped_column(default=0)
    uid: Mapped[str] = mapped_column(String(100), unique=True, default=new_uid)
    auto_promote_backups: Mapped[bool] = mapped_column(default=True)
    # Meeting reminders, minutes before the start (default 3 days and 2 hours).
    reminder_offsets_minutes: Mapped[str] = mapped_column(String(100), default="4320,120")
    # Raised whenever invitees' mails are planned anew: part of their outbox
    # dedupe keys, so a new mail is never mistaken for one queued before.
    mail_revision: Mapped[int] = mapped_column(default=0)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    series = relationship(SessionSeries)
    invitations: Mapped[list["Invitation"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="Invitation.id"
    )
    materials: Mapped[list["SessionMaterial"]] = relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        order_by="SessionMaterial.uploaded_at",
    )


class SessionMaterial(StoredFile, db.Model):
    """An uploaded file of a session, under ``UPLOAD_DIR/materials``: a document,
    a workbook, slides or a picture (the type it was found to be is kept)."""

    __tablename__ = "session_materials"
    folder = "materials"
    types = (PDF, DOCX, XLSX, PPTX, PNG, JPEG, GIF, WEBP)
    wrong_type = _l("Only PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx) "
                    "and image (PNG, JPEG, GIF, WebP) files can be uploaded.")

    session_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_sessions.id", ondelete="CASCADE"), index=True
    )

    session: Mapped[ConsultationSession] = relationship(back_populates="materials")


class InvitationStatus(StrEnum):
    RESERVE = "reserve"  # a backup not (yet) invited
    PENDING = "pending"  # on the panel; the invitation goes out when the session is scheduled
    INVITED = "invited"  # invitation sent, no answer yet
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # taken off the panel by the secretariat or by a cancellation


class Attendance(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"


class Invitation(db.Model):
    """An expert's place on a session: panel member or backup, their answer
    and, after the meeting, their attendance."""

    __tablename__ = "session_invitations"
    __table_args__ = (
        UniqueConstraint("session_id", "expert_id"),
        Index("ix_session_invitations_expert_status", "expert_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_sessions.id", ondelete="CASCADE"), index=True
    )
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(12), default=InvitationStatus.PENDING.value)
    is_backup: Mapped[bool] = mapped_column(default=False)
    backup_rank: Mapped[int | None]  # 1 = the first backup to promote
    source: Mapped[str] = mapped_column(String(12))  # draw, manual, filter, promoted
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("draws.id", ondelete="SET NULL"))
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str | None] = mapped_column(String(500))
    attendance: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    session: Mapped[ConsultationSession] = relationship(back_populates="invitations")
    # Shown with its expert wherever it is listed: one query, not one per row.
    expert = relationship("Expert", lazy="joined")


class SessionMinutes(db.Model):
    """The minutes of a session. The text lives in its revisions; ``revision``
    is the number of the latest one and is advanced by a conditional update,
    so that of two editors working on the same revision only one can save."""

    __tablename__ = "session_minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_sessions.id", ondelete="CASCADE"), unique=True
    )
    revision: Mapped[int] = mapped_column(default=0)

    session: Mapped[ConsultationSession] = relationship()
    revisions: Mapped[list["MinutesRevision"]] = relationship(
        back_populates="minutes", cascade="all, delete-orphan",
        order_by="MinutesRevision.number.desc()",
    )


class MinutesRevision(db.Model):
    """One saved version of the minutes; never changed once written."""

    __tablename__ = "minutes_revisions"
    __table_args__ = (UniqueConstraint("minutes_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(
        ForeignKey("session_minutes.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    minutes: Mapped[SessionMinutes] = relationship(back_populates="revisions")
    author = relationship("User")


class ExpertOpinion(db.Model):
    """An attending expert's written opinion on a session."""

    __tablename__ = "expert_opinions"
    __table_args__ = (UniqueConstraint("session_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_sessions.id", ondelete="CASCADE"), index=True
    )
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="RESTRICT"))
    text: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[ConsultationSession] = relationship()
    expert = relationship("Expert")


class ConsolidatedOpinion(db.Model):
    """The secretariat's consolidated opinion; issuing it freezes the session."""

    __tablename__ = "consolidated_opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_sessions.id", ondelete="CASCADE"), unique=True
    )
    text: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    session: Mapped[ConsultationSession] = relationship()
    issued_by = relationship("User")
