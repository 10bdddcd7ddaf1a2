"""Which cases a report counts: the user's programs, narrowed by the filters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Case, CaseModel, Program, User
from webapp.queries.network import clients_in_households_with_children
from webapp.queries.visibility import is_supervisor_or_admin, programs_of, visible_cases
from webapp.timeutil import local_zone


class CaseStatus:
    ALL = "all"
    OPEN = "open"
    CLOSED = "closed"


def may_see_reports(user: User) -> bool:
    return is_supervisor_or_admin(user)


def report_programs(user: User) -> list[Program]:
    """Admins report on every program; supervisors on the programs they belong to."""
    return list(
        db.session.scalars(
            sa.select(Program).where(Program.id.in_(programs_of(user))).order_by(Program.name)
        )
    )


@dataclass(frozen=True)
class Scope:
    """The cases a report counts: those its viewer may see (the one visibility rule: a supervisor's
    figures include the restricted cases of the workers they supervise, an admin's every case) in
    the programs, narrowed by the filters. A count is a disclosure too, so no report counts what its
    reader could not open."""

    viewer: User
    program_ids: tuple[int, ...]
    since: date
    until: date
    worker_id: int | None = None
    model: CaseModel | None = None
    status: str = CaseStatus.ALL
    # Only the cases of clients who live now in a household with a child (issue 19).
    with_children: bool = False
    # Rows more than one report reads (durations and returns share the closures), read once.
    _read: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def read_once(self, key: str, read: Callable[[], Any]) -> Any:
        """`read()`'s answer for this scope, asked of the database once per scope."""
        if key not in self._read:
            self._read[key] = read()
        return self._read[key]

    @property
    def start(self) -> datetime:
        """The first moment of `since`, local time, in UTC."""
        return datetime.combine(self.since, time.min, tzinfo=local_zone()).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The first moment after `until`."""
        return datetime.combine(
            self.until + timedelta(days=1), time.min, tzinfo=local_zone()
        ).astimezone(UTC)

    def case_filter(self) -> sa.ColumnElement[bool]:
        """Cases of the programs that were open at some time in the date range."""
        conditions = [
            visible_cases(self.viewer),
            Case.program_id.in_(self.program_ids),
            Case.opened_at < self.end,
            sa.or_(Case.closed_at.is_(None), Case.closed_at >= self.start),
        ]
        if self.worker_id is not None:
            conditions.append(Case.primary_worker_id == self.worker_id)
        if self.model is not None:
            conditions.append(Case.model == self.model)
        if self.status == CaseStatus.OPEN:
            conditions.append(sa.or_(Case.closed_at.is_(None), Case.closed_at >= self.end))
        elif self.status == CaseStatus.CLOSED:
            conditions.append(Case.closed_at.is_not(None))
            conditions.append(Case.closed_at < self.end)
        if self.with_children:
            conditions.append(Case.client_id.in_(clients_in_households_with_children(self.until)))
        return sa.and_(*conditions)

    def case_ids(self) -> sa.Select:
        return sa.select(Case.id).where(self.case_filter())
