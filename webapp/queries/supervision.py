"""What a supervisor's overview shows: caseloads against the cap, overdue contacts, gaps in the
practice model, unassigned cases and closures waiting for a decision — every case through the one
visibility rule, so a restricted case the supervisor may not open is neither listed nor counted.

Bounded by the screen, not the data: caseloads and every section's size are counted in the
database, and each section lists one page of cases at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models import (
    CASELOAD_WEIGHTS,
    WORKER_ROLES,
    Case,
    CaseTeamMember,
    ClosureRequest,
    Program,
    User,
    program_memberships,
)
from webapp.queries.case_state import contact_overdue_clause
from webapp.queries.today import pending_closures_for
from webapp.queries.visibility import programs_of, visible_cases

# Cases listed per section and page; the overview shows the first page of each.
PAGE_SIZE = 10
# Workers' caseloads per page: a program of hundreds of workers is read a page at a time.
CASELOAD_PAGE_SIZE = 20


@dataclass(frozen=True)
class Worker:
    """Who a caseload is: what the table shows and sorts by, not the whole user."""

    id: int
    display_name: str
    supervisor_id: int | None


@dataclass
class Caseload:
    worker: Worker
    program: Program
    open: int = 0
    overdue: int = 0
    # Open cases they work on a team, counted apart from their own (not against the cap).
    team_cases: int = 0
    # Their open cases, each weighed by its own model (CASELOAD_WEIGHTS), summed.
    weight: float = 0.0

    @property
    def weighted(self) -> float:
        """The open cases weighed by each case's own model against the program's: in a brokerage
        program an intensive case counts as two, so the cap (in the program's cases) still fits."""
        return round(self.weight / CASELOAD_WEIGHTS[self.program.model], 2)

    @property
    def over_cap(self) -> bool:
        return self.weighted > self.program.caseload_cap


@dataclass
class CasePage:
    """One page of a section's cases, and how many the section holds."""

    section: str
    total: int
    cases: list[Case]
    page: int

    @property
    def shown(self) -> int:
        """How many are on the screen once this page is: it and the pages before it."""
        return min(self.page * PAGE_SIZE, self.total)

    @property
    def has_next(self) -> bool:
        return self.page * PAGE_SIZE < self.total


@dataclass
class CaseloadPage:
    """One page of the caseloads in view, and how many there are."""

    loads: list[Caseload]
    total: int
    page: int

    @property
    def shown(self) -> int:
        return min(self.page * CASELOAD_PAGE_SIZE, self.total)

    @property
    def has_next(self) -> bool:
        return self.page * CASELOAD_PAGE_SIZE < self.total


@dataclass
class Overview:
    caseloads: CaseloadPage
    sections: dict[str, CasePage]
    closures: list[ClosureRequest]
    closures_total: int


def _programs(user: User) -> list[Program]:
    return list(
        db.session.scalars(
            sa.select(Program)
            .where(Program.active, Program.id.in_(programs_of(user)))
            .order_by(Program.name)
        )
    )


def _in_view(user: User, program_ids: list[int]) -> sa.ColumnElement[bool]:
    return sa.and_(Case.program_id.in_(program_ids), Case.closed_at.is_(None), visible_cases(user))


SECTIONS = ("overdue", "no_baseline", "no_plan", "unassigned")


def _section_clause(section: str, today: date) -> sa.ColumnElement[bool]:
    """Over `Case` joined to its `Program`: the cases a section holds. The practice model's gaps
    are read off the case's own milestones (kept by the services that record them), so the
    counts and the lists test the same columns of one row."""
    if section == "overdue":
        return sa.and_(Case.primary_worker_id.is_not(None), contact_overdue_clause(today))
    if section == "no_baseline":
        return Case.baseline_on.is_(None)
    if section == "no_plan":
        return sa.and_(Case.baseline_on.is_not(None), Case.plan_agreed_on.is_(None))
    if section == "unassigned":
        return Case.primary_worker_id.is_(None)
    raise ValueError(section)


def section_page(user: User, section: str, today: date, page: int = 1) -> CasePage:
    """One page of a section's open cases, oldest first, with the section's size."""
    in_view = _in_view(user, [program.id for program in _programs(user)])
    return _section_page(in_view, section, _section_clause(section, today), page, sizes=None)


# SQLite's planner reads a section's page by sorting every open case in view (hundreds of
# milliseconds at 100,000 clients); walking the open cases in opening order and stopping at the
# page is quicker whenever the section is not sparse. Walked when about this many open cases, or
# fewer, are expected to be passed over to reach the page; PostgreSQL chooses for itself.
WALK_LIMIT = 5_000


def _section_page(
    in_view: sa.ColumnElement[bool],
    section: str,
    clause: sa.ColumnElement[bool],
    page: int,
    sizes: tuple[int, int] | None,
) -> CasePage:
    """A page of the section `clause` picks among the cases `in_view`. `sizes`: how many the
    section holds and how many open cases are in view, when the overview counted them with the
    caseloads (by the same clause, so the two cannot disagree); counted here otherwise."""
    joined = sa.select(Case).join(Program, Program.id == Case.program_id).where(in_view, clause)
    if sizes is None:
        total, open_in_view = db.session.execute(
            sa.select(sa.func.count().filter(clause), sa.func.count())
            .select_from(Case)
            .join(Program, Program.id == Case.program_id)
            .where(in_view)
        ).one()
    else:
        total, open_in_view = sizes
    if (page - 1) * PAGE_SIZE >= total:
        return CasePage(section, total, [], page)
    if page * PAGE_SIZE * open_in_view <= WALK_LIMIT * total:
        joined = joined.with_hint(Case, "INDEXED BY ix_cases_open_by_opened", "sqlite")
    cases = db.session.scalars(
        # Many-to-one all the way: the client and the worker come in the same statement.
        joined.options(
            so.joinedload(Case.client),
            so.contains_eager(Case.program),
            so.joinedload(Case.primary_worker),
        )
        .order_by(Case.opened_at, Case.id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return CasePage(section, total, list(cases), page)


def _caseloads(
    user: User,
    programs: list[Program],
    in_view: sa.ColumnElement[bool],
    clauses: dict[str, sa.ColumnElement[bool]],
) -> tuple[list[Caseload], dict[str, int]]:
    """Each worker's caseload per program, and every section's size, from one pass over the
    open cases `in_view` (each section's size by its clause)."""
    program_ids = [program.id for program in programs]
    by_program = {program.id: program for program in programs}
    # Names and ids only: an agency's few thousand workers are sorted here and twenty are shown,
    # so none of them is loaded as a whole user.
    members = db.session.execute(
        sa.select(User.id, User.display_name, User.supervisor_id, program_memberships.c.program_id)
        .join(program_memberships)
        .where(
            program_memberships.c.program_id.in_(program_ids),
            User.active,
            User.role.in_(WORKER_ROLES),
        )
    ).all()
    caseloads: dict[tuple[int, int], Caseload] = {
        (worker_id, program_id): Caseload(
            Worker(worker_id, name, supervisor_id), by_program[program_id]
        )
        for worker_id, name, supervisor_id, program_id in members
    }

    # Grouped by each case's model too, so its weight is applied per group here and not per
    # case in the database; each count is an aggregate FILTER over plain columns of the row.
    counted = db.session.execute(
        sa.select(
            Case.primary_worker_id,
            Case.program_id,
            Case.model,
            sa.func.count(),
            sa.func.count().filter(clauses["overdue"]),
            sa.func.count().filter(clauses["no_baseline"]),
            sa.func.count().filter(clauses["no_plan"]),
        )
        .join(Program, Program.id == Case.program_id)
        .where(in_view)
        .group_by(Case.primary_worker_id, Case.program_id, Case.model)
    ).all()
    # Each section's size, and ("open") how many open cases are in view.
    sizes = dict.fromkeys((*SECTIONS, "open"), 0)
    for worker_id, _program_id, _model, count, overdue, no_baseline, no_plan in counted:
        sizes["overdue"] += overdue
        sizes["no_baseline"] += no_baseline
        sizes["no_plan"] += no_plan
        sizes["open"] += count
        if worker_id is None:
            sizes["unassigned"] += count
    counted = [row for row in counted if row[0] is not None]
    # Someone who has left the program (or is inactive) may still hold cases in it.
    missing = {row[0] for row in counted} - {worker_id for worker_id, _program in caseloads}
    others = (
        {
            worker_id: Worker(worker_id, name, supervisor_id)
            for worker_id, name, supervisor_id in db.session.execute(
                sa.select(User.id, User.display_name, User.supervisor_id).where(
                    User.id.in_(missing)
                )
            )
        }
        if missing
        else {}
    )
    for worker_id, program_id, model, count, overdue, _no_baseline, _no_plan in counted:
        load = caseloads.get((worker_id, program_id))
        if load is None:
            load = caseloads[(worker_id, program_id)] = Caseload(
                others[worker_id], by_program[program_id]
            )
        load.open += count
        load.overdue += overdue
        load.weight += count * CASELOAD_WEIGHTS.get(model, 1.0)
    for worker_id, program_id, count in db.session.execute(
        sa.select(CaseTeamMember.user_id, Case.program_id, sa.func.count())
        .join(Case, Case.id == CaseTeamMember.case_id)
        .where(in_view, CaseTeamMember.removed_at.is_(None))
        .group_by(CaseTeamMember.user_id, Case.program_id)
    ):
        load = caseloads.get((worker_id, program_id))
        if load is not None:
            load.team_cases = count
    # The viewer's own team first, then whoever is over the cap, then the rest; each by program
    # and name. A page of twenty shows a supervisor their people and the problems first.
    viewer_id = user.id
    ordered = sorted(
        caseloads.values(),
        key=lambda load: (
            load.worker.supervisor_id != viewer_id,
            not load.over_cap,
            load.program.name,
            load.worker.display_name,
        ),
    )
    return ordered, sizes


def _page_of(loads: list[Caseload], page: int) -> CaseloadPage:
    start = (page - 1) * CASELOAD_PAGE_SIZE
    return CaseloadPage(loads[start : start + CASELOAD_PAGE_SIZE], len(loads), page)


def caseload_page(user: User, today: date, page: int) -> CaseloadPage:
    """One page of the caseloads in view (the overview shows the first)."""
    programs = _programs(user)
    in_view = _in_view(user, [program.id for program in programs])
    loads, _sizes = _caseloads(user, programs, in_view, _clauses(today))
    return _page_of(loads, page)


def _clauses(today: date) -> dict[str, sa.ColumnElement[bool]]:
    return {section: _section_clause(section, today) for section in SECTIONS}


def overview(user: User, today: date) -> Overview:
    programs = _programs(user)
    closures = pending_closures_for(user)
    # The visibility rule and each section's clause, built once: the counts and the lists read
    # the same ones.
    in_view = _in_view(user, [program.id for program in programs])
    clauses = _clauses(today)
    caseloads, sizes = _caseloads(user, programs, in_view, clauses)
    return Overview(
        caseloads=_page_of(caseloads, 1),
        sections={
            section: _section_page(
                in_view, section, clauses[section], 1, (sizes[section], sizes["open"])
            )
            for section in SECTIONS
        },
        closures=list(
            db.session.scalars(
                closures.options(
                    so.contains_eager(ClosureRequest.case).selectinload(Case.client),
                    so.joinedload(ClosureRequest.requested_by),
                ).limit(PAGE_SIZE)
            )
        ),
        closures_total=db.session.scalar(
            sa.select(sa.func.count()).select_from(closures.order_by(None).subquery())
        )
        or 0,
    )
