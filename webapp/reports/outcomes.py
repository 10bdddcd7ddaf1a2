"""Whether clients' situations changed: scores against the baseline, and goals at their end."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    Assessment,
    AssessmentKind,
    AssessmentScore,
    Goal,
    GoalStatus,
    LifeDomain,
    ServicePlan,
)
from webapp.reports.scope import Scope
from webapp.reports.table import Table, median_or_none
from webapp.text import Phrase

# Change buckets, worst first: how many cases moved how far on the 1–5 scale.
CHANGE_BUCKETS = (Phrase("Worse"), Phrase("No change"), Phrase("Up 1"), Phrase("Up 2 or more"))


def _bucket(change: int) -> str:
    if change < 0:
        return "Worse"
    if change == 0:
        return "No change"
    return "Up 1" if change == 1 else "Up 2 or more"


def score_change(scope: Scope) -> Table:
    """Per domain: each case's latest score (reassessment or closure, up to the end of the range)
    against its own baseline. A case counts in a domain once, and only when it was scored there both
    times."""
    in_range = sa.and_(
        Assessment.case_id.in_(scope.case_ids()), Assessment.assessed_on <= scope.until
    )

    def ranked(baseline: bool, order: tuple, tag: int) -> sa.Select:
        """Per case and domain, the one score wanted (the first in `order`), tagged."""
        numbered = (
            sa.select(
                Assessment.case_id,
                AssessmentScore.domain,
                AssessmentScore.score,
                Assessment.assessed_on,
                Assessment.id.label("assessment_id"),
                sa.func.row_number()
                .over(partition_by=(Assessment.case_id, AssessmentScore.domain), order_by=order)
                .label("rank"),
            )
            .join(AssessmentScore, AssessmentScore.assessment_id == Assessment.id)
            .where(
                in_range,
                (Assessment.kind == AssessmentKind.BASELINE)
                if baseline
                else (Assessment.kind != AssessmentKind.BASELINE),
            )
            .subquery()
        )
        return sa.select(
            numbered.c.case_id,
            numbered.c.domain,
            numbered.c.score,
            numbered.c.assessed_on,
            numbered.c.assessment_id,
            sa.literal(tag).label("tag"),
        ).where(numbered.c.rank == 1)

    # The first baseline (tag 0), and the latest other assessment (tag 1) if it came after it (the
    # same order as assessments are read: by day, then as recorded). The two are put side by side
    # with `lag` over their union rather than joined: SQLite joined the two sets by scanning one
    # for each row of the other (88 s at 100,000 clients).
    both = sa.union_all(
        ranked(True, (Assessment.assessed_on, Assessment.id), 0),
        ranked(False, (Assessment.assessed_on.desc(), Assessment.id.desc()), 1),
    ).subquery()
    window = {"partition_by": (both.c.case_id, both.c.domain), "order_by": both.c.tag}
    paired = sa.select(
        both.c.domain,
        both.c.tag,
        both.c.score,
        both.c.assessed_on,
        both.c.assessment_id,
        sa.func.lag(both.c.score).over(**window).label("base_score"),
        sa.func.lag(both.c.assessed_on).over(**window).label("base_on"),
        sa.func.lag(both.c.assessment_id).over(**window).label("base_id"),
    ).subquery()
    change = (paired.c.score - paired.c.base_score).label("change")
    rows = db.session.execute(
        sa.select(paired.c.domain, change, sa.func.count())
        .where(
            paired.c.tag == 1,
            paired.c.base_score.is_not(None),
            sa.or_(
                paired.c.assessed_on > paired.c.base_on,
                sa.and_(
                    paired.c.assessed_on == paired.c.base_on,
                    paired.c.assessment_id > paired.c.base_id,
                ),
            ),
        )
        .group_by(paired.c.domain, change)
    ).all()
    changes: dict[LifeDomain, list[int]] = defaultdict(list)
    for domain, value, count in rows:
        changes[LifeDomain(domain)].extend([value] * count)
    table = Table(
        "outcomes",
        Phrase("Change from baseline by life domain"),
        [
            Phrase("Domain"),
            Phrase("Cases"),
            *CHANGE_BUCKETS,
            Phrase("Improved %"),
            Phrase("Median change"),
        ],
        note=Phrase(
            "Each case's latest reassessment or closure assessment against its own baseline; "
            "1 is in crisis, 5 thriving."
        ),
    )
    for domain in LifeDomain:
        values = changes.get(domain)
        if not values:
            continue
        counts = {bucket: 0 for bucket in CHANGE_BUCKETS}
        for value in values:
            counts[_bucket(value)] += 1
        improved = sum(1 for value in values if value > 0)
        table.rows.append(
            [
                Phrase(domain.label),
                len(values),
                *counts.values(),
                round(100 * improved / len(values), 1),
                median_or_none(values),
            ]
        )
    return table


def goal_outcomes(scope: Scope) -> Table:
    """Goals of the cases in scope by where they stand; ended goals are the ones that say
    something."""
    counts = dict(
        db.session.execute(
            sa.select(Goal.status, sa.func.count())
            .join(ServicePlan, ServicePlan.id == Goal.plan_id)
            .where(ServicePlan.case_id.in_(scope.case_ids()))
            .group_by(Goal.status)
        ).all()
    )
    table = Table(
        "goals",
        Phrase("Goals"),
        [Phrase("Status"), Phrase("Goals"), Phrase("Share of ended goals %")],
        note=Phrase("Ended goals are met, partly met, not met or dropped; the share is of those."),
    )
    ended = [GoalStatus.MET, GoalStatus.PARTLY_MET, GoalStatus.NOT_MET, GoalStatus.DROPPED]
    ended_total = sum(counts.get(status, 0) for status in ended)
    for status in ended:
        count = counts.get(status, 0)
        table.rows.append(
            [
                Phrase(status.label),
                count,
                round(100 * count / ended_total, 1) if ended_total else None,
            ]
        )
    for status in (GoalStatus.IN_PROGRESS, GoalStatus.NOT_STARTED):
        table.rows.append([Phrase(status.label), counts.get(status, 0), None])
    return table
