"""Whether the models' standards are kept: contact against each model's standard, caseloads against
caps."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import MODEL_DEFAULTS, Case, CaseModel, ContactLog, Program, User
from webapp.reports.scope import Scope
from webapp.reports.table import Table, percent
from webapp.text import Phrase
from webapp.timeutil import as_utc, local_today, local_zone, to_local


def as_of(scope: Scope) -> date:
    """Standards are judged on the last day of the range, or today if the range runs on."""
    return min(scope.until, local_today())


def _open_on(day: date, scope: Scope) -> sa.ColumnElement[bool]:
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=local_zone()).astimezone(UTC)
    return sa.and_(
        scope.case_filter(),
        Case.opened_at < end,
        sa.or_(Case.closed_at.is_(None), Case.closed_at >= end),
    )


def contact_compliance(scope: Scope) -> Table:
    """Cases open on the day, and whether their last contact up to then is within their model's
    contact standard (the program's figure when the case uses the program's model)."""
    day = as_of(scope)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=local_zone()).astimezone(UTC)
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
    rows = db.session.execute(
        sa.select(
            Case.model, Case.opened_at, last_contact, Program.model, Program.contact_standard_days
        )
        .join(Program, Program.id == Case.program_id)
        .where(_open_on(day, scope))
    ).all()
    groups: dict[tuple[CaseModel, int], list[bool]] = defaultdict(list)
    for model, opened_at, last_at, program_model, program_days in rows:
        days = (
            program_days if model == program_model else MODEL_DEFAULTS[model].contact_standard_days
        )
        last_day = to_local(as_utc(last_at or opened_at)).date()
        groups[(model, days)].append(last_day + timedelta(days=days) >= day)
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
    for (model, days), results in sorted(
        groups.items(), key=lambda item: (order.index(item[0][0]), item[0][1])
    ):
        within = sum(results)
        table.rows.append(
            [
                Phrase(model.label),
                days,
                len(results),
                within,
                len(results) - within,
                percent(within, len(results)),
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
