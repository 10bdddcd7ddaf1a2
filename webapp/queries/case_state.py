"""Where a case stands: its records read in a fixed handful of queries, and the phase they imply.

The phase is derived from the records, so it cannot drift from them: an intake that says what
brought the client and what they want, but no baseline, means assessment; no agreed plan means
planning, and so on. A worker can set it back (monitoring → assessment or planning) with a reason;
that loop-back holds until the record it asks for is made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models import (
    MODEL_DEFAULTS,
    Assessment,
    AssessmentKind,
    Case,
    ClosureRequest,
    ClosureStatus,
    Goal,
    ModelStandard,
    Phase,
    PlanTask,
    PostClosureFollowUp,
    Program,
    Referral,
    ReferralStatus,
    Service,
    ServicePlan,
)
from webapp.models.types import UTCDateTime
from webapp.timeutil import local_midnight, to_local

# Referral statuses at which the client has not yet reached the service.
NOT_YET_CONNECTED = frozenset(
    {
        ReferralStatus.SENT,
        ReferralStatus.ACKNOWLEDGED,
        ReferralStatus.SCHEDULED,
        ReferralStatus.NO_SHOW,
    }
)
# How far ahead a coming reassessment or plan review becomes the next step.
DUE_SOON = timedelta(days=7)


def standard_for(case: Case) -> ModelStandard:
    """The case's own model decides; the program's figures apply when the case uses its model."""
    if case.model == case.program.model:
        program = case.program
        return ModelStandard(
            program.contact_standard_days, program.caseload_cap, program.reassessment_interval_days
        )
    return MODEL_DEFAULTS[case.model]


@dataclass
class CaseState:
    case: Case
    assessments: list[Assessment]  # oldest first
    plan: ServicePlan | None
    referrals: list[Referral]  # newest first
    pending_closure: ClosureRequest | None
    follow_ups: list[PostClosureFollowUp]  # still to do, soonest first
    # Checks after closure someone recorded (when, by whom, how the client is doing), newest
    # first: `queries.closure.recorded_checks` for this case, read with the ones still to do.
    recorded_checks: list[PostClosureFollowUp] = field(default_factory=list)

    @property
    def baseline(self) -> Assessment | None:
        return next((a for a in self.assessments if a.kind == AssessmentKind.BASELINE), None)

    @property
    def latest_assessment(self) -> Assessment | None:
        return self.assessments[-1] if self.assessments else None

    @property
    def goals(self) -> list[Goal]:
        return list(self.plan.goals) if self.plan else []

    @property
    def active_goals(self) -> list[Goal]:
        return [goal for goal in self.goals if goal.is_active]

    @property
    def open_tasks(self) -> list[PlanTask]:
        return [task for goal in self.active_goals for task in goal.tasks if task.done_at is None]

    @property
    def open_referrals(self) -> list[Referral]:
        return [referral for referral in self.referrals if referral.is_open]

    @property
    def reassessment_due_on(self) -> date | None:
        """The model's interval after the last baseline or reassessment."""
        if self.baseline is None or not self.case.is_open:
            return None
        last = max(a.assessed_on for a in self.assessments if a.kind != AssessmentKind.CLOSURE)
        return last + timedelta(days=standard_for(self.case).reassessment_interval_days)

    @property
    def plan_review_on(self) -> date | None:
        return (
            self.plan.review_on if self.plan and self.plan.is_agreed and self.case.is_open else None
        )


def load_state(case: Case) -> CaseState:
    return load_states([case])[case.id]


def load_states(cases: list[Case]) -> dict[int, CaseState]:
    """Each case's state, in the same handful of queries however many cases: a list of cases
    (the offline caseload) reads each table once for all of them, never once a case."""
    ids = [case.id for case in cases]
    if not ids:
        return {}
    assessments = _by_case(
        db.session.scalars(
            sa.select(Assessment)
            .where(Assessment.case_id.in_(ids))
            .options(so.selectinload(Assessment.scores), so.joinedload(Assessment.recorded_by))
            .order_by(Assessment.assessed_on, Assessment.id)
        )
    )
    plans = {
        plan.case_id: plan
        for plan in db.session.scalars(
            sa.select(ServicePlan)
            .where(ServicePlan.case_id.in_(ids))
            .options(so.selectinload(ServicePlan.goals).selectinload(Goal.tasks))
        )
    }
    referrals = _by_case(
        db.session.scalars(
            sa.select(Referral)
            .where(Referral.case_id.in_(ids))
            # Many-to-one all the way: joined in the same statement.
            .options(so.joinedload(Referral.service).joinedload(Service.provider))
            .order_by(Referral.created_at.desc())
        )
    )
    pending: dict[int, ClosureRequest] = {}
    for request in db.session.scalars(
        sa.select(ClosureRequest)
        .where(ClosureRequest.case_id.in_(ids), ClosureRequest.status == ClosureStatus.PENDING)
        .options(so.joinedload(ClosureRequest.requested_by))
    ):
        pending.setdefault(request.case_id, request)
    # Every check after closure of the cases, in one statement: those still to do, and those
    # recorded (with who recorded them).
    checks = _by_case(
        db.session.scalars(
            sa.select(PostClosureFollowUp)
            .where(PostClosureFollowUp.case_id.in_(ids))
            .options(so.joinedload(PostClosureFollowUp.done_by))
            .order_by(PostClosureFollowUp.due_on, PostClosureFollowUp.id)
        )
    )
    return {
        case.id: CaseState(
            case,
            assessments.get(case.id, []),
            plans.get(case.id),
            referrals.get(case.id, []),
            pending.get(case.id),
            [
                check
                for check in checks.get(case.id, [])
                if check.done_at is None and not check.cancelled
            ],
            sorted(
                (check for check in checks.get(case.id, []) if check.done_at is not None),
                key=lambda check: check.done_at,
                reverse=True,
            ),
        )
        for case in cases
    }


def _by_case(rows) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row.case_id, []).append(row)
    return grouped


def derive_phase(state: CaseState) -> Phase:
    case = state.case
    if not case.is_open:
        return Phase.CLOSED
    if state.baseline is None:
        # A 60-second street intake may hold little more than a name: engagement is still under way
        # until we know what brought them and what they want help with.
        intake = case.intake
        if intake is None or not (intake.presenting_circumstances or intake.client_priorities):
            return Phase.INTAKE
        return Phase.ASSESSMENT
    if case.loop_back_phase is not None:
        return case.loop_back_phase
    plan = state.plan
    if plan is None or not plan.goals or not plan.is_agreed:
        return Phase.PLANNING
    if not state.active_goals:
        return Phase.MONITORING
    goal_ids = {goal.id for goal in state.active_goals}
    linked = [referral for referral in state.referrals if referral.goal_id in goal_ids]
    in_motion = state.open_tasks or linked or any(goal.tasks for goal in state.active_goals)
    waiting_to_connect = any(
        referral.status in NOT_YET_CONNECTED for referral in state.open_referrals
    )
    if not in_motion or state.open_tasks or waiting_to_connect:
        return Phase.IMPLEMENTATION
    return Phase.MONITORING


def last_contact_day(case: Case) -> date:
    return to_local(case.last_contact_at or case.opened_at).date()


def contact_standard_days() -> sa.ColumnElement[int]:
    """`standard_for(case).contact_standard_days` in SQL, over `Case` joined to its `Program`."""
    return sa.case(
        (Case.model == Program.model, Program.contact_standard_days),
        else_=sa.case(
            {model: standard.contact_standard_days for model, standard in MODEL_DEFAULTS.items()},
            value=Case.model,
        ),
    )


def contact_lapsed_before(
    today: date, last_contact: sa.ColumnElement | None = None
) -> sa.ColumnElement[bool]:
    """Over `Case` joined to its `Program`: the last contact (`Case.last_contact_at` unless a
    report asks about another day; with none, the opening) came before the first local day of
    its contact standard — `contact_overdue`'s second half, in SQL. Each standard's first day is
    worked out once, for the few standards there are."""
    standards = set(db.session.scalars(sa.select(Program.contact_standard_days).distinct()))
    standards |= {standard.contact_standard_days for standard in MODEL_DEFAULTS.values()}
    since = sa.case(
        {
            days: sa.literal(local_midnight(today - timedelta(days=days)), UTCDateTime())
            for days in standards
        },
        value=contact_standard_days(),
    )
    last = Case.last_contact_at if last_contact is None else last_contact
    return sa.func.coalesce(last, Case.opened_at) < since


def contact_overdue_clause(today: date) -> sa.ColumnElement[bool]:
    """`contact_overdue` in SQL, over `Case` joined to its `Program`."""
    return sa.or_(Case.next_follow_up_on < today, contact_lapsed_before(today))


def contact_overdue(case: Case, today: date) -> bool:
    """A planned follow-up has passed, or the model's contact standard has lapsed."""
    if case.next_follow_up_on is not None and case.next_follow_up_on < today:
        return True
    return last_contact_day(case) + timedelta(days=standard_for(case).contact_standard_days) < today
