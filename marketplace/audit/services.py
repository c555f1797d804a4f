"""Writing the audit log: one row per action, in the caller's transaction."""

from flask import has_request_context, request
from flask_login import current_user

from marketplace.audit.models import AuditEntry
from marketplace.extensions import db


def _one_line(text: str) -> str:
    # A CR or LF in user input must never split a log line or forge an entry.
    return " ".join(str(text).split())[:2000]


def record_audit(action: str, obj=None, detail: str = "", actor_id: int | None = None) -> AuditEntry:
    """Add an audit row for `action` on `obj` (a model or None)."""
    if actor_id is None and has_request_context() and current_user and current_user.is_authenticated:
        actor_id = current_user.id
    entry = AuditEntry(
        actor_id=actor_id,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "id", "")) if obj is not None else "",
        detail=_one_line(detail),
        address=(request.remote_addr or "")[:64] if has_request_context() else "",
    )
    db.session.add(entry)
    return entry


def record_refusal() -> None:
    """A 403: logged in its own transaction, since the request's work was refused."""
    db.session.rollback()
    record_audit("access.refused", detail=f"{request.method} {request.path}")
    db.session.commit()
