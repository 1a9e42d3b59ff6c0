from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from thinktank.extensions import db
from thinktank.timeutil import UTCDateTime, utcnow


class Draw(db.Model):
    """One random draw with avoidance for a session or a panel, stored with
    everything a third party needs to re-run it (seed, pool, order)."""

    __tablename__ = "draws"
    __table_args__ = (Index("ix_draws_context", "context_type", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_type: Mapped[str] = mapped_column(String(20))  # "session" or "panel"
    context_id: Mapped[int]
    # The seed is unsigned 64-bit; PostgreSQL's BIGINT is signed and SQLite's
    # NUMERIC turns big values into floats, so the exact decimal text is stored.
    seed_text: Mapped[str] = mapped_column("seed", String(20))
    event_date: Mapped[date]
    parameters: Mapped[dict] = mapped_column(JSON)
    pool: Mapped[list] = mapped_column(JSON)  # eligible ids, ascending
    exclusions: Mapped[list] = mapped_column(JSON)
    order: Mapped[list] = mapped_column("draw_order", JSON)
    skips: Mapped[list] = mapped_column(JSON)
    drawn: Mapped[list] = mapped_column(JSON)
    backups: Mapped[list] = mapped_column(JSON)
    # Code, name and organisation at draw time of every expert walked (drawn,
    # backup or skipped): what the walk used, whatever changes later.
    snapshot: Mapped[dict] = mapped_column(JSON)
    # Backups used so far, in order: {"backup", "replaces", "outcome", "at"}.
    promotions: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by = relationship("User")

    @property
    def seed(self) -> int:
        return int(self.seed_text)

    @property
    def backups_missing(self) -> int:
        """Backups asked for that the pool could not provide."""
        return self.parameters["backups"] - len(self.backups)

    @property
    def walked(self) -> list[int]:
        """The start of the order the walk went through: every expert in it was
        drawn, made a backup or skipped."""
        return self.order[: len(self.drawn) + len(self.backups) + len(self.skips)]

    def person(self, expert_id: int) -> dict:
        """Code, name and organisation of a walked expert as at draw time."""
        return self.snapshot[str(expert_id)]

    @property
    def panel(self) -> list[int]:
        """The drawn experts with promoted backups in place of those they replace;
        a member replaced when no backup was left drops out."""
        members = list(self.drawn)
        for promotion in self.promotions:
            if promotion["outcome"] == "no_longer_eligible":
                continue
            place = members.index(promotion["replaces"])
            if promotion["backup"] is None:
                del members[place]
            else:
                members[place] = promotion["backup"]
        return members
