"""Whether the models' standards are kept: contact against each model's standard, caseloads against
caps."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Case, CaseModel, ContactLog, Program, User
from webapp.queries.case_state import contact_lapsed_before, contact_standard_days
from webapp.reports.scope import Scope
from webapp.reports.table import Table, percent
from webapp.text import Phrase
from webapp.timeutil import local_midnight, local_today


def as_of(scope: Scope) -> date:
    """Standards are judged on the last day of the range, or today if the range runs on."""
    return min(scope.until, local_today())


def _open_on(day: date, scope: Scope) -> sa.ColumnElement[bool]:
    end = local_midnight(day + timedelta(days=1))
    return sa.and_(
        scope.case_filter(),
        Case.opened_at < end,
        sa.or_(Case.closed_at.is_(None), Case.closed_at >= end),
    )


def contact_compliance(scope: Scope) -> Table:
    """Cases open on the day, and whether their last contact up to then is within their model's
    contact standard (the program's figure when the case uses the program's model).

    Counted in the database, one row per model and standard: a case is within its standard when
    its last contact (or, with none, its opening) falls on or after the local midnight that many
    days before the day."""
    day = as_of(scope)
    end = local_midnight(day + timedelta(days=1))
    if day >= local_today():
        # Today's answer is kept on the case itself (the contact log service maintains it).
        last_contact: sa.ColumnElement = Case.last_contact_at
    else:
        last_contact = (
            sa.select(sa.func.max(ContactLog.occurred_at))
            .where(ContactLog.case_id == Case.id, ContactLog.occurred_at < end)
            .correlate(Case)
            .scalar_subquery()
        )
    lapsed = contact_lapsed_before(day, last_contact)
    judged = (
        sa.select(
            Case.model.label("model"),
            contact_standard_days().label("days"),
            sa.case((lapsed, 0), else_=1).label("within"),
        )
        .join(Program, Program.id == Case.program_id)
        .where(_open_on(day, scope))
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            judged.c.model, judged.c.days, sa.func.count(), sa.func.sum(judged.c.within)
        ).group_by(judged.c.model, judged.c.days)
    ).all()
    table = Table(
        "contact",
        Phrase("Contact against each model's standard"),
        [
            Phrase("Model"),
            Phrase("Standard (days)"),
            Phrase("Open cases"),
            Phrase("Within standard"),
            Phrase("Overdue"),
            Phrase("Within %"),
        ],
        note=Phrase(
            "Cases open on %(day)s, judged by their last contact up to that day.",
            day=day.isoformat(),
        ),
    )
    order = list(CaseModel)
    for model, standard, count, within in sorted(
        rows, key=lambda row: (order.index(CaseModel(row[0])), row[1])
    ):
        table.rows.append(
            [
                Phrase(CaseModel(model).label),
                standard,
                count,
                within,
                count - within,
                percent(within, count),
            ]
        )
    return table


def caseloads(scope: Scope) -> Table:
    """Each worker's open cases per program on the day, against the program's cap."""
    day = as_of(scope)
    rows = db.session.execute(
        sa.select(User.display_name, Program.name, Program.caseload_cap, sa.func.count(Case.id))
        .join(Case, Case.primary_worker_id == User.id)
        .join(Program, Program.id == Case.program_id)
        .where(_open_on(day, scope))
        .group_by(User.id, User.display_name, Program.id, Program.name, Program.caseload_cap)
    ).all()
    # The most loaded first: with hundreds of workers the page shows the top of the list.
    rows = sorted(rows, key=lambda row: (-row[3] / row[2], row[1], row[0]))
    table = Table(
        "caseloads",
        Phrase("Caseload against cap by worker"),
        [
            Phrase("Worker"),
            Phrase("Program"),
            Phrase("Open cases"),
            Phrase("Cap"),
            Phrase("Share of cap %"),
            Phrase("Over cap"),
        ],
        note=Phrase(
            "Cases open on %(day)s with the worker as primary worker.", day=day.isoformat()
        ),
    )
    for worker, program, cap, count in rows:
        table.rows.append(
            [
                worker,
                program,
                count,
                cap,
                percent(count, cap),
                Phrase("yes") if count > cap else Phrase("no"),
            ]
        )
    return table
