"""Accounts: sign-in with throttling, passwords, user management."""

import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from thinktank.audit.services import record
from thinktank.auth.models import LoginAttempt, User, password_matches
from thinktank.errors import DomainError
from thinktank.extensions import db
from thinktank.permissions import Role
from thinktank.timeutil import utcnow

MIN_PASSWORD_LENGTH = 10


class LoginThrottled(DomainError):
    status_code = 429


class InvalidCredentials(DomainError):
    status_code = 401


def normalise_email(email: str) -> str:
    return email.strip().lower()


def load_user_from_session_id(session_id: str) -> User | None:
    """Flask-Login loader: ``"<id>:<session token>"``."""
    user_id, _sep, _token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    # One statement for the user and roles: this runs on every signed-in request.
    user = db.session.execute(
        select(User).options(joinedload(User.role_rows)).where(User.id == int(user_id))
    ).unique().scalar_one_or_none()
    if user is None or user.get_id() != session_id:
        return None
    return user


def _count_by(column, value: str, since) -> int:
    return db.session.scalar(
        select(func.count(LoginAttempt.id)).where(
            LoginAttempt.attempted_at >= since, column == value
        )
    )


def is_throttled(email: str, ip: str) -> bool:
    since = utcnow() - timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"])
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    return (
        _count_by(LoginAttempt.email, email, since) >= limit
        or _count_by(LoginAttempt.ip, ip, since) >= limit
    )


def authenticate(email: str, password: str, ip: str) -> User:
    """Return the user for these credentials, or raise.

    After ``LOGIN_MAX_FAILURES`` failures within the window for one account or
    one address, every attempt is refused, even with the right password. The
    failures are rows in the database, so all app processes see them.
    """
    email = normalise_email(email)
    if is_throttled(email, ip):
        record("login.throttled", payload={"email": email}, actor=email)
        db.session.commit()
        minutes = current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"] // 60
        raise LoginThrottled(
            _("Too many failed sign-in attempts. Please try again in %(minutes)d minutes.",
              minutes=minutes)
        )
    user = db.session.scalar(select(User).where(User.email == email))
    # One hash check whether or not the account exists, and whether or not it
    # is active: the time of a refusal must not tell which accounts exist.
    # (A throttled attempt above checks none, whatever the e-mail.)
    matches = password_matches(user.password_hash if user is not None else None, password)
    if user is None or not matches or not user.active:
        db.session.add(LoginAttempt(email=email, ip=ip))
        record("login.failed", payload={"email": email}, actor=email)
        db.session.commit()
        raise InvalidCredentials(_("The email or password is wrong, or the account is disabled."))
    record("login.succeeded", user, user=user)
    db.session.commit()
    return user


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            _("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
        )


def create_user(
    email: str,
    name: str,
    roles: list[Role | str],
    password: str | None = None,
    expert_id: int | None = None,
    actor: str | None = None,
) -> tuple[User, str]:
    """Create a user; returns it with its password (generated when not given)."""
    email = normalise_email(email)
    if not roles:
        raise DomainError(_("Choose at least one role."))
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise DomainError(_("A user with the email %(email)s already exists.", email=email))
    password = password or generate_password()
    check_new_password(password)
    user = User(email=email, name=name.strip(), expert_id=expert_id)
    user.set_password(password)
    user.set_roles(roles)
    db.session.add(user)
    record("user.created", user, {"email": email, "roles": sorted(map(str, roles))},
           actor=actor)
    return user, password


def update_user(user: User, *, name: str, roles, active: bool, expert_id: int | None) -> None:
    if not roles:
        raise DomainError(_("Choose at least one role."))
    before = {"roles": sorted(user.role_set), "active": user.active, "expert_id": user.expert_id}
    user.name = name.strip()
    user.set_roles(roles)
    user.active = active
    user.expert_id = expert_id
    after = {"roles": sorted(user.role_set), "active": active, "expert_id": expert_id}
    record("user.updated", user, {"before": before, "after": after})


def reset_password(user: User) -> str:
    password = generate_password()
    user.set_password(password)
    record("user.password_reset", user)
    return password


def end_sessions(user: User) -> None:
    """Sign ``user`` out everywhere: a new session token makes every session
    cookie issued so far worthless, a copy kept by someone else included
    (sessions are signed cookies: the server keeps no list of them)."""
    user.session_token = secrets.token_hex(16)


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise DomainError(_("The current password is wrong."))
    check_new_password(new)
    user.set_password(new)
    record("user.password_changed", user)
