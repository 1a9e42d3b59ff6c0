"""Writing the audit log. Services call ``record`` in the same transaction as
the act they log, so an act and its entry are committed (or lost) together."""

from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from thinktank.audit.models import AuditEntry
from thinktank.extensions import db


def client_ip() -> str | None:
    if not has_request_context():
        return None
    return request.remote_addr


def record(
    action: str,
    target: Any = None,
    payload: dict | None = None,
    *,
    user=None,
    actor: str | None = None,
) -> AuditEntry:
    """Add an audit entry for ``action`` on ``target`` to the current session.

    The acting user defaults to the signed-in user; CLI commands pass
    ``actor`` (e.g. ``"cli"``) instead.
    """
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    if target is not None and getattr(target, "id", None) is None:
        db.session.flush()  # the entry needs the new object's id
    entry = AuditEntry(
        user_id=user.id if user is not None else None,
        actor=actor or (user.email if user is not None else "anonymous"),
        ip=client_ip(),
        action=action,
        target_type=type(target).__name__ if target is not None else None,
        target_id=getattr(target, "id", None),
        payload=payload or {},
    )
    db.session.add(entry)
    return entry
