"""Project-selection reviews (项目组织遴选): rounds, their criteria and groups,
the applications with their attachments and avoidance requests."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from thinktank.extensions import db
from thinktank.stored_files import PDF, StoredFile
from thinktank.timeutil import UTCDateTime, utcnow


class RoundStatus(StrEnum):
    DRAFT = "draft"  # being prepared: criteria, groups and applications may change
    SCORING = "scoring"  # experts score; the criteria are fixed
    CLOSED = "closed"  # scoring ended, results not yet locked
    FINALIZED = "finalized"  # results locked
    PUBLISHED = "published"  # results shown to officials


class AggregationRule(StrEnum):
    MEAN = "mean"
    TRIMMED_MEAN = "trimmed_mean"  # 去掉一个最高分和一个最低分
    MEDIAN = "median"


class ReviewRound(db.Model):
    """A selection round (遴选批次), e.g. 标志性产业化项目遴选."""

    __tablename__ = "review_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    full_mark: Mapped[Decimal] = mapped_column(
        Numeric(5, 1, asdecimal=True), default=Decimal("100")
    )
    aggregation: Mapped[str] = mapped_column(String(20), default=AggregationRule.TRIMMED_MEAN.value)
    panel_size: Mapped[int] = mapped_column(default=5)
    outlier_threshold: Mapped[Decimal] = mapped_column(
        Numeric(5, 1, asdecimal=True), default=Decimal("20")
    )
    scoring_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default=RoundStatus.DRAFT.value, index=True)
    # Why the results were locked while group opinions were missing or not answered
    # by every member (``rounds.change_status``); ``None`` when none were missing.
    lock_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="round", cascade="all, delete-orphan",
        order_by="Criterion.position", lazy="selectin",
    )
    groups: Mapped[list["ReviewGroup"]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="ReviewGroup.name"
    )


class Criterion(db.Model):
    """A scoring criterion with its maximum points; a round's maxima add up to its full mark."""

    __tablename__ = "review_criteria"
    __table_args__ = (UniqueConstraint("round_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("review_rounds.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(50))
    max_points: Mapped[Decimal] = mapped_column(Numeric(5, 1, asdecimal=True))
    position: Mapped[int] = mapped_column(default=0)

    round: Mapped[ReviewRound] = relationship(back_populates="criteria")


class ReviewGroup(db.Model):
    """A group of a round (分组评审), with its own applications and, later, its own panel."""

    __tablename__ = "review_groups"
    __table_args__ = (UniqueConstraint("round_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("review_rounds.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(50))

    round: Mapped[ReviewRound] = relationship(back_populates="groups")


class Application(db.Model):
    """A project application (项目申报) of a round."""

    __tablename__ = "review_applications"
    __table_args__ = (
        UniqueConstraint("round_id", "number"),
        Index("ix_review_applications_organisation_key", "organisation_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("review_rounds.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_groups.id", ondelete="SET NULL"), index=True
    )
    number: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(100))
    organisation_key: Mapped[str] = mapped_column(String(100))
    direction: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(10))
    investment: Mapped[Decimal | None] = mapped_column(Numeric(14, 2, asdecimal=True))  # 万元
    summary: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    round: Mapped[ReviewRound] = relationship()
    group: Mapped[ReviewGroup | None] = relationship()
    attachments: Mapped[list["ApplicationAttachment"]] = relationship(
        back_populates="application", cascade="all, delete-orphan",
        order_by="ApplicationAttachment.uploaded_at",
    )
    avoidance_requests: Mapped[list["AvoidanceRequest"]] = relationship(
        back_populates="application", cascade="all, delete-orphan",
        order_by="AvoidanceRequest.id",
    )


class ApplicationAttachment(StoredFile, db.Model):
    """A PDF of an application, under ``UPLOAD_DIR/applications``."""

    __tablename__ = "review_application_attachments"
    folder = "applications"
    types = (PDF,)
    wrong_type = _l("Only PDF files can be attached; this file is not a PDF.")
    too_large = _l("An attachment may have at most %(mb)d MB.")
    adds_extension = True

    application_id: Mapped[int] = mapped_column(
        ForeignKey("review_applications.id", ondelete="CASCADE"), index=True
    )

    application: Mapped[Application] = relationship(back_populates="attachments")


class AvoidanceRequest(db.Model):
    """An applicant's request to keep an expert off the application (申请回避),
    naming the expert by name, by code (专家编号) or both."""

    __tablename__ = "review_avoidance_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("review_applications.id", ondelete="CASCADE"), index=True
    )
    expert_name: Mapped[str | None] = mapped_column(String(50))
    expert_code: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship(back_populates="avoidance_requests")


# --- panels and score sheets (thinktank/reviews/panels.py, scoring.py) -----------------


class PanelMemberSource(StrEnum):
    DRAW = "draw"
    MANUAL = "manual"
    REPLACEMENT = "replacement"  # a backup promoted, or one more drawn, for a member


class ReviewPanel(db.Model):
    """The expert panel of a round (``group_id`` empty) or of one of its groups.
    A round has either one panel or one per group (checked by the service)."""

    __tablename__ = "review_panels"
    __table_args__ = (UniqueConstraint("round_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("review_rounds.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_groups.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[ReviewRound] = relationship()
    group: Mapped[ReviewGroup | None] = relationship()
    members: Mapped[list["PanelMember"]] = relationship(
        back_populates="panel", cascade="all, delete-orphan", order_by="PanelMember.id"
    )


class PanelMember(db.Model):
    """An expert on a panel: a member, a backup (递补) in rank order, or a
    replacement for one application only (``application_id``)."""

    __tablename__ = "review_panel_members"
    __table_args__ = (UniqueConstraint("panel_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(
        ForeignKey("review_panels.id", ondelete="CASCADE"), index=True
    )
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"),
                                           index=True)
    is_backup: Mapped[bool] = mapped_column(default=False)
    backup_rank: Mapped[int | None]
    is_leader: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(12))
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("draws.id", ondelete="SET NULL"))
    # A replacement scores only the application its predecessor stepped back from.
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_applications.id", ondelete="CASCADE")
    )
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_panel_members.id", ondelete="SET NULL")
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_reason: Mapped[str | None] = mapped_column(String(200))

    panel: Mapped[ReviewPanel] = relationship(back_populates="members")
    expert = relationship("Expert")
    application: Mapped[Application | None] = relationship()

    @property
    def active(self) -> bool:
        """On the panel and scoring (not a backup, not removed)."""
        return self.removed_at is None and not self.is_backup


class SheetStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # locked
    CONFLICT = "conflict"  # the expert declared a conflict instead of scoring
    REOPENED = "reopened"  # unlocked by the secretariat, with a recorded reason


class ScoreSheet(db.Model):
    """One expert's scores for one application; the unique constraint keeps it
    to one row whatever the number of tabs or clicks, and ``version`` refuses
    a save based on an older state of the sheet."""

    __tablename__ = "review_score_sheets"
    __table_args__ = (UniqueConstraint("application_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("review_applications.id", ondelete="CASCADE"), index=True
    )
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"),
                                           index=True)
    status: Mapped[str] = mapped_column(String(12), default=SheetStatus.DRAFT.value)
    comment: Mapped[str | None] = mapped_column(Text)
    recommendation: Mapped[str | None] = mapped_column(String(10))
    conflict_reason: Mapped[str | None] = mapped_column(String(200))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_reason: Mapped[str | None] = mapped_column(String(200))
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    entered_by_proxy_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    application: Mapped[Application] = relationship()
    expert = relationship("Expert")
    entered_by_proxy = relationship("User")
    scores: Mapped[list["SheetScore"]] = relationship(
        back_populates="sheet", cascade="all, delete-orphan", order_by="SheetScore.criterion_id"
    )


class SheetScore(db.Model):
    """The points of one criterion on a sheet."""

    __tablename__ = "review_sheet_scores"
    __table_args__ = (UniqueConstraint("sheet_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(
        ForeignKey("review_score_sheets.id", ondelete="CASCADE"), index=True
    )
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("review_criteria.id", ondelete="CASCADE")
    )
    points: Mapped[Decimal] = mapped_column(Numeric(5, 1, asdecimal=True))

    sheet: Mapped[ScoreSheet] = relationship(back_populates="scores")


# --- group opinions (thinktank/reviews/group_opinion.py) -------------------------------


class GroupOpinion(db.Model):
    """The panel's opinion on one application (专家组意见), drafted by the panel
    leader; ``version`` grows with every change of the text, and a change
    resets the members' confirmations."""

    __tablename__ = "review_group_opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("review_applications.id", ondelete="CASCADE"), unique=True
    )
    text: Mapped[str] = mapped_column(Text)
    drafted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("experts.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship()
    drafted_by = relationship("Expert")
    confirmations: Mapped[list["OpinionConfirmation"]] = relationship(
        back_populates="opinion", cascade="all, delete-orphan", order_by="OpinionConfirmation.id"
    )


class OpinionVerdict(StrEnum):
    CONFIRMED = "confirmed"
    DISSENT = "dissent"  # 保留意见, with the reasons


class OpinionConfirmation(db.Model):
    """A panel member's answer to a group opinion: confirmed, or a dissent with reasons."""

    __tablename__ = "review_opinion_confirmations"
    __table_args__ = (UniqueConstraint("opinion_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_id: Mapped[int] = mapped_column(
        ForeignKey("review_group_opinions.id", ondelete="CASCADE"), index=True
    )
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"),
                                           index=True)
    verdict: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The secretariat user who entered a paper answer on the expert's behalf (代录).
    entered_by_proxy_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    opinion: Mapped[GroupOpinion] = relationship(back_populates="confirmations")
    expert = relationship("Expert")
    entered_by_proxy = relationship("User")
