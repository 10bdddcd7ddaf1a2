"""Supervision: caseloads against the model's cap, overdue contacts, gaps in the practice model,
and closures waiting for a decision."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, abort, render_template
from flask_login import current_user

from webapp.case_state import contact_overdue
from webapp.extensions import db
from webapp.models import (
    Assessment,
    AssessmentKind,
    Case,
    ClosureRequest,
    Program,
    Role,
    ServicePlan,
    User,
    program_memberships,
)
from webapp.services.case_changes import WORKER_ROLES
from webapp.timeutil import local_today
from webapp.today import pending_closures_for

bp = Blueprint("supervision", __name__, url_prefix="/supervision")


@bp.before_request
def supervisors_only() -> None:
    if not (current_user.is_admin or current_user.role == Role.SUPERVISOR):
        abort(403)


@dataclass
class Caseload:
    worker: User
    program: Program
    cases: list[Case] = field(default_factory=list)
    overdue: list[Case] = field(default_factory=list)

    @property
    def over_cap(self) -> bool:
        return len(self.cases) > self.program.caseload_cap


@bp.get("")
def index() -> str:
    today = local_today()
    programs_query = sa.select(Program).where(Program.active).order_by(Program.name)
    if not current_user.is_admin:
        programs_query = programs_query.where(Program.id.in_(
            sa.select(program_memberships.c.program_id).where(program_memberships.c.user_id == current_user.id)))
    programs = list(db.session.scalars(programs_query))
    program_ids = [program.id for program in programs]
    cases = db.session.scalars(
        sa.select(Case).where(Case.program_id.in_(program_ids), Case.closed_at.is_(None))
        .options(so.selectinload(Case.client), so.selectinload(Case.program), so.selectinload(Case.primary_worker))
        .order_by(Case.opened_at)
    ).all()
    scope = sa.select(Case.id).where(Case.program_id.in_(program_ids), Case.closed_at.is_(None))
    with_baseline = set(db.session.scalars(sa.select(Assessment.case_id).where(
        Assessment.case_id.in_(scope), Assessment.kind == AssessmentKind.BASELINE)))
    with_plan = set(db.session.scalars(sa.select(ServicePlan.case_id).where(
        ServicePlan.case_id.in_(scope), ServicePlan.agreed_on.is_not(None))))
    members = db.session.execute(
        sa.select(User, program_memberships.c.program_id).join(program_memberships)
        .where(program_memberships.c.program_id.in_(program_ids), User.active, User.role.in_(WORKER_ROLES))
        .order_by(User.display_name)
    ).all()
    by_program = {program.id: program for program in programs}
    caseloads: dict[tuple[int, int], Caseload] = {
        (user.id, program_id): Caseload(user, by_program[program_id]) for user, program_id in members}
    unassigned = []
    for case in cases:
        if case.primary_worker is None:
            unassigned.append(case)
            continue
        load = caseloads.setdefault((case.primary_worker.id, case.program_id),
                                    Caseload(case.primary_worker, case.program))
        load.cases.append(case)
        if contact_overdue(case, today):
            load.overdue.append(case)
    closures = db.session.scalars(
        pending_closures_for(current_user).options(
            so.contains_eager(ClosureRequest.case).selectinload(Case.client),
            so.joinedload(ClosureRequest.requested_by))
    ).all()
    return render_template(
        "supervision/index.html",
        caseloads=sorted(caseloads.values(), key=lambda load: (load.program.name, load.worker.display_name)),
        overdue=[case for load in caseloads.values() for case in load.overdue],
        no_baseline=[case for case in cases if case.id not in with_baseline],
        no_plan=[case for case in cases if case.id in with_baseline and case.id not in with_plan],
        unassigned=unassigned, closures=closures, today=today,
    )
