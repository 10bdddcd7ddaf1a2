"""Who did what to which record, and when. Ids only: never names or note text."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models.types import N_, LabelledEnum, UTCDateTime, enum_column, utcnow


class AuditAction(LabelledEnum):
    VIEW = "view", N_("Viewed")
    CREATE = "create", N_("Created")
    UPDATE = "update", N_("Updated")
    EXPORT = "export", N_("Exported")
    LOGIN = "login", N_("Signed in")
    LOGIN_FAILED = "login_failed", N_("Failed sign-in")
    LOGOUT = "logout", N_("Signed out")
    ACCESS_DENIED = "access_denied", N_("Access denied")
    DISCARD = "discard", N_("Discarded")
    DELETE = "delete", N_("Deleted")
    MERGE = "merge", N_("Merged")
    UNMERGE = "unmerge", N_("Merge undone")
    LOOKUP = "lookup", N_("Looked up across the agency")
    ANONYMISE = "anonymise", N_("Anonymised")


class AuditEvent(db.Model):
    """Append-only: database triggers (migration "audit events are append-only") refuse any
    UPDATE, DELETE or TRUNCATE. Only the tests' own clean-up lifts them (tests/conftest.py)."""

    __tablename__ = "audit_events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    occurred_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # No foreign key: the trail must outlive any change to the users table.
    user_id: so.Mapped[int | None]
    action: so.Mapped[AuditAction] = so.mapped_column(enum_column(AuditAction))
    record_type: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    record_id: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    address: so.Mapped[str | None] = so.mapped_column(sa.String(45))
    # Path only: query strings can carry search terms (names).
    path: so.Mapped[str | None] = so.mapped_column(sa.String(300))

    __table_args__ = (
        sa.Index("ix_audit_events_user_time", "user_id", "occurred_at"),
        sa.Index("ix_audit_events_record", "record_type", "record_id", "occurred_at"),
        # Sign-in throttling counts recent failures per address.
        sa.Index("ix_audit_events_action_address", "action", "address", "occurred_at"),
    )
