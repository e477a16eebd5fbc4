"""The audit log: one append-only row per significant action."""
from __future__ import annotations

from flask import has_request_context, request
from sqlmodel import Session

from web.models import AuditLog


def record_audit(*, session: Session, actor_id: int | None, action: str, obj=None, detail: dict | None = None) -> None:
    """Append an audit row for an action on an optional object."""
    ip = (request.remote_addr or None) if has_request_context() else None
    session.add(
        AuditLog(
            actor_id=actor_id,
            action=action,
            object_type=type(obj).__name__ if obj is not None else None,
            object_id=str(getattr(obj, "id", "")) if obj is not None else None,
            detail=detail,
            ip=ip,
        )
    )
    session.flush()


def current_actor_id() -> int | None:
    """The logged-in user behind the current request (None in a job or a CLI command)."""
    if not has_request_context():
        return None
    from flask_login import current_user

    return current_user.id if getattr(current_user, "is_authenticated", False) else None
