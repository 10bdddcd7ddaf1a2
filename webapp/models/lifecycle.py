"""The practice model's records on a case: assessments, the service plan, closure, and the
case's own history (phase, risk, transfer, supervision notes)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models.accounts import User
from webapp.models.types import N_, LabelledEnum, UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from webapp.models.cases import Case


class LifeDomain(LabelledEnum):
    HOUSING = "housing", N_("Housing")
    INCOME = "income", N_("Income")
    FOOD = "food", N_("Food")
    HEALTH = "health", N_("Health")
    MENTAL_HEALTH = "mental_health", N_("Mental health")
    SUBSTANCE_USE = "substance_use", N_("Substance use")
    EMPLOYMENT = "employment", N_("Employment and education")
    TRANSPORTATION = "transportation", N_("Transportation")
    LEGAL = "legal", N_("Legal")
    SAFETY = "safety", N_("Safety")
    SOCIAL_SUPPORT = "social_support", N_("Social support")
    LIFE_SKILLS = "life_skills", N_("Life skills")


# The anchors of the 1–5 scale, as the form explains them (a self-sufficiency matrix's wording).
SCORE_MEANINGS = {
    1: N_("In crisis"),
    2: N_("Vulnerable"),
    3: N_("Stable"),
    4: N_("Building"),
    5: N_("Thriving"),
}


class AssessmentKind(LabelledEnum):
    BASELINE = "baseline", N_("Baseline")
    REASSESSMENT = "reassessment", N_("Reassessment")
    CLOSURE = "closure", N_("Closure")


class Assessment(db.Model):
    """One assessment of needs and strengths. Append-only: a correction is a new assessment."""

    __tablename__ = "assessments"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cases.id", ondelete="RESTRICT"))
    kind: so.Mapped[AssessmentKind] = so.mapped_column(enum_column(AssessmentKind))
    assessed_on: so.Mapped[date]
    strengths_personal: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    strengths_family: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    strengths_community: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    needs: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    client_view: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    recorded_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    recorded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    recorded_by: so.Mapped[User | None] = so.relationship()
    scores: so.Mapped[list[AssessmentScore]] = so.relationship(
        back_populates="assessment", order_by="AssessmentScore.id", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.Index("ix_assessments_case_date", "case_id", "assessed_on"),)

    def score_of(self, domain: LifeDomain) -> AssessmentScore | None:
        return next((score for score in self.scores if score.domain == domain), None)


class AssessmentScore(db.Model):
    __tablename__ = "assessment_scores"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    assessment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("assessments.id", ondelete="CASCADE")
    )
    domain: so.Mapped[LifeDomain] = so.mapped_column(enum_column(LifeDomain))
    score: so.Mapped[int]
    narrative: so.Mapped[str] = so.mapped_column(sa.Text)

    assessment: so.Mapped[Assessment] = so.relationship(back_populates="scores")

    __table_args__ = (
        sa.UniqueConstraint("assessment_id", "domain", name="uq_assessment_scores_domain"),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="score_one_to_five"),
    )


class AgreementMethod(LabelledEnum):
    IN_PERSON = "in_person", N_("Agreed in person")
    SIGNED = "signed", N_("Signed")
    PHONE = "phone", N_("Agreed by phone")


class ServicePlan(db.Model):
    """A case's one current plan. Goals and tasks hang off it; the agreement is the client's."""

    __tablename__ = "service_plans"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("cases.id", ondelete="RESTRICT"), unique=True
    )
    # Who agreed (the client, or the client and who was with them), when and how.
    agreed_by: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    agreed_on: so.Mapped[date | None]
    agreement_method: so.Mapped[AgreementMethod | None] = so.mapped_column(
        enum_column(AgreementMethod)
    )
    review_on: so.Mapped[date | None]
    # The contract's terms beside the goals and tasks: when it runs, and what happens if a
    # responsibility is not carried out (plain words).
    starts_on: so.Mapped[date | None]
    ends_on: so.Mapped[date | None]
    consequences: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    # Raised by every change to what the plan says (goals, tasks, term, consequences); a
    # signature signs one terms version, so a later change shows "changed since signed".
    terms_version: so.Mapped[int] = so.mapped_column(default=1, server_default="1")
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    version: so.Mapped[int] = so.mapped_column(default=1)

    goals: so.Mapped[list[Goal]] = so.relationship(back_populates="plan", order_by="Goal.id")
    signatures: so.Mapped[list[PlanSignature]] = so.relationship(
        back_populates="plan", order_by="PlanSignature.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_agreed(self) -> bool:
        return self.agreed_on is not None


class GoalStatus(LabelledEnum):
    NOT_STARTED = "not_started", N_("Not started")
    IN_PROGRESS = "in_progress", N_("In progress")
    MET = "met", N_("Met")
    PARTLY_MET = "partly_met", N_("Partly met")
    NOT_MET = "not_met", N_("Not met")
    DROPPED = "dropped", N_("Dropped")


ACTIVE_GOAL_STATUSES = frozenset({GoalStatus.NOT_STARTED, GoalStatus.IN_PROGRESS})
# What a goal can end as at closure.
GOAL_OUTCOMES = (GoalStatus.MET, GoalStatus.PARTLY_MET, GoalStatus.NOT_MET, GoalStatus.DROPPED)


class Goal(db.Model):
    __tablename__ = "goals"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("service_plans.id", ondelete="RESTRICT"), index=True
    )
    domain: so.Mapped[LifeDomain] = so.mapped_column(enum_column(LifeDomain))
    statement: so.Mapped[str] = so.mapped_column(sa.Text)
    measure: so.Mapped[str] = so.mapped_column(sa.Text)
    target_on: so.Mapped[date]
    status: so.Mapped[GoalStatus] = so.mapped_column(
        enum_column(GoalStatus), default=GoalStatus.NOT_STARTED
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: so.Mapped[int] = so.mapped_column(default=1)

    plan: so.Mapped[ServicePlan] = so.relationship(back_populates="goals")
    tasks: so.Mapped[list[PlanTask]] = so.relationship(
        back_populates="goal", order_by="PlanTask.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_GOAL_STATUSES


class TaskOwner(LabelledEnum):
    CLIENT = "client", N_("The client")
    CASE_MANAGER = "case_manager", N_("Case manager")
    PROVIDER = "provider", N_("Provider")
    SUPPORT_PERSON = "support_person", N_("Support person")


class PlanTask(db.Model):
    __tablename__ = "plan_tasks"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    goal_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("goals.id", ondelete="RESTRICT"), index=True
    )
    description: so.Mapped[str] = so.mapped_column(sa.Text)
    responsible: so.Mapped[TaskOwner] = so.mapped_column(enum_column(TaskOwner))
    # A support person who carries the task: who, by name (a household member or someone in the
    # client's network).
    support_person: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    # Which provider carries a provider's task, by name.
    provider_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    # Where, when and how often, in words ("at the job centre", "Tuesday mornings", "weekly").
    place: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    schedule: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    frequency: so.Mapped[str] = so.mapped_column(sa.String(100), default="", server_default="")
    due_on: so.Mapped[date | None]
    done_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    goal: so.Mapped[Goal] = so.relationship(back_populates="tasks")

    @property
    def named(self) -> str:
        """Who carries it by name, where a name is recorded (a support person, a provider)."""
        if self.responsible == TaskOwner.SUPPORT_PERSON:
            return self.support_person
        if self.responsible == TaskOwner.PROVIDER:
            return self.provider_name
        return ""


class SignatureParty(LabelledEnum):
    CLIENT = "client", N_("The client")
    WORKER = "worker", N_("Case manager")
    SUPPORT_PERSON = "support_person", N_("Support person")
    PROVIDER = "provider", N_("Provider")
    OTHER = "other", N_("Someone else")
    # A paper copy signed by the parties named on it.
    PAPER = "paper", N_("Everyone on the paper copy")


class SignatureMethod(LabelledEnum):
    SCREEN = "screen", N_("Signed on the screen")
    PAPER = "paper", N_("Signed on paper")


# A signature drawn on the screen is stored as its strokes: points on a 600 × 200 grid, whole
# numbers, drawn again by Waymark as one SVG path. Never markup from the phone.
SIGNATURE_WIDTH = 600
SIGNATURE_HEIGHT = 200
SIGNATURE_MAX_TEXT = 40_000
SIGNATURE_MAX_STROKES = 60
SIGNATURE_MAX_POINTS = 3_000
_STROKE_TEXT = re.compile(r"[\[\]0-9,\s]*")


class BadSignature(ValueError):
    """The strokes sent are not a signature Waymark drew."""


def strokes_from_text(text: str) -> list[list[list[int]]]:
    """The strokes of a signature from the pad's field: JSON of strokes of [x, y] points, whole
    numbers on the grid, within the limits. Anything else is refused (BadSignature), before the
    JSON parser sees it where the characters alone give it away."""
    if len(text) > SIGNATURE_MAX_TEXT:
        raise BadSignature("too long")
    if not _STROKE_TEXT.fullmatch(text):
        raise BadSignature("characters")
    depth = 0
    for character in text:
        depth += character == "["
        depth -= character == "]"
        if depth > 3 or depth < 0:
            raise BadSignature("nesting")
    try:
        strokes = json.loads(text) if text.strip() else []
    except ValueError as error:
        raise BadSignature("json") from error
    check_strokes(strokes)
    return strokes


def check_strokes(strokes: object) -> None:
    """Raise BadSignature unless `strokes` is a list of strokes, each a list of [x, y] whole
    numbers on the grid, within the limits, with something drawn."""
    if not isinstance(strokes, list) or len(strokes) > SIGNATURE_MAX_STROKES:
        raise BadSignature("strokes")
    points = 0
    for stroke in strokes:
        if not isinstance(stroke, list) or not stroke:
            raise BadSignature("stroke")
        for point in stroke:
            if (
                not isinstance(point, list)
                or len(point) != 2
                or not all(type(value) is int for value in point)
                or not 0 <= point[0] <= SIGNATURE_WIDTH
                or not 0 <= point[1] <= SIGNATURE_HEIGHT
            ):
                raise BadSignature("point")
        points += len(stroke)
    if points > SIGNATURE_MAX_POINTS:
        raise BadSignature("points")
    if points < 2:
        raise BadSignature("empty")


def signature_path(strokes: list[list[list[int]]]) -> str:
    """SVG path data for the strokes, written from the numbers alone."""
    parts = []
    for stroke in strokes:
        (x, y), rest = stroke[0], stroke[1:]
        parts.append(f"M{int(x)} {int(y)}")
        parts.extend(f"L{int(px)} {int(py)}" for px, py in rest)
        if not rest:
            parts.append("l0 0")  # a dot: the round cap draws it
    return " ".join(parts)


class PlanSignature(db.Model):
    """One party's signature of the plan as it stood (its terms version): drawn on the screen
    (the strokes) or recorded as signed on paper (who, on which day, who recorded it)."""

    __tablename__ = "plan_signatures"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("service_plans.id", ondelete="RESTRICT"), index=True
    )
    terms_version: so.Mapped[int]
    party: so.Mapped[SignatureParty] = so.mapped_column(enum_column(SignatureParty))
    method: so.Mapped[SignatureMethod] = so.mapped_column(enum_column(SignatureMethod))
    # Who signed, as the agreement shows them.
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    # The staff member who signed as the case manager.
    user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    strokes: so.Mapped[list | None] = so.mapped_column(sa.JSON)
    signed_on: so.Mapped[date]
    recorded_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    recorded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    plan: so.Mapped[ServicePlan] = so.relationship(back_populates="signatures")
    user: so.Mapped[User | None] = so.relationship(foreign_keys=[user_id])
    recorded_by: so.Mapped[User | None] = so.relationship(foreign_keys=[recorded_by_id])

    @property
    def path(self) -> str:
        return signature_path(self.strokes or [])


class CaseEventKind(LabelledEnum):
    PHASE = "phase", N_("Phase")
    RISK = "risk", N_("Risk level")
    TRANSFER = "transfer", N_("Transfer")
    SUPERVISION_NOTE = "supervision_note", N_("Supervision note")
    CLOSURE_REQUESTED = "closure_requested", N_("Closure requested")
    CLOSURE_APPROVED = "closure_approved", N_("Closure approved")
    CLOSURE_RETURNED = "closure_returned", N_("Closure returned")
    CLOSED = "closed", N_("Closed")
    REOPENED = "reopened", N_("Reopened")
    RESTRICTION = "restriction", N_("Who can see it")
    MODEL = "model", N_("Case management model")


class CaseEvent(db.Model):
    """The case's own history: phase and risk changes, transfers, closure, supervision.
    Append-only."""

    __tablename__ = "case_events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("cases.id", ondelete="RESTRICT"))
    kind: so.Mapped[CaseEventKind] = so.mapped_column(enum_column(CaseEventKind))
    old_value: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    new_value: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    occurred_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    user: so.Mapped[User | None] = so.relationship()

    __table_args__ = (sa.Index("ix_case_events_case", "case_id", "occurred_at"),)


class ClosureReason(LabelledEnum):
    GOALS_MET = "goals_met", N_("Goals met")
    DISENGAGED = "disengaged", N_("Client disengaged")
    MOVED = "moved", N_("Client moved away")
    TRANSFERRED = "transferred", N_("Transferred to another provider")
    DECEASED = "deceased", N_("Client died")
    OTHER = "other", N_("Other")


# A closure assessment needs the client; these endings may not allow one.
CLOSURE_ASSESSMENT_OPTIONAL = frozenset(
    {ClosureReason.DISENGAGED, ClosureReason.MOVED, ClosureReason.DECEASED}
)


class WarmHandoff(LabelledEnum):
    DONE = "done", N_("Yes, done")
    NOT_DONE = "not_done", N_("Not done")
    NOT_APPLICABLE = "not_applicable", N_("Nobody takes over")


class ClosureStatus(LabelledEnum):
    PENDING = "pending", N_("Awaiting approval")
    APPROVED = "approved", N_("Approved")
    RETURNED = "returned", N_("Returned to the worker")


class ClosureRequest(db.Model):
    """A planned closure: what it says, and (where the program asks for it) the supervisor's
    decision."""

    __tablename__ = "closure_requests"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("cases.id", ondelete="RESTRICT"), index=True
    )
    reason: so.Mapped[ClosureReason] = so.mapped_column(enum_column(ClosureReason))
    outcome: so.Mapped[str] = so.mapped_column(sa.Text)
    # {goal id: GoalStatus value}, applied to the goals when the closure takes effect.
    goal_outcomes: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    closure_assessment_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("assessments.id", ondelete="RESTRICT")
    )
    taken_over_by: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    warm_handoff: so.Mapped[WarmHandoff] = so.mapped_column(enum_column(WarmHandoff))
    follow_up_dates: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    status: so.Mapped[ClosureStatus] = so.mapped_column(
        enum_column(ClosureStatus), default=ClosureStatus.PENDING
    )
    requested_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    requested_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    decision_note: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    case: so.Mapped[Case] = so.relationship()
    requested_by: so.Mapped[User | None] = so.relationship(foreign_keys=[requested_by_id])
    decided_by: so.Mapped[User | None] = so.relationship(foreign_keys=[decided_by_id])

    __table_args__ = (sa.Index("ix_closure_requests_status", "status"),)

    @property
    def planned_follow_ups(self) -> list[date]:
        return [date.fromisoformat(due) for due in self.follow_up_dates]

    def outcome_of(self, goal: Goal) -> GoalStatus | None:
        value = self.goal_outcomes.get(str(goal.id))
        return GoalStatus(value) if value else None


class PostClosureFollowUp(db.Model):
    """A planned check-in after closure: it stays due on Today until someone records it."""

    __tablename__ = "post_closure_follow_ups"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("cases.id", ondelete="RESTRICT"), index=True
    )
    due_on: so.Mapped[date]
    done_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    done_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    cancelled: so.Mapped[bool] = so.mapped_column(default=False)

    case: so.Mapped[Case] = so.relationship()
    done_by: so.Mapped[User | None] = so.relationship()

    __table_args__ = (sa.Index("ix_post_closure_follow_ups_due", "done_at", "due_on"),)

    @property
    def is_pending(self) -> bool:
        return self.done_at is None and not self.cancelled
