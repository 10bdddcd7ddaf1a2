"""Slowing down password guessing without letting anyone lock other people out.

Failed sign-ins are already in the audit trail. An address that failed too often is refused for
a while, and so is one account *from that address*; the same account from anywhere else still
signs in, so an attacker cannot lock every worker out of their own phone.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from webapp.extensions import db
from webapp.models import AuditAction, AuditEvent, User, utcnow


def _failures(*conditions: sa.ColumnElement[bool]) -> int:
    since = utcnow() - timedelta(minutes=current_app.config["LOGIN_THROTTLE_MINUTES"])
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == AuditAction.LOGIN_FAILED,
                AuditEvent.occurred_at >= since,
                *conditions,
            )
        )
        or 0
    )


def sign_in_refused(email: str, address: str | None) -> bool:
    """True while this address, or this account from this address, has failed too often."""
    config = current_app.config
    here = AuditEvent.address == (address or "")[:45]
    if _failures(here) >= config["LOGIN_FAILURES_PER_ADDRESS"]:
        return True
    user_id = db.session.scalar(sa.select(User.id).where(User.email == email.strip().lower()))
    if user_id is None:
        return False
    this_account = sa.and_(AuditEvent.record_type == "user", AuditEvent.record_id == str(user_id))
    return _failures(here, this_account) >= config["LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS"]
