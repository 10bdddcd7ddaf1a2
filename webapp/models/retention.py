"""Retention: legal holds that keep a client's record whatever the policy, and the reports a
retention run is applied from."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from webapp.models.accounts import User


class LegalHold(db.Model):
    """A client's record is kept, whatever the retention policy, while a hold is in force (a
    court order, a complaint, an investigation). Lifting it keeps the row, with when and by whom."""

    __tablename__ = "legal_holds"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("clients.id", ondelete="RESTRICT"), index=True
    )
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    placed_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    placed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    lifted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    lifted_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    placed_by: so.Mapped[User | None] = so.relationship(foreign_keys=[placed_by_id])
    lifted_by: so.Mapped[User | None] = so.relationship(foreign_keys=[lifted_by_id])

    @property
    def in_force(self) -> bool:
        return self.lifted_at is None


class RetentionRun(db.Model):
    """One `flask retention report`: the policy it read, the day it counted from, the clients it
    found and a digest of all three. `flask retention apply` is given the digest, and anonymises
    only clients of that report who still qualify when their batch is written."""

    __tablename__ = "retention_runs"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    digest: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    # {program id (text): years} for every program with a policy.
    policy: so.Mapped[dict] = so.mapped_column(sa.JSON)
    as_of: so.Mapped[date]
    # Internal client ids (never names), in the order they are applied.
    client_ids: so.Mapped[list] = so.mapped_column(sa.JSON)
    reported_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    applied_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # Set when apply went through every client of the report.
    finished_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    anonymised: so.Mapped[int] = so.mapped_column(default=0)
    skipped: so.Mapped[int] = so.mapped_column(default=0)
