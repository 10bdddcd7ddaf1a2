"""What a supervisor's overview shows: caseloads against the cap, overdue contacts, gaps in the
practice model, unassigned cases and closures waiting for a decision — every case through the one
visibility rule, so a restricted case the supervisor may not open is neither listed nor counted."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models import (
    CASELOAD_WEIGHTS,
    WORKER_ROLES,
    Assessment,
    AssessmentKind,
    Case,
    CaseTeamMember,
    ClosureRequest,
    Program,
    ServicePlan,
    User,
    program_memberships,
)
from webapp.queries.case_state import contact_overdue
from webapp.queries.today import pending_closures_for
from webapp.queries.visibility import programs_of, visible_cases


@dataclass
class Caseload:
    worker: User
    program: Program
    cases: list[Case] = field(default_factory=list)
    overdue: list[Case] = field(default_factory=list)
    # Open cases they work on a team, counted apart from their own (not against the cap).
    team_cases: int = 0

    @property
    def weighted(self) -> float:
        """The open cases weighed by each case's own model against the program's: in a brokerage
        program an intensive case counts as two, so the cap (in the program's cases) still fits."""
        base = CASELOAD_WEIGHTS[self.program.model]
        return round(sum(CASELOAD_WEIGHTS[case.model] for case in self.cases) / base, 2)

    @property
    def over_cap(self) -> bool:
        return self.weighted > self.program.caseload_cap


@dataclass
class Overview:
    caseloads: list[Caseload]
    overdue: list[Case]
    no_baseline: list[Case]
    no_plan: list[Case]
    unassigned: list[Case]
    closures: list[ClosureRequest]


def overview(user: User, today: date) -> Overview:
    programs = list(
        db.session.scalars(
            sa.select(Program)
            .where(Program.active, Program.id.in_(programs_of(user)))
            .order_by(Program.name)
        )
    )
    program_ids = [program.id for program in programs]
    in_view = sa.and_(
        Case.program_id.in_(program_ids), Case.closed_at.is_(None), visible_cases(user)
    )
    cases = db.session.scalars(
        sa.select(Case)
        .where(in_view)
        .options(
            so.selectinload(Case.client),
            so.selectinload(Case.program),
            so.selectinload(Case.primary_worker),
        )
        .order_by(Case.opened_at)
    ).all()
    scope = sa.select(Case.id).where(in_view)
    with_baseline = set(
        db.session.scalars(
            sa.select(Assessment.case_id).where(
                Assessment.case_id.in_(scope), Assessment.kind == AssessmentKind.BASELINE
            )
        )
    )
    with_plan = set(
        db.session.scalars(
            sa.select(ServicePlan.case_id).where(
                ServicePlan.case_id.in_(scope), ServicePlan.agreed_on.is_not(None)
            )
        )
    )
    members = db.session.execute(
        sa.select(User, program_memberships.c.program_id)
        .join(program_memberships)
        .where(
            program_memberships.c.program_id.in_(program_ids),
            User.active,
            User.role.in_(WORKER_ROLES),
        )
        .order_by(User.display_name)
    ).all()
    by_program = {program.id: program for program in programs}
    caseloads: dict[tuple[int, int], Caseload] = {
        (worker.id, program_id): Caseload(worker, by_program[program_id])
        for worker, program_id in members
    }
    unassigned = []
    for case in cases:
        if case.primary_worker is None:
            unassigned.append(case)
            continue
        load = caseloads.setdefault(
            (case.primary_worker.id, case.program_id), Caseload(case.primary_worker, case.program)
        )
        load.cases.append(case)
        if contact_overdue(case, today):
            load.overdue.append(case)
    for worker_id, program_id, count in db.session.execute(
        sa.select(CaseTeamMember.user_id, Case.program_id, sa.func.count())
        .join(Case, Case.id == CaseTeamMember.case_id)
        .where(in_view, CaseTeamMember.removed_at.is_(None))
        .group_by(CaseTeamMember.user_id, Case.program_id)
    ):
        load = caseloads.get((worker_id, program_id))
        if load is not None:
            load.team_cases = count
    closures = db.session.scalars(
        pending_closures_for(user).options(
            so.contains_eager(ClosureRequest.case).selectinload(Case.client),
            so.joinedload(ClosureRequest.requested_by),
        )
    ).all()
    return Overview(
        caseloads=sorted(
            caseloads.values(), key=lambda load: (load.program.name, load.worker.display_name)
        ),
        overdue=[case for load in caseloads.values() for case in load.overdue],
        no_baseline=[case for case in cases if case.id not in with_baseline],
        no_plan=[case for case in cases if case.id in with_baseline and case.id not in with_plan],
        unassigned=unassigned,
        closures=list(closures),
    )
