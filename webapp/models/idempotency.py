"""Idempotency keys: a form sent twice (an outbox replay, a double tap) is still one record."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models.types import UTCDateTime, utcnow


class IdempotencyKey(db.Model):
    __tablename__ = "idempotency_keys"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    key: so.Mapped[str] = so.mapped_column(sa.String(36))
    request_path: so.Mapped[str] = so.mapped_column(sa.String(300))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Set in the same transaction as the record the request created.
    completed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # Where the first response sent the browser; a repeat is sent there too.
    response_location: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    # The first answer's `client_id_reissued` ("<phone-made ID> <issued ID>", several joined by
    # ";": an intake's household members may become clients too): a replay that forgot it would
    # leave the phone's queued contacts on whoever holds the phone-made ID.
    client_id_reissued: so.Mapped[str | None] = so.mapped_column(sa.String(400))

    __table_args__ = (sa.UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),)
