"""How long cases stay open, and who comes back after closure."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models import Case, ClosureReason
from webapp.reports.scope import Scope
from webapp.reports.table import Table, median_or_none, percent, quartiles
from webapp.text import Phrase
from webapp.timeutil import as_utc

# Upper bounds in days (exclusive) of the duration bands.
BANDS = (
    (30, Phrase("Under 1 month")),
    (91, Phrase("1 to 3 months")),
    (182, Phrase("3 to 6 months")),
    (365, Phrase("6 to 12 months")),
    (None, Phrase("A year or more")),
)
RETURN_WITHIN_DAYS = 365
ALL_CLOSURES = Phrase("All closures")


def _closed_in_range(scope: Scope) -> list[sa.Row]:
    """Cases in scope closed in the date range, each with the first later opening of a case
    for the same client in any program (a return to services anywhere in the agency). Both
    reports here count them: the page reads them once."""
    return scope.read_once("closed_in_range", lambda: _read_closed_in_range(scope))


def _read_closed_in_range(scope: Scope) -> list[sa.Row]:
    later = so.aliased(Case)
    returned_at = (
        sa.select(sa.func.min(later.opened_at))
        .where(
            later.client_id == Case.client_id,
            later.id != Case.id,
            later.opened_at >= Case.closed_at,
        )
        .correlate(Case)
        .scalar_subquery()
    )
    return db.session.execute(
        sa.select(Case.id, Case.opened_at, Case.closed_at, Case.closure_reason, returned_at).where(
            scope.case_filter(),
            Case.closed_at.is_not(None),
            Case.closed_at >= scope.start,
            Case.closed_at < scope.end,
        )
    ).all()


def durations(scope: Scope) -> Table:
    rows = _closed_in_range(scope)
    counts: dict[str, list[float]] = defaultdict(list)
    all_days = []
    for _id, opened_at, closed_at, _reason, _returned in rows:
        days = (as_utc(closed_at) - as_utc(opened_at)).total_seconds() / 86400
        all_days.append(days)
        band = next(label for limit, label in BANDS if limit is None or days < limit)
        counts[band].append(days)
    low, mid, high = quartiles(all_days)
    table = Table(
        "durations",
        Phrase("How long closed cases were open"),
        [Phrase("Time open"), Phrase("Cases"), Phrase("Share %")],
        note=(
            Phrase(
                "Cases closed in the date range: %(num)s; days open: lower quartile %(low)s, "
                "median %(mid)s, upper quartile %(high)s.",
                num=len(all_days),
                low=_whole(low),
                mid=_whole(mid),
                high=_whole(high),
            )
            if all_days
            else Phrase("No case closed in the date range.")
        ),
    )
    for _limit, label in BANDS:
        table.rows.append([label, len(counts[label]), percent(len(counts[label]), len(all_days))])
    return table


def _reason_label(value: str | None) -> str:
    try:
        return Phrase(ClosureReason(value).label)
    except ValueError:
        return Phrase("Not recorded")


def _whole(days: float | None) -> str:
    return "–" if days is None else str(round(days))


def reentry(scope: Scope) -> Table:
    """Of the cases closed in the range, by closure reason: how many clients later opened a case
    again."""
    groups: dict[str, list[float | None]] = defaultdict(list)
    for _id, _opened_at, closed_at, reason, returned_at in _closed_in_range(scope):
        gap = (
            (as_utc(returned_at) - as_utc(closed_at)).total_seconds() / 86400
            if returned_at
            else None
        )
        groups[_reason_label(reason)].append(gap)
        groups[ALL_CLOSURES].append(gap)
    table = Table(
        "reentry",
        Phrase("Returns after closure"),
        [
            Phrase("Closure reason"),
            Phrase("Closed"),
            Phrase("Returned within %(num)s days", num=RETURN_WITHIN_DAYS),
            Phrase("Returned %"),
            Phrase("Returned at any time"),
            Phrase("Median days to return"),
        ],
        note=Phrase(
            "A return is a new case for the same client, in any program, opened after the closure."
        ),
    )
    order = [ALL_CLOSURES, *(reason.label for reason in ClosureReason), "Not recorded"]
    for name in sorted(groups, key=order.index):
        gaps = groups[name]
        soon = sum(1 for gap in gaps if gap is not None and gap <= RETURN_WITHIN_DAYS)
        ever = [gap for gap in gaps if gap is not None]
        table.rows.append(
            [name, len(gaps), soon, percent(soon, len(gaps)), len(ever), median_or_none(ever)]
        )
    return table
