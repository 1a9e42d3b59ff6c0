"""Expert evaluations (专家考核): the secretariat's rating of each participating
expert after a held session or a finalized round."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from thinktank.extensions import db
from thinktank.timeutil import UTCDateTime, utcnow


class RatingSubject(StrEnum):
    SESSION = "session"
    ROUND = "round"


class ExpertRating(db.Model):
    """One rating of one expert for one session or round; rating again replaces it."""

    __tablename__ = "expert_ratings"
    __table_args__ = (
        UniqueConstraint("expert_id", "subject_type", "subject_id"),
        Index("ix_expert_ratings_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"),
                                           index=True)
    subject_type: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int]
    score: Mapped[int]  # 0..100; a level is stored with the points it maps to
    level: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(String(200))
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    expert = relationship("Expert")
    rated_by = relationship("User")
