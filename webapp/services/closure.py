"""Planned closure: outcomes per goal, a closure assessment, the transition, supervisor approval
where the program asks for it, post-closure follow-ups, and reopening."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    CLOSURE_ASSESSMENT_OPTIONAL,
    GOAL_OUTCOMES,
    AssessmentKind,
    AuditAction,
    Case,
    CaseEventKind,
    ClosureApproval,
    ClosureReason,
    ClosureRequest,
    ClosureStatus,
    Goal,
    GoalStatus,
    PostClosureFollowUp,
    RiskLevel,
    User,
    WarmHandoff,
    utcnow,
)
from webapp.queries.case_state import CaseState
from webapp.queries.visibility import supervises_in
from webapp.services import audit
from webapp.services.case_changes import record_event, refresh_phase
from webapp.services.cases import CaseError
from webapp.text import Phrase

DEFAULT_FOLLOW_UPS = (timedelta(days=30), timedelta(days=90))


def needs_approval(case: Case) -> bool:
    rule = case.program.closure_approval
    if rule == ClosureApproval.ALWAYS:
        return True
    if rule == ClosureApproval.HIGH_RISK:
        return case.risk_level in (RiskLevel.HIGH, RiskLevel.URGENT)
    return False


def may_approve(user: User, request: ClosureRequest) -> bool:
    """A supervisor in the case's program, or an admin; never the person who asked."""
    return request.requested_by_id != user.id and supervises_in(user, request.case.program_id)


@dataclass
class ClosurePlan:
    reason: ClosureReason
    outcome: str
    goal_outcomes: dict[int, GoalStatus] = field(default_factory=dict)
    taken_over_by: str = ""
    warm_handoff: WarmHandoff = WarmHandoff.NOT_APPLICABLE
    follow_up_dates: list[date] = field(default_factory=list)


def problems(state: CaseState, plan: ClosurePlan, today: date) -> dict[str, Phrase]:
    """What stops this closure, by form field; empty when it may go ahead."""
    found: dict[str, Phrase] = {}
    if not plan.outcome.strip():
        found["outcome"] = Phrase(
            "Say how the case ends for the client: what changed, what is still open."
        )
    missing = [
        goal for goal in state.active_goals if plan.goal_outcomes.get(goal.id) not in GOAL_OUTCOMES
    ]
    if missing:
        found["goals"] = Phrase("Give every open goal its outcome.")
    closure_assessment = next(
        (a for a in reversed(state.assessments) if a.kind == AssessmentKind.CLOSURE), None
    )
    if closure_assessment is None and plan.reason not in CLOSURE_ASSESSMENT_OPTIONAL:
        found["assessment"] = Phrase(
            "Record the closure assessment first, so the change from baseline is known."
        )
    if plan.reason == ClosureReason.TRANSFERRED and not plan.taken_over_by.strip():
        found["taken_over_by"] = Phrase("Say which provider takes over.")
    if plan.warm_handoff == WarmHandoff.DONE and not plan.taken_over_by.strip():
        found["taken_over_by"] = Phrase("Say who the client was handed to.")
    for due in plan.follow_up_dates:
        if due <= today or due > today + timedelta(days=366):
            found["follow_ups"] = Phrase("Follow-up dates after today and within a year.")
    return found


def request_closure(
    state: CaseState, plan: ClosurePlan, *, user: User, today: date
) -> ClosureRequest:
    """Ask to close; where no approval is needed the closure takes effect at once."""
    case = state.case
    if not case.is_open:
        raise CaseError(Phrase("This case is already closed."))
    if state.pending_closure is not None:
        raise CaseError(Phrase("A closure is already waiting for approval."))
    found = problems(state, plan, today)
    if found:
        # The page asks `problems` first and shows each beside its field; this is the guard.
        raise CaseError(next(iter(found.values())))
    closure_assessment = next(
        (a for a in reversed(state.assessments) if a.kind == AssessmentKind.CLOSURE), None
    )
    request = ClosureRequest(
        case=case,
        reason=plan.reason,
        outcome=plan.outcome.strip(),
        goal_outcomes={
            str(goal_id): status.value for goal_id, status in plan.goal_outcomes.items()
        },
        closure_assessment_id=closure_assessment.id if closure_assessment else None,
        taken_over_by=plan.taken_over_by.strip(),
        warm_handoff=plan.warm_handoff,
        follow_up_dates=sorted({due.isoformat() for due in plan.follow_up_dates}),
        requested_by_id=user.id,
        requested_at=utcnow(),
    )
    db.session.add(request)
    db.session.flush()
    audit.record(AuditAction.CREATE, "closure_request", request.id, user=user)
    if needs_approval(case):
        record_event(case, CaseEventKind.CLOSURE_REQUESTED, user=user, new=plan.reason.value)
    else:
        request.status = ClosureStatus.APPROVED
        request.decided_at = request.requested_at
        request.decision_note = "The program does not ask for approval of this closure."
        _close(case, request, user=user)
    return request


def approve(request: ClosureRequest, *, user: User, note: str = "") -> None:
    _decide(request, user)
    request.status = ClosureStatus.APPROVED
    request.decided_by_id = user.id
    request.decided_at = utcnow()
    request.decision_note = note.strip()
    record_event(request.case, CaseEventKind.CLOSURE_APPROVED, user=user, note=note)
    _close(request.case, request, user=user)


def send_back(request: ClosureRequest, *, user: User, note: str) -> None:
    """Return a closure to the worker with what is missing; the case stays open."""
    _decide(request, user)
    if not note.strip():
        raise CaseError(Phrase("Say what the worker should do before closing."))
    request.status = ClosureStatus.RETURNED
    request.decided_by_id = user.id
    request.decided_at = utcnow()
    request.decision_note = note.strip()
    record_event(request.case, CaseEventKind.CLOSURE_RETURNED, user=user, note=note)
    db.session.flush()
    audit.record(AuditAction.UPDATE, "closure_request", request.id, user=user)


def _decide(request: ClosureRequest, user: User) -> None:
    if request.status != ClosureStatus.PENDING:
        raise CaseError(Phrase("This closure has already been decided."))
    if not may_approve(user, request):
        raise CaseError(
            Phrase(
                "A supervisor of this program, other than whoever asked, decides on this closure."
            )
        )


def _close(case: Case, request: ClosureRequest, *, user: User) -> None:
    goals = db.session.scalars(
        sa.select(Goal).where(Goal.id.in_([int(key) for key in request.goal_outcomes]))
    )
    for goal in goals:
        goal.status = GoalStatus(request.goal_outcomes[str(goal.id)])
    case.closed_at = utcnow()
    case.closure_reason = request.reason.value
    case.closure_outcome = request.outcome
    case.loop_back_phase = None
    case.loop_back_at = None
    case.handoff_pending = False
    for due in request.follow_up_dates:
        db.session.add(PostClosureFollowUp(case_id=case.id, due_on=date.fromisoformat(due)))
    record_event(
        case, CaseEventKind.CLOSED, user=user, new=request.reason.value, note=request.outcome
    )
    db.session.flush()
    audit.record(AuditAction.UPDATE, "closure_request", request.id, user=user)
    audit.record(AuditAction.UPDATE, "case", case.id, user=user)
    refresh_phase(case, user=user, why=f"Closed: {request.reason.label}")


def reopen(case: Case, *, reason: str, user: User) -> None:
    """Undo a closure (it was too early, or a mistake); a client who returns later gets a new
    case."""
    if case.is_open:
        raise CaseError(Phrase("This case is open."))
    if not reason.strip():
        raise CaseError(Phrase("Say why the case is reopened."))
    record_event(
        case, CaseEventKind.REOPENED, user=user, old=case.closure_reason or "", note=reason
    )
    case.closed_at = None
    case.closure_reason = None
    case.closure_outcome = ""
    pending = db.session.scalars(
        sa.select(PostClosureFollowUp).where(
            PostClosureFollowUp.case_id == case.id, PostClosureFollowUp.done_at.is_(None)
        )
    )
    for follow_up in pending:
        follow_up.cancelled = True
    db.session.flush()
    audit.record(AuditAction.UPDATE, "case", case.id, user=user)
    refresh_phase(case, user=user, why="Reopened")


def record_follow_up(follow_up: PostClosureFollowUp, *, note: str, user: User) -> None:
    if not follow_up.is_pending:
        raise CaseError(Phrase("This follow-up is already recorded."))
    if not note.strip():
        raise CaseError(Phrase("Say how the client is doing, or how you tried to reach them."))
    follow_up.done_at = utcnow()
    follow_up.done_by_id = user.id
    follow_up.note = note.strip()
    db.session.flush()
    audit.record(AuditAction.UPDATE, "post_closure_follow_up", follow_up.id, user=user)
