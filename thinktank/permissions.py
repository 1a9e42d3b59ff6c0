"""Access rules declared on every view and enforced before each request.

Every endpoint carries exactly one rule: ``public``, ``signed_in`` or
``roles(...)``. An endpoint without a rule is refused (fail closed) and the
permission-walk test names it. Object-level checks (an expert's own record,
a session an official may read) are each area's ``access`` module
(``consultations/access.py``, ``reviews/access.py``, ...), called by the views
and services.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user


class Role(StrEnum):
    ADMIN = "admin"
    SECRETARIAT = "secretariat"
    EXPERT = "expert"
    OFFICIAL = "official"


@dataclass(frozen=True)
class Rule:
    kind: str  # "public", "signed_in" or "roles"
    roles: frozenset[Role] = frozenset()

    def allows(self, user) -> bool:
        if self.kind == "public":
            return True
        if not user.is_authenticated:
            return False
        if self.kind == "signed_in":
            return True
        return bool(self.roles & user.role_set)


def _declare(rule: Rule) -> Callable:
    def decorator(view: Callable) -> Callable:
        view.access_rule = rule
        return view

    return decorator


public = _declare(Rule("public"))
signed_in = _declare(Rule("signed_in"))


def roles(*allowed: Role) -> Callable:
    if not allowed:
        raise ValueError("roles() needs at least one role")
    return _declare(Rule("roles", frozenset(allowed)))


# Endpoints registered by extensions (static files) that carry no rule of ours.
PUBLIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})


def rule_for(endpoint: str | None) -> Rule | None:
    if endpoint is None:
        return None
    if endpoint in PUBLIC_ENDPOINTS:
        return Rule("public")
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def enforce_access_rule():
    """``before_request`` hook: anonymous to login, wrong role 403."""
    if request.endpoint is None:  # 404/405: let Flask answer
        return None
    rule = rule_for(request.endpoint)
    if rule is None:
        current_app.logger.error("endpoint %s has no access rule", request.endpoint)
        abort(403)
    if rule.allows(current_user):
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    abort(403)
