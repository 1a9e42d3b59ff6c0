from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from thinktank.experts.models import Expert
from thinktank.extensions import db
from thinktank.timeutil import UTCDateTime, utcnow


class NoticeKind(StrEnum):
    POLICY_UPDATE = "policy_update"  # 政策动态
    CALL_FOR_OPINIONS = "call_for_opinions"  # 征求意见


class Notice(db.Model):
    """A notice posted by the secretariat. ``audience`` keeps the filter it was
    posted with (``{"fields": [ids], "cities": [...], "categories": [...]}``,
    an empty list meaning "any"); the recipients were resolved from it once."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    audience: Mapped[dict] = mapped_column(JSON, default=dict)
    posted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    recipients: Mapped[list["NoticeRecipient"]] = relationship(
        back_populates="notice", cascade="all, delete-orphan"
    )
    posted_by = relationship("User")


class NoticeRecipient(db.Model):
    """One expert a notice is addressed to, with its mail and read receipt."""

    __tablename__ = "notice_recipients"
    __table_args__ = (UniqueConstraint("notice_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(
        ForeignKey("experts.id", ondelete="CASCADE"), index=True
    )
    emailed_key: Mapped[str | None] = mapped_column(String(200))  # the outbox dedupe key
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    notice: Mapped[Notice] = relationship(back_populates="recipients")
    expert: Mapped[Expert] = relationship()
