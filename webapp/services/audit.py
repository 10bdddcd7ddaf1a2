"""Writing the audit trail."""

from __future__ import annotations

import re

from flask import has_request_context, request
from flask_login import current_user

from webapp.extensions import db
from webapp.models import AuditAction, AuditEvent, User

# Self-intake links carry their secret in the path: it never goes into the trail or a log.
_LINK_TOKEN = re.compile(r"^/i/[^/]+")


def redact(path: str) -> str:
    return _LINK_TOKEN.sub("/i/[link]", path) if path.startswith("/i/") and not path.startswith("/i/thanks") else path


def record(
    action: AuditAction,
    record_type: str | None = None,
    record_id: int | str | None = None,
    *,
    user: User | None = None,
) -> AuditEvent:
    """Add an audit event for the current request's user (or `user`)."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    event = AuditEvent(
        user_id=user.id if user is not None else None,
        action=action,
        record_type=record_type,
        record_id=str(record_id) if record_id is not None else None,
    )
    if has_request_context():
        event.address = (request.remote_addr or "")[:45] or None
        event.path = redact(request.path)[:300]  # the path only: query strings can hold names
    db.session.add(event)
    return event
