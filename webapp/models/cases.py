"""A case is one episode of work with a client in a program: intake, contacts and phase."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models.accounts import User
from webapp.models.lifecycle import ClosureReason
from webapp.models.network import RelationshipKind
from webapp.models.programs import CaseModel, Program
from webapp.models.types import N_, LabelledEnum, UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from webapp.models.clients import Client
    from webapp.models.referrals import Referral


class Phase(LabelledEnum):
    INTAKE = "intake", N_("Intake")
    ASSESSMENT = "assessment", N_("Assessment")
    PLANNING = "planning", N_("Service planning")
    IMPLEMENTATION = "implementation", N_("Implementation")
    MONITORING = "monitoring", N_("Monitoring")
    CLOSED = "closed", N_("Closed")


class RiskLevel(LabelledEnum):
    LOW = "low", N_("Low")
    MEDIUM = "medium", N_("Medium")
    HIGH = "high", N_("High")
    URGENT = "urgent", N_("Urgent")


# What supervision's counting pass reads of each open case, in the index it reads it from.
OPEN_CASE_COUNTED = (
    "program_id",
    "primary_worker_id",
    "model",
    "restricted",
    "baseline_on",
    "plan_agreed_on",
    "next_follow_up_on",
    "last_contact_at",
    "opened_at",
    "id",
    # Always NULL here; SQLite reads an index alone only when it holds every column named.
    "closed_at",
)


class Case(db.Model):
    __tablename__ = "cases"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("clients.id", ondelete="RESTRICT"), index=True
    )
    program_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("programs.id", ondelete="RESTRICT"))
    # The program's model unless this case was set to another intensity.
    model: so.Mapped[CaseModel] = so.mapped_column(enum_column(CaseModel))
    primary_worker_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT")
    )
    phase: so.Mapped[Phase] = so.mapped_column(enum_column(Phase), default=Phase.INTAKE)
    risk_level: so.Mapped[RiskLevel] = so.mapped_column(
        enum_column(RiskLevel), default=RiskLevel.LOW
    )
    # Only the primary worker, that worker's supervisor and admins may see a restricted case.
    restricted: so.Mapped[bool] = so.mapped_column(default=False)
    opened_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    closed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    closure_reason: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    closure_outcome: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Kept by the service layer from intake and contact logs, so Today reads one index.
    next_follow_up_on: so.Mapped[date | None]
    last_contact_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # A phase set back by hand (to assessment or planning) holds until the records it asks for
    # exist.
    loop_back_phase: so.Mapped[Phase | None] = so.mapped_column(enum_column(Phase))
    loop_back_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # The practice model's two milestones, kept on the case by the services that record them
    # (assessments, plans) so supervision counts and lists its gaps from one scan of open cases:
    # the date of the first baseline assessment, and the plan's agreement (NULL: not yet).
    baseline_on: so.Mapped[date | None]
    plan_agreed_on: so.Mapped[date | None]
    # Set by a transfer until the new worker has read where the case stands.
    handoff_pending: so.Mapped[bool] = so.mapped_column(default=False)
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: so.Mapped[int] = so.mapped_column(default=1)

    client: so.Mapped[Client] = so.relationship(back_populates="cases")
    program: so.Mapped[Program] = so.relationship()
    primary_worker: so.Mapped[User | None] = so.relationship(foreign_keys=[primary_worker_id])
    intake: so.Mapped[Intake | None] = so.relationship(back_populates="case", uselist=False)
    contacts: so.Mapped[list[ContactLog]] = so.relationship(
        back_populates="case", order_by="ContactLog.occurred_at.desc()"
    )
    referrals: so.Mapped[list[Referral]] = so.relationship(
        back_populates="case", order_by="Referral.created_at.desc()"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # Today: my open cases by next follow-up date.
        sa.Index(
            "ix_cases_worker_open_follow_up", "primary_worker_id", "closed_at", "next_follow_up_on"
        ),
        # Supervision and program lists: open cases per program.
        sa.Index("ix_cases_program_open", "program_id", "closed_at"),
        # Supervision's counting pass: every open case in view, grouped by program, worker and
        # model, read from this index alone (every column the counts and the visibility rule
        # test), not from the wide rows.
        sa.Index(
            "ix_cases_open_counted",
            *OPEN_CASE_COUNTED,
            postgresql_where=sa.text("closed_at IS NULL"),
            sqlite_where=sa.text("closed_at IS NULL"),
        ),
        # Supervision's sections: the oldest open cases first, walked in order until a page of
        # the section is found, instead of testing every open case in view and sorting them.
        sa.Index(
            "ix_cases_open_by_opened",
            "opened_at",
            "id",
            postgresql_where=sa.text("closed_at IS NULL"),
            sqlite_where=sa.text("closed_at IS NULL"),
        ),
    )

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def closure_reason_label(self) -> str:
        reason = ClosureReason._value2member_map_.get(self.closure_reason or "")
        return reason.label if reason else (self.closure_reason or "")

    def __repr__(self) -> str:
        return f"<Case {self.id} client={self.client_id} {self.phase.value}>"


class IntakeSource(LabelledEnum):
    WORKER = "worker", N_("Worker")
    SELF_INTAKE = "self_intake", N_("Self-intake")


class Intake(db.Model):
    __tablename__ = "intakes"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("cases.id", ondelete="RESTRICT"), unique=True
    )
    source: so.Mapped[IntakeSource] = so.mapped_column(
        enum_column(IntakeSource), default=IntakeSource.WORKER
    )
    presenting_circumstances: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    safety_concern: so.Mapped[bool] = so.mapped_column(default=False)
    safety_details: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    client_priorities: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    strengths: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    communication_preferences: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    recorded_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    recorded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    case: so.Mapped[Case] = so.relationship(back_populates="intake")


class ContactType(LabelledEnum):
    STREET_OUTREACH = "street_outreach", N_("Street outreach")
    PHONE = "phone", N_("Phone call")
    TEXT = "text", N_("Text message")
    OFFICE = "office", N_("Office visit")
    HOME_VISIT = "home_visit", N_("Home visit")
    ACCOMPANIMENT = "accompaniment", N_("Accompaniment")
    COLLATERAL = "collateral", N_("Collateral (someone else about the client)")


class ContactLog(db.Model):
    """An append-only record of one contact; corrections are new entries."""

    __tablename__ = "contact_logs"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cases.id", ondelete="RESTRICT"))
    occurred_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    contact_type: so.Mapped[ContactType] = so.mapped_column(enum_column(ContactType))
    duration_minutes: so.Mapped[int | None]
    place: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    services_given: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    next_follow_up_on: so.Mapped[date | None]
    # A collateral contact: with someone else about the client (who, and their relationship;
    # how is the contact type).
    collateral_name: so.Mapped[str] = so.mapped_column(
        sa.String(200), default="", server_default=""
    )
    collateral_relationship: so.Mapped[RelationshipKind | None] = so.mapped_column(
        enum_column(RelationshipKind)
    )
    recorded_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    recorded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    case: so.Mapped[Case] = so.relationship(back_populates="contacts")
    recorded_by: so.Mapped[User | None] = so.relationship()

    __table_args__ = (
        sa.Index("ix_contact_logs_case_occurred", "case_id", "occurred_at"),
        sa.CheckConstraint(
            "duration_minutes IS NULL OR duration_minutes >= 0", name="duration_not_negative"
        ),
    )


class TeamRole(LabelledEnum):
    """What a team member does on a case besides its primary worker."""

    CO_WORKER = "co_worker", N_("Co-worker")
    PEER_SUPPORT = "peer_support", N_("Peer support")
    CLINICIAN = "clinician", N_("Clinician")
    HOUSING = "housing", N_("Housing specialist")
    BENEFITS = "benefits", N_("Benefits specialist")
    OTHER = "other", N_("Other")


class CaseTeamMember(db.Model):
    """A colleague of the program working a case with its primary worker: they see it (a
    restricted one too, when its primary worker added them), work it, and get its items on Today.
    Removing them ends that at once; the row stays, with when and by whom."""

    __tablename__ = "case_team_members"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    role: so.Mapped[TeamRole] = so.mapped_column(enum_column(TeamRole))
    added_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    added_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    removed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    removed_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])
    added_by: so.Mapped[User | None] = so.relationship(foreign_keys=[added_by_id])
