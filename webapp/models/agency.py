"""One person across the agency: asking another program's worker for a referral, and a referral
from one program of the agency to another."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models.accounts import User
from webapp.models.cases import Case
from webapp.models.clients import Consent
from webapp.models.programs import Program
from webapp.models.types import N_, LabelledEnum, UTCDateTime, enum_column, utcnow


class InternalReferralStatus(LabelledEnum):
    PENDING = "pending", N_("Waiting for the program's decision")
    ACCEPTED = "accepted", N_("Accepted")
    DECLINED = "declined", N_("Declined")
    WITHDRAWN = "withdrawn", N_("Withdrawn")


class InternalReferral(db.Model):
    """A referral from a case in one program to another program of the agency.

    What the client's consent allows travels as a snapshot taken when it is sent (intake summary,
    current needs and strengths, latest assessment scores), so the receiving program reads it
    without seeing the referring case. Accepting opens a case on the same client."""

    __tablename__ = "internal_referrals"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    from_case_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("cases.id", ondelete="RESTRICT"), index=True
    )
    to_program_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("programs.id", ondelete="RESTRICT")
    )
    # The client's consent to share within the agency that it relied on.
    consent_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("consents.id", ondelete="RESTRICT"))
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # {"presenting_circumstances", "client_priorities", "strengths", "needs",
    #  "assessment_strengths": [[label, text]], "assessed_on", "scores": [[domain, score]]}
    snapshot: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    # Set when the referring case is restricted: its primary worker or their supervisor chose to
    # send it.
    restricted_sent_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    status: so.Mapped[InternalReferralStatus] = so.mapped_column(
        enum_column(InternalReferralStatus), default=InternalReferralStatus.PENDING
    )
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    decline_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Withdrawn by the referring side before a decision: who, when and why (the snapshot and the
    # note that travelled with it are emptied then).
    withdrawn_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    withdrawn_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    withdrawal_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # The case opened in the receiving program when it was accepted.
    new_case_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("cases.id", ondelete="RESTRICT"), index=True
    )

    from_case: so.Mapped[Case] = so.relationship(foreign_keys=[from_case_id])
    to_program: so.Mapped[Program] = so.relationship()
    consent: so.Mapped[Consent] = so.relationship()
    created_by: so.Mapped[User | None] = so.relationship(foreign_keys=[created_by_id])
    decided_by: so.Mapped[User | None] = so.relationship(foreign_keys=[decided_by_id])
    withdrawn_by: so.Mapped[User | None] = so.relationship(foreign_keys=[withdrawn_by_id])
    new_case: so.Mapped[Case | None] = so.relationship(foreign_keys=[new_case_id])

    __table_args__ = (
        # The receiving program's queue: what waits for a decision.
        sa.Index("ix_internal_referrals_program_status", "to_program_id", "status"),
    )

    @property
    def is_pending(self) -> bool:
        return self.status == InternalReferralStatus.PENDING


class ReferralRequest(db.Model):
    """A worker who found someone "known to the agency" asks the worker holding that person's
    case to refer them to the asking worker's program. Holds what the asker typed, never more."""

    __tablename__ = "referral_requests"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # The case the person is known through (its primary worker is asked).
    case_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("cases.id", ondelete="RESTRICT"), index=True
    )
    asked_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    program_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("programs.id", ondelete="RESTRICT"))
    # What the asking worker typed (the name they searched for).
    looked_for: so.Mapped[str] = so.mapped_column(sa.String(200))
    asked_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Answered by the internal referral it led to.
    internal_referral_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("internal_referrals.id", ondelete="SET NULL")
    )

    case: so.Mapped[Case] = so.relationship()
    asked_by: so.Mapped[User | None] = so.relationship()
    program: so.Mapped[Program] = so.relationship()
