import secrets
from datetime import datetime
from functools import cache

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from thinktank.extensions import db
from thinktank.permissions import Role
from thinktank.timeutil import UTCDateTime, utcnow


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


@cache
def dummy_password_hash() -> str:
    """The hash of a random password nobody knows, made like every real one
    (same algorithm and cost), once per process."""
    return hash_password(secrets.token_urlsafe(16))


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``. Without a hash (no such
    account) the password is checked against the dummy hash, and refused: the
    answer takes as long as for a real account, so its time does not tell
    whether an account exists."""
    if password_hash is None:
        check_password_hash(dummy_password_hash(), password)
        return False
    return check_password_hash(password_hash, password)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    expert_id: Mapped[int | None] = mapped_column(
        ForeignKey("experts.id", ondelete="SET NULL"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Part of the signed-in session's id; a new one signs out every other session.
    session_token: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))

    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    expert = relationship("Expert", foreign_keys=[expert_id])

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(row.role) for row in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.role_set & set(roles))

    def set_roles(self, roles) -> None:
        wanted = {Role(r) for r in roles}
        self.role_rows = [row for row in self.role_rows if Role(row.role) in wanted]
        present = {Role(row.role) for row in self.role_rows}
        for role in sorted(wanted - present):
            self.role_rows.append(UserRole(role=role.value))

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)
        self.password_changed_at = utcnow()
        self.session_token = secrets.token_hex(16)

    def check_password(self, password: str) -> bool:
        return password_matches(self.password_hash, password)

    def get_id(self) -> str:
        # A password change or reset rotates the token: other sessions end.
        return f"{self.id}:{self.session_token}"


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="role_rows")


class LoginAttempt(db.Model):
    """One failed sign-in. Kept in the database so every worker sees them."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "attempted_at"),
        Index("ix_login_attempts_ip_at", "ip", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(45))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
