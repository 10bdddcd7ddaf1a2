"""Changes to a case as a whole, each kept in its history: phase, risk, transfer, supervision
notes."""

from __future__ import annotations

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    WORKER_ROLES,
    AuditAction,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseModel,
    Phase,
    RiskLevel,
    User,
    program_memberships,
    utcnow,
)
from webapp.queries.case_state import derive_phase, load_state
from webapp.queries.visibility import may_restrict, supervises_in
from webapp.services import audit, teams
from webapp.services.cases import CaseError
from webapp.text import Phrase

# Where a case may be set back to, from where: the practice model's loops.
LOOP_BACKS: dict[Phase, frozenset[Phase]] = {
    Phase.PLANNING: frozenset({Phase.ASSESSMENT}),
    Phase.IMPLEMENTATION: frozenset({Phase.ASSESSMENT, Phase.PLANNING}),
    Phase.MONITORING: frozenset({Phase.ASSESSMENT, Phase.PLANNING}),
}


def record_event(
    case: Case,
    kind: CaseEventKind,
    *,
    user: User | None,
    old: str = "",
    new: str = "",
    note: str = "",
) -> CaseEvent:
    event = CaseEvent(
        case_id=case.id,
        kind=kind,
        old_value=old,
        new_value=new,
        note=note.strip(),
        user_id=user.id if user else None,
        occurred_at=utcnow(),
    )
    db.session.add(event)
    return event


def refresh_phase(case: Case, *, user: User | None, why: str = "") -> Phase:
    """Set the case's stored phase to what its records now say, keeping each change in the
    history."""
    db.session.flush()
    phase = derive_phase(load_state(case))
    if phase != case.phase:
        record_event(
            case, CaseEventKind.PHASE, user=user, old=case.phase.value, new=phase.value, note=why
        )
        case.phase = phase
    return phase


def _require_open(case: Case) -> None:
    if not case.is_open:
        raise CaseError(Phrase("This case is closed; reopen it first."))


def loop_back(case: Case, to: Phase, *, reason: str, user: User) -> None:
    """Send a case back to assessment or planning, e.g. after a crisis changes what is needed."""
    _require_open(case)
    if not reason.strip():
        raise CaseError(Phrase("Say why the case goes back to this phase."))
    allowed = LOOP_BACKS.get(case.phase, frozenset())
    if to not in allowed:
        raise CaseError(
            Phrase(
                "A case in %(phase)s cannot go back to %(to)s.",
                phase=Phrase(case.phase.label).lower(),
                to=Phrase(to.label).lower(),
            )
        )
    case.loop_back_phase = to
    case.loop_back_at = utcnow()
    refresh_phase(case, user=user, why=reason)
    audit.record(AuditAction.UPDATE, "case", case.id, user=user)


def loop_back_met(case: Case, *, by: Phase) -> None:
    """A reassessment answers a loop-back to assessment (the plan comes next); an agreement ends
    it."""
    if case.loop_back_phase == Phase.ASSESSMENT and by == Phase.ASSESSMENT:
        case.loop_back_phase = Phase.PLANNING
    elif case.loop_back_phase == Phase.PLANNING and by == Phase.PLANNING:
        case.loop_back_phase = None
        case.loop_back_at = None


def change_risk(case: Case, to: RiskLevel, *, reason: str, user: User) -> None:
    _require_open(case)
    if not reason.strip():
        raise CaseError(Phrase("Say why the risk level changes."))
    if to == case.risk_level:
        raise CaseError(
            Phrase("The risk level is already %(level)s.", level=Phrase(to.label).lower())
        )
    record_event(
        case, CaseEventKind.RISK, user=user, old=case.risk_level.value, new=to.value, note=reason
    )
    case.risk_level = to
    db.session.flush()
    audit.record(AuditAction.UPDATE, "case", case.id, user=user)


def change_model(case: Case, to: CaseModel, *, reason: str, user: User) -> None:
    """A case worked in another model than its program's (a client who needs intensive work in a
    brokerage program): its contact standard and reassessment interval follow the case's model
    (`queries.case_state.standard_for`)."""
    _require_open(case)
    if not reason.strip():
        raise CaseError(Phrase("Say why this case needs another model."))
    if to == case.model:
        raise CaseError(Phrase("The case already uses this model."))
    record_event(
        case, CaseEventKind.MODEL, user=user, old=case.model.value, new=to.value, note=reason
    )
    case.model = to
    db.session.flush()
    audit.record(AuditAction.UPDATE, "case", case.id, user=user)


def may_manage(user: User, case: Case) -> bool:
    """Transfer, closure and reopening: the case's own worker, a supervisor in its program, or an
    admin."""
    return case.primary_worker_id == user.id or supervises_in(user, case.program_id)


def transfer_candidates(case: Case) -> list[User]:
    """Active staff of the case's program who carry cases, other than its current worker."""
    members = sa.select(program_memberships.c.user_id).where(
        program_memberships.c.program_id == case.program_id
    )
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.id.in_(members),
                User.active,
                User.role.in_(WORKER_ROLES),
                User.id != (case.primary_worker_id or 0),
            )
            .order_by(User.display_name)
        )
    )


def open_caseloads(user_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(Case.primary_worker_id, sa.func.count())
        .where(Case.primary_worker_id.in_(user_ids), Case.closed_at.is_(None))
        .group_by(Case.primary_worker_id)
    )
    return {worker_id: count for worker_id, count in rows}


def transfer(case: Case, to: User, *, note: str, user: User) -> None:
    """Hand the case to another worker, with a note; they get a "where this case stands" summary."""
    _require_open(case)
    if not note.strip():
        raise CaseError(Phrase("Write a handoff note: what the new worker needs to know."))
    if to.id not in {candidate.id for candidate in transfer_candidates(case)}:
        raise CaseError(Phrase("Choose someone who works in this program."))
    old = case.primary_worker
    record_event(
        case,
        CaseEventKind.TRANSFER,
        user=user,
        old=str(old.id) if old else "",
        new=str(to.id),
        note=note,
    )
    case.primary_worker = to
    case.handoff_pending = True
    teams.leave_on_transfer(case, to)
    db.session.flush()
    audit.record(AuditAction.UPDATE, "case", case.id, user=user)


def handoff_read(case: Case, user: User) -> None:
    if case.handoff_pending and case.primary_worker_id == user.id:
        case.handoff_pending = False


def may_supervise(user: User, case: Case) -> bool:
    return supervises_in(user, case.program_id)


def set_restricted(case: Case, restricted: bool, *, reason: str, user: User) -> None:
    """Mark a case restricted (only its worker, their supervisor and admins may see it), or lift
    it."""
    if not may_restrict(user, case):
        raise CaseError(
            Phrase(
                "Only the case's worker, their supervisor or an admin may change who can see it."
            )
        )
    if not reason.strip():
        raise CaseError(
            Phrase("Say why.") if restricted else Phrase("Say why the restriction is lifted.")
        )
    if case.restricted == restricted:
        raise CaseError(
            Phrase("The case is already restricted.")
            if restricted
            else Phrase("The case is not restricted.")
        )
    record_event(
        case,
        CaseEventKind.RESTRICTION,
        user=user,
        old="restricted" if case.restricted else "program",
        new="restricted" if restricted else "program",
        note=reason,
    )
    case.restricted = restricted
    db.session.flush()
    audit.record(AuditAction.UPDATE, "case", case.id, user=user)


def add_supervision_note(case: Case, note: str, *, user: User) -> CaseEvent:
    """A documented case review. Closed cases may be reviewed too."""
    if not note.strip():
        raise CaseError(Phrase("Write the review note."))
    event = record_event(case, CaseEventKind.SUPERVISION_NOTE, user=user, note=note)
    db.session.flush()
    audit.record(AuditAction.CREATE, "case_event", event.id, user=user)
    return event
