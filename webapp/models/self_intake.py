"""Self-intake: invitations a worker sends, and what the client sent back through one."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models.accounts import User
from webapp.models.cases import Case
from webapp.models.clients import Client
from webapp.models.programs import Program
from webapp.models.types import N_, LabelledEnum, UTCDateTime, enum_column, utcnow


class InvitationStatus(LabelledEnum):
    WAITING = "waiting", N_("Waiting")
    OPENED = "opened", N_("Opened")
    SUBMITTED = "submitted", N_("Submitted")
    EXPIRED = "expired", N_("Expired")
    REVOKED = "revoked", N_("Revoked")


class Invitation(db.Model):
    """A self-intake link. The token itself is never stored: only its SHA-256."""

    __tablename__ = "invitations"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    program_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("programs.id", ondelete="RESTRICT"))
    # The form's language; empty: the client's browser decides.
    language: so.Mapped[str] = so.mapped_column(sa.String(8), default="")
    client_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("clients.id", ondelete="RESTRICT"), index=True
    )
    note: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    created_by_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    # The client started filling it in (a POST from the form, never the GET a link scanner makes).
    opened_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    submitted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    program: so.Mapped[Program] = so.relationship()
    client: so.Mapped[Client | None] = so.relationship()
    created_by: so.Mapped[User] = so.relationship()

    def status(self, now: datetime) -> InvitationStatus:
        if self.submitted_at is not None:
            return InvitationStatus.SUBMITTED
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if self.expires_at <= now:
            return InvitationStatus.EXPIRED
        return InvitationStatus.OPENED if self.opened_at is not None else InvitationStatus.WAITING

    def usable(self, now: datetime) -> bool:
        return self.status(now) in (InvitationStatus.WAITING, InvitationStatus.OPENED)


class SubmissionStatus(LabelledEnum):
    PENDING = "pending", N_("Waiting for review")
    ACCEPTED = "accepted", N_("Accepted")
    REJECTED = "rejected", N_("Rejected")


class SelfIntakeSubmission(db.Model):
    __tablename__ = "self_intake_submissions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    invitation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("invitations.id", ondelete="RESTRICT"), unique=True
    )
    # What the client answered, field by field (webapp/forms/self_intake.py names them).
    answers: so.Mapped[dict] = so.mapped_column(sa.JSON)
    language: so.Mapped[str] = so.mapped_column(sa.String(8))
    submitted_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    status: so.Mapped[SubmissionStatus] = so.mapped_column(
        enum_column(SubmissionStatus), default=SubmissionStatus.PENDING
    )
    reviewed_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    reviewed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    reject_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    case_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("cases.id", ondelete="RESTRICT")
    )

    invitation: so.Mapped[Invitation] = so.relationship()
    case: so.Mapped[Case | None] = so.relationship()

    __table_args__ = (sa.Index("ix_self_intake_submissions_status", "status"),)


class RateBucket(db.Model):
    """Requests counted per key (e.g. an address on the self-intake links) in a fixed window,
    in the database so every app server counts together."""

    __tablename__ = "rate_buckets"

    key: so.Mapped[str] = so.mapped_column(sa.String(100), primary_key=True)
    window_start: so.Mapped[datetime] = so.mapped_column(UTCDateTime, primary_key=True)
    hits: so.Mapped[int] = so.mapped_column(default=0)
