"""What each report's chart draws, taken from the rows of its table.

Charts are horizontal bars, one row per line of the table, with the label above the bar so long
names fit a phone's width. A bar is one or more segments (a distribution stacks its parts).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from webapp.reports.outcomes import CHANGE_BUCKETS
from webapp.reports.table import Table
from webapp.text import Phrase

GREEN, DARK_GREEN, GREY, RED, BLUE, AMBER = (
    "#4c9a63",
    "#1e6b3a",
    "#8a989d",
    "#a4262c",
    "#1d5f8a",
    "#b26a00",
)


@dataclass
class Segment:
    value: float
    colour: str
    name: str


@dataclass
class Bar:
    label: str
    segments: list[Segment]
    text: str
    marker: float | None = None  # a line across the bar, such as a caseload cap

    @property
    def total(self) -> float:
        return sum(segment.value for segment in self.segments)


@dataclass
class Chart:
    title: str
    bars: list[Bar]
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour, name)

    @property
    def scale(self) -> float:
        largest = max(
            [bar.total for bar in self.bars] + [bar.marker or 0 for bar in self.bars] + [0]
        )
        return largest or 1


WITHIN = Phrase("Within standard")
OVERDUE = Phrase("Overdue")


def _column(table: Table, name: str) -> int:
    return table.columns.index(name)


# A chart taller than this stops being read; the table and the CSV hold the rest.
MOST_BARS = 20


def chart_for(table: Table) -> Chart | None:
    if not table.rows:
        return None
    chart = _BUILDERS[table.key](table)
    if not chart.bars:
        return None
    if len(chart.bars) > MOST_BARS:
        chart.bars = chart.bars[:MOST_BARS]
        chart.title = Phrase("%(title)s (the first %(num)s)", title=chart.title, num=MOST_BARS)
    return chart


def _outcomes(table: Table) -> Chart:
    colours = dict(zip(CHANGE_BUCKETS, (RED, GREY, GREEN, DARK_GREEN), strict=True))
    bars = []
    for row in table.rows:
        segments = [
            Segment(row[_column(table, bucket)], colours[bucket], bucket)
            for bucket in CHANGE_BUCKETS
        ]
        # Shares, so a domain scored in few cases is as readable as one scored in many.
        total = sum(segment.value for segment in segments) or 1
        for segment in segments:
            segment.value = 100 * segment.value / total
        improved = f"{row[_column(table, 'Improved %')]:g}"
        bars.append(Bar(row[0], segments, Phrase("%(share)s%% better", share=improved)))
    return Chart(
        Phrase("Share of cases by change from baseline"),
        bars,
        [(colours[bucket], bucket) for bucket in CHANGE_BUCKETS],
    )


def _single(table: Table, column: str, title: str, colour: str = BLUE, suffix: str = "") -> Chart:
    index = _column(table, column)
    return Chart(
        title,
        [
            Bar(
                row[0] if isinstance(row[0], str) else str(row[0]),
                [Segment(row[index] or 0, colour, table.columns[index])],
                f"{row[index] if row[index] is not None else '–'}{suffix}",
            )
            for row in table.rows
        ],
    )


def _goals(table: Table) -> Chart:
    return _single(table, "Goals", Phrase("Goals by status"))


def _referrals(table: Table) -> Chart:
    overall = table.rows[0]
    steps = [
        (Phrase("Sent"), BLUE),
        (Phrase("Connected"), GREEN),
        (Phrase("Completed"), DARK_GREEN),
    ]
    return Chart(
        Phrase("Referral funnel, all providers"),
        [
            Bar(
                name,
                [Segment(overall[_column(table, name)], colour, name)],
                str(overall[_column(table, name)]),
            )
            for name, colour in steps
        ],
    )


def _providers(table: Table) -> Chart:
    """Accepted % per service, leaving out those with too few decided referrals to say."""
    index = _column(table, "Accepted %")
    return Chart(
        Phrase("Referrals accepted, by service"),
        [
            Bar(row[0], [Segment(row[index], GREEN, table.columns[index])], f"{row[index]:g}%")
            for row in table.rows
            if isinstance(row[index], (int, float))
        ],
    )


def _contact(table: Table) -> Chart:
    bars = [
        Bar(
            Phrase("%(model)s (%(num)s days)", model=row[0], num=row[1]),
            [Segment(row[3], GREEN, WITHIN), Segment(row[4], RED, OVERDUE)],
            Phrase("%(share)s%% within", share=format(row[5], "g")),
        )
        for row in table.rows
    ]
    return Chart(
        Phrase("Open cases within their contact standard"),
        bars,
        [(GREEN, WITHIN), (RED, OVERDUE)],
    )


def _caseloads(table: Table) -> Chart:
    bars = [
        Bar(
            f"{row[0]} · {row[1]}",
            [Segment(row[2], RED if row[5] == "yes" else BLUE, Phrase("Open cases"))],
            f"{row[2]} / {row[3]}",
            marker=row[3],
        )
        for row in table.rows
    ]
    return Chart(Phrase("Open cases against the cap (the line)"), bars)


def _durations(table: Table) -> Chart:
    return _single(table, "Cases", Phrase("Closed cases by time open"))


def _reentry(table: Table) -> Chart:
    return _single(
        table, "Returned %", Phrase("Returned within a year, by closure reason"), AMBER, "%"
    )


_BUILDERS = {
    "outcomes": _outcomes,
    "goals": _goals,
    "referrals": _referrals,
    "providers": _providers,
    "contact": _contact,
    "caseloads": _caseloads,
    "durations": _durations,
    "reentry": _reentry,
}
