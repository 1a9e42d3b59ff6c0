from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from thinktank.extensions import db
from thinktank.timeutil import UTCDateTime, utcnow


class ExpertStatus(StrEnum):
    ACTIVE = "active"  # 在库
    SUSPENDED = "suspended"  # 暂停
    WITHDRAWN = "withdrawn"  # 退出


expert_fields = Table(
    "expert_fields",
    db.metadata,
    Column("expert_id", ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True),
    Column("field_id", ForeignKey("expertise_fields.id", ondelete="RESTRICT"), primary_key=True),
    Index("ix_expert_fields_field_id", "field_id"),
)


class ExpertiseField(db.Model):
    """An entry of the editable expertise taxonomy (专业领域)."""

    __tablename__ = "expertise_fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class Expert(db.Model):
    __tablename__ = "experts"
    __table_args__ = (
        Index("ix_experts_status_name_pinyin", "status", "name_pinyin"),
        Index("ix_experts_organisation_key", "organisation_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    name_pinyin: Mapped[str] = mapped_column(String(255), default="")
    gender: Mapped[str | None] = mapped_column(String(2))
    birth_year: Mapped[int | None]
    organisation: Mapped[str] = mapped_column(String(100))
    organisation_key: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str | None] = mapped_column(String(50))
    position: Mapped[str | None] = mapped_column(String(50))
    city: Mapped[str] = mapped_column(String(10), index=True)
    mobile: Mapped[str] = mapped_column(String(11), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    term_start: Mapped[date | None]
    term_end: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(12), default=ExpertStatus.ACTIVE.value)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )

    fields: Mapped[list[ExpertiseField]] = relationship(
        secondary=expert_fields, order_by=ExpertiseField.position
    )
    conflicts: Mapped[list["Conflict"]] = relationship(
        back_populates="expert", cascade="all, delete-orphan", order_by="Conflict.id"
    )

    def term_covers(self, day: date) -> bool:
        return (self.term_start is None or self.term_start <= day) and (
            self.term_end is None or self.term_end >= day
        )

    @property
    def field_names(self) -> list[str]:
        return [field.name for field in self.fields]


class Conflict(db.Model):
    """An organisation the expert must be kept away from (declared conflict)."""

    __tablename__ = "expert_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(
        ForeignKey("experts.id", ondelete="CASCADE"), index=True
    )
    organisation: Mapped[str] = mapped_column(String(100))
    organisation_key: Mapped[str] = mapped_column(String(100), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    ends_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    expert: Mapped[Expert] = relationship(back_populates="conflicts")

    def in_force_on(self, day: date) -> bool:
        return self.ends_on is None or self.ends_on >= day


class TermRenewal(db.Model):
    """A renewal of an expert's term (聘期续聘): the end before and after, and why."""

    __tablename__ = "expert_term_renewals"

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(
        ForeignKey("experts.id", ondelete="CASCADE"), index=True
    )
    old_end: Mapped[date | None]
    new_end: Mapped[date]
    reason: Mapped[str] = mapped_column(String(200))
    renewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    renewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    expert: Mapped[Expert] = relationship()
