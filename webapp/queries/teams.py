"""Who works a case besides its primary worker."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models import WORKER_ROLES, Case, CaseTeamMember, User, program_memberships


def team_of(case: Case) -> list[CaseTeamMember]:
    """The case's current team, in the order they joined."""
    return list(
        db.session.scalars(
            sa.select(CaseTeamMember)
            .where(CaseTeamMember.case_id == case.id, CaseTeamMember.removed_at.is_(None))
            .options(so.joinedload(CaseTeamMember.user))
            .order_by(CaseTeamMember.id)
        )
    )


def team_candidates(case: Case) -> list[sa.Row]:
    """Active colleagues of the case's program who carry cases, not its worker nor on its team:
    their `id` and `display_name` only (a picker of every colleague in the program)."""
    on_team = sa.select(CaseTeamMember.user_id).where(
        CaseTeamMember.case_id == case.id, CaseTeamMember.removed_at.is_(None)
    )
    members = sa.select(program_memberships.c.user_id).where(
        program_memberships.c.program_id == case.program_id
    )
    query = sa.select(User.id, User.display_name).where(
        User.active,
        User.role.in_(WORKER_ROLES),
        User.id.in_(members),
        User.id.not_in(on_team),
    )
    if case.primary_worker_id is not None:
        query = query.where(User.id != case.primary_worker_id)
    return list(db.session.execute(query.order_by(User.display_name)))
