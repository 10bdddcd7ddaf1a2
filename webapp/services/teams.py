"""A case's team: colleagues of its program who work it with its primary worker."""

from __future__ import annotations

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    WORKER_ROLES,
    AuditAction,
    Case,
    CaseTeamMember,
    TeamRole,
    User,
    utcnow,
)
from webapp.queries.teams import team_of
from webapp.queries.visibility import in_programs_of, supervises_in
from webapp.services import audit
from webapp.text import Phrase


class TeamError(ValueError):
    """A team change that cannot be made; the message says why."""


def may_change_team(user: User, case: Case) -> bool:
    """The primary worker, a supervisor in the program, or an admin; a restricted case's team is
    its primary worker's alone to widen (anyone allowed may still take someone off)."""
    return case.primary_worker_id == user.id or supervises_in(user, case.program_id)


def may_add_to(user: User, case: Case) -> bool:
    if case.restricted:
        return case.primary_worker_id == user.id
    return may_change_team(user, case)


def add(case: Case, member: User, role: TeamRole, *, by: User) -> CaseTeamMember:
    if not case.is_open:
        raise TeamError(Phrase("This case is closed."))
    if not may_add_to(by, case):
        raise TeamError(Phrase("This case is restricted: only its worker adds people to its team."))
    if (
        not member.active
        or member.role not in WORKER_ROLES
        or not in_programs_of(member, case.program_id)
    ):
        raise TeamError(Phrase("Choose a colleague who works in this case's program."))
    if member.id == case.primary_worker_id:
        raise TeamError(Phrase("They are the case's worker already."))
    if any(existing.user_id == member.id for existing in team_of(case)):
        raise TeamError(Phrase("They are on the team already."))
    joined = CaseTeamMember(case_id=case.id, user_id=member.id, role=role, added_by_id=by.id)
    db.session.add(joined)
    db.session.flush()
    audit.record(AuditAction.CREATE, "case_team_member", joined.id, user=by)
    return joined


def remove(membership: CaseTeamMember, *, by: User) -> None:
    """Off the team: what they could see through it, they no longer can, at once."""
    if membership.removed_at is None:
        membership.removed_at, membership.removed_by_id = utcnow(), by.id
        db.session.flush()
        audit.record(AuditAction.UPDATE, "case_team_member", membership.id, user=by)


def leave_on_transfer(case: Case, new_worker: User) -> None:
    """The new primary worker is no longer a team member of their own case."""
    db.session.execute(
        sa.update(CaseTeamMember)
        .where(
            CaseTeamMember.case_id == case.id,
            CaseTeamMember.user_id == new_worker.id,
            CaseTeamMember.removed_at.is_(None),
        )
        .values(removed_at=utcnow())
    )
