"""What the closure page shows besides the case's state: the last closure sent back, the one that
closed the case, the closure assessment, and what a supervisor reads before deciding on a
closure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models import (
    CLOSURE_ASSESSMENT_OPTIONAL,
    Assessment,
    AssessmentKind,
    ClosureRequest,
    ClosureStatus,
    Goal,
    GoalStatus,
    LifeDomain,
    PlanTask,
    PostClosureFollowUp,
    Referral,
)
from webapp.queries.case_state import CaseState


@dataclass(frozen=True)
class ClosureHistory:
    last_returned: ClosureRequest | None
    closed_by: ClosureRequest | None
    closure_assessment: Assessment | None


def closure_history(state: CaseState) -> ClosureHistory:
    case = state.case

    def last(status: ClosureStatus) -> ClosureRequest | None:
        return db.session.scalar(
            sa.select(ClosureRequest)
            .where(ClosureRequest.case_id == case.id, ClosureRequest.status == status)
            .order_by(ClosureRequest.decided_at.desc())
            .limit(1)
        )

    return ClosureHistory(
        last_returned=last(ClosureStatus.RETURNED),
        closed_by=None if case.is_open else last(ClosureStatus.APPROVED),
        closure_assessment=next(
            (a for a in reversed(state.assessments) if a.kind == AssessmentKind.CLOSURE), None
        ),
    )


@dataclass(frozen=True)
class DomainOutcome:
    """One life domain's score at baseline and at closure (None where it was not scored)."""

    domain: LifeDomain
    baseline: int | None
    closure: int | None

    @property
    def change(self) -> int | None:
        if self.baseline is None or self.closure is None:
            return None
        return self.closure - self.baseline


@dataclass(frozen=True)
class GoalOutcome:
    goal: Goal
    outcome: GoalStatus | None  # what the closure gives it, or how it had already ended
    ended_before: bool  # met, dropped… before the closure


@dataclass(frozen=True)
class ClosureReview:
    """What a supervisor reads before approving a closure: the change from baseline per domain,
    each goal's outcome, what is still open and the checks planned after closure."""

    request: ClosureRequest
    baseline: Assessment | None
    closure_assessment: Assessment | None
    domains: list[DomainOutcome]
    goals: list[GoalOutcome]
    open_tasks: list[PlanTask]
    open_referrals: list[Referral]
    follow_ups: list[date]

    @property
    def assessment_optional(self) -> bool:
        """The client disengaged, moved or died: no closure assessment is asked for."""
        return self.request.reason in CLOSURE_ASSESSMENT_OPTIONAL

    def count(self, direction: int) -> int:
        """Domains better (1), unchanged (0) or worse (-1) at closure than at baseline."""
        return sum(
            1
            for row in self.domains
            if row.change is not None and (row.change > 0) - (row.change < 0) == direction
        )


def closure_review(state: CaseState, request: ClosureRequest) -> ClosureReview:
    """The review of `request`, a closure of `state`'s case. Its closure assessment is the one the
    request names, else the latest recorded since; no further queries beyond the case's state."""
    closure_assessment = next(
        (a for a in state.assessments if a.id == request.closure_assessment_id), None
    ) or next((a for a in reversed(state.assessments) if a.kind == AssessmentKind.CLOSURE), None)
    baseline = state.baseline
    domains = []
    for domain in LifeDomain:
        before = baseline.score_of(domain) if baseline else None
        after = closure_assessment.score_of(domain) if closure_assessment else None
        if before is not None or after is not None:
            domains.append(
                DomainOutcome(
                    domain,
                    before.score if before else None,
                    after.score if after else None,
                )
            )
    # An open goal ends as the request says (None: added after it was asked for); one that had
    # already ended keeps its own status.
    goals = [
        GoalOutcome(goal, request.outcome_of(goal), ended_before=False)
        if goal.is_active
        else GoalOutcome(goal, goal.status, ended_before=True)
        for goal in state.goals
    ]
    return ClosureReview(
        request=request,
        baseline=baseline,
        closure_assessment=closure_assessment,
        domains=domains,
        goals=goals,
        open_tasks=state.open_tasks,
        open_referrals=state.open_referrals,
        follow_ups=request.planned_follow_ups,
    )


def recorded_checks(case_ids: list[int]) -> list[PostClosureFollowUp]:
    """Checks after closure that someone recorded (when, by whom, how the client is doing),
    newest first."""
    if not case_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(PostClosureFollowUp)
            .where(
                PostClosureFollowUp.case_id.in_(case_ids), PostClosureFollowUp.done_at.is_not(None)
            )
            .options(so.joinedload(PostClosureFollowUp.done_by))
            .order_by(PostClosureFollowUp.done_at.desc())
        )
    )
