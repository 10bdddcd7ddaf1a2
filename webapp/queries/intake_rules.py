"""A program's intake rules read and applied: its questions, whether a person's answers qualify
and at what priority, whether the program is full, and its waiting list in order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models import (
    Case,
    EligibilityQuestion,
    IntakeScreening,
    Program,
    ScreeningOutcome,
    User,
    WaitPriority,
)
from webapp.queries.visibility import visible_screenings, visible_screenings_to


def questions_of(program: Program) -> list[EligibilityQuestion]:
    return list(
        db.session.scalars(
            sa.select(EligibilityQuestion)
            .where(EligibilityQuestion.program_id == program.id)
            .order_by(EligibilityQuestion.position, EligibilityQuestion.id)
        )
    )


def questions_by_program(programs: Iterable[Program]) -> dict[int, list[EligibilityQuestion]]:
    """Every question of these programs, by program: the intake form carries them all, so the
    one of the program chosen can be shown without a network."""
    ids = [program.id for program in programs]
    found: dict[int, list[EligibilityQuestion]] = {program_id: [] for program_id in ids}
    for question in db.session.scalars(
        sa.select(EligibilityQuestion)
        .where(EligibilityQuestion.program_id.in_(ids))
        .order_by(EligibilityQuestion.position, EligibilityQuestion.id)
    ):
        found[question.program_id].append(question)
    return found


@dataclass(frozen=True)
class Evaluation:
    qualified: bool
    priority: WaitPriority
    # Each question's words and the answer given, in the program's order.
    answers: list[tuple[str, str]] = field(default_factory=list)
    # The questions whose answers did not qualify, with the answer given.
    reasons: list[str] = field(default_factory=list)


def evaluate(questions: Sequence[EligibilityQuestion], answers: Mapping[int, str]) -> Evaluation:
    """Whether `answers` (by question id; each one of the question's answers) qualify, and the
    priority they give: the highest any rule gives, normal when none does. A question with no
    qualifying answers listed is asked only for its priority."""
    reasons = []
    priority = WaitPriority.NORMAL
    given = []
    for question in questions:
        answer = answers.get(question.id, "")
        given.append((question.text, answer))
        qualifying = question.qualifying_answers
        if qualifying and answer not in qualifying:
            reasons.append(f"{question.text}: {answer or '—'}")
        if (
            question.priority is not None
            and answer in question.priority_answer_list
            and question.priority.rank < priority.rank
        ):
            priority = question.priority
    return Evaluation(qualified=not reasons, priority=priority, answers=given, reasons=reasons)


def open_cases_in(program: Program) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Case.id)).where(
            Case.program_id == program.id, Case.closed_at.is_(None)
        )
    )


def is_full(program: Program) -> bool:
    """A program whose intake is closed, or that holds its limit of open cases: people it accepts
    wait on its list."""
    if program.intake_closed:
        return True
    return program.open_case_limit is not None and open_cases_in(program) >= program.open_case_limit


def _order() -> tuple:
    rank = sa.case(
        {priority.value: priority.rank for priority in WaitPriority},
        value=IntakeScreening.priority,
        else_=len(WaitPriority),
    )
    return rank, IntakeScreening.waiting_since, IntakeScreening.id


# A waiting list shows this many at a time; "More" brings the next (the list grows with demand).
WAITING_PAGE_SIZE = 25


@dataclass
class WaitingPage:
    """One page of a program's waiting list, and how many wait on it in all."""

    screenings: list[IntakeScreening]
    total: int
    page: int

    @property
    def first_place(self) -> int:
        """The place in the queue of the page's first person (1 for the first page)."""
        return (self.page - 1) * WAITING_PAGE_SIZE + 1

    @property
    def shown(self) -> int:
        return min(self.page * WAITING_PAGE_SIZE, self.total)

    @property
    def has_next(self) -> bool:
        return self.page * WAITING_PAGE_SIZE < self.total


def waiting_list(user: User, program: Program, page: int = 1) -> WaitingPage:
    """The people waiting for `program`, as `user` may see them, a page at a time: by priority,
    then by the date they were put on the list (the longest waiting first)."""
    waiting = sa.and_(
        IntakeScreening.program_id == program.id,
        IntakeScreening.outcome == ScreeningOutcome.WAITING,
        visible_screenings(user),
    )
    total = db.session.scalar(sa.select(sa.func.count(IntakeScreening.id)).where(waiting)) or 0
    screenings = db.session.scalars(
        sa.select(IntakeScreening)
        .where(waiting)
        .order_by(*_order())
        .offset((page - 1) * WAITING_PAGE_SIZE)
        .limit(WAITING_PAGE_SIZE)
        .options(
            so.selectinload(IntakeScreening.client),
            so.selectinload(IntakeScreening.holding_worker),
            so.selectinload(IntakeScreening.offers),
        )
    )
    return WaitingPage(list(screenings), total, page)


def waiting_counts(user: User) -> dict[int, int]:
    """How many wait, by program, among the programs `user` may see the lists of."""
    return dict(
        db.session.execute(
            sa.select(IntakeScreening.program_id, sa.func.count(IntakeScreening.id))
            .where(IntakeScreening.outcome == ScreeningOutcome.WAITING, visible_screenings(user))
            .group_by(IntakeScreening.program_id)
        ).all()
    )


def check_ins_due(user: User, today: date) -> list[IntakeScreening]:
    """People waiting whom `user` holds, whose check-in has come."""
    return [screening for _, screening in check_ins_due_for([user.id], {user.id: today})]


def check_ins_due_for(
    user_ids: list[int], today: dict[int, date]
) -> list[tuple[int, IntakeScreening]]:
    """`check_ins_due` for several users at once, each on their own today: (user id, screening)."""
    if not user_ids:
        return []
    holder = so.aliased(User, name="holder")
    rows = db.session.execute(
        sa.select(IntakeScreening.holding_worker_id, IntakeScreening)
        .join(holder, holder.id == IntakeScreening.holding_worker_id)
        .where(
            IntakeScreening.holding_worker_id.in_(user_ids),
            IntakeScreening.outcome == ScreeningOutcome.WAITING,
            IntakeScreening.next_check_in_on <= max(today.values()),
            visible_screenings_to(holder),
        )
        # Names shown on Today: in the same statement, not one more per table.
        .options(so.joinedload(IntakeScreening.client), so.joinedload(IntakeScreening.program))
    ).all()
    return [
        (user_id, screening)
        for user_id, screening in rows
        if screening.next_check_in_on <= today[user_id]
    ]


def screenings_of(user: User, client_id: int) -> list[IntakeScreening]:
    """A client's screenings that opened no case, as `user` may see them (the client's page)."""
    return list(
        db.session.scalars(
            sa.select(IntakeScreening)
            .where(
                IntakeScreening.client_id == client_id,
                IntakeScreening.outcome != ScreeningOutcome.OPENED,
                visible_screenings(user),
            )
            .order_by(IntakeScreening.screened_at.desc())
            .options(
                so.selectinload(IntakeScreening.program),
                so.selectinload(IntakeScreening.taken_off_by),
            )
        )
    )
