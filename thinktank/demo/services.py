"""Loading the demo pool and accounts through the ordinary services."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from thinktank.auth.models import User
from thinktank.auth.services import create_user
from thinktank.demo import data
from thinktank.demo.reviews import add_reviews
from thinktank.demo.sessions import add_sessions
from thinktank.experts import services as experts
from thinktank.experts.models import Expert, ExpertStatus
from thinktank.extensions import db
from thinktank.permissions import Role
from thinktank.timeutil import today_in_display_zone

ACTOR = data.ACTOR


@dataclass
class DemoLogin:
    role: str
    email: str
    password: str | None  # None: changed since the demo was loaded


@dataclass
class DemoLoad:
    loaded: bool  # False: the demo accounts were there already, nothing was added
    experts: int
    sessions: int
    rounds: int
    logins: list[DemoLogin]


def load_demo(password: str) -> DemoLoad:
    """Seed the expertise fields, then add the demo pool, one account per role,
    the demo consultation sessions and review rounds, unless the demo accounts
    exist. The caller commits. Mails (invitations, scoring reminders) are only
    queued; building their links needs a request context or ``SERVER_NAME``.

    Raises ``DomainError`` (e.g. a password that is too short, or a mobile already
    in the pool) before anything is committed.
    """
    experts.seed_fields()
    emails = [user.email for user in data.DEMO_USERS]
    existing = db.session.scalars(select(User).where(User.email.in_(emails))).all()
    if existing:
        return DemoLoad(loaded=False, experts=0, sessions=0, rounds=0,
                        logins=_logins(existing, password))
    pool = _add_experts()
    users = [
        create_user(
            user.email,
            user.name,
            [user.role],
            password=password,
            expert_id=pool[user.expert].id if user.expert else None,
            actor=ACTOR,
        )[0]
        for user in data.DEMO_USERS
    ]
    secretariat = next(u for u in users if u.has_role(Role.SECRETARIAT))
    sessions = add_sessions(secretariat, pool)
    rounds = add_reviews(secretariat, pool)
    return DemoLoad(loaded=True, experts=len(pool), sessions=len(sessions),
                    rounds=len(rounds), logins=_logins(users, password))


def _add_experts() -> dict[str, Expert]:
    today = today_in_display_zone()
    pool = {
        item.name: experts.create_expert(item, actor=ACTOR)
        for item in data.build_experts(today)
    }
    for name, reason in data.SUSPENDED.items():
        experts.set_status(pool[name], ExpertStatus.SUSPENDED, reason, actor=ACTOR)
    for name, reason in data.WITHDRAWN.items():
        experts.set_status(pool[name], ExpertStatus.WITHDRAWN, reason, actor=ACTOR)
    for conflict in data.CONFLICTS:
        ends_on = (
            None if conflict.ends_in_days is None
            else today + timedelta(days=conflict.ends_in_days)
        )
        experts.add_conflict(pool[conflict.expert], conflict.organisation, conflict.reason,
                             ends_on, actor=ACTOR)
    return pool


def _logins(users: list[User], password: str) -> list[DemoLogin]:
    order = {user.email: index for index, user in enumerate(data.DEMO_USERS)}
    return [
        DemoLogin(
            role=", ".join(sorted(user.role_set)),
            email=user.email,
            password=password if user.check_password(password) else None,
        )
        for user in sorted(users, key=lambda user: order[user.email])
    ]
