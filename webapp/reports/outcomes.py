"""Whether clients' situations changed: scores against the baseline, and goals at their end."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
import sqlalchemy.orm as so

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
    later = so.aliased(Assessment)
    # Only a case reassessed (or assessed at closure) by the end of the range has a change to
    # count: the baselines of the others, most cases at 100,000 clients, are not read at all.
    reassessed = sa.select(later.case_id).where(
        later.case_id.in_(scope.case_ids()),
        later.kind != AssessmentKind.BASELINE,
        later.assessed_on <= scope.until,
    )
    # Per case and domain, its scores in one order: baselines first (tag 0), then the others
    # (tag 1), each by day and then as recorded. The first row is then the first baseline and the
    # last the latest other assessment, when there are both; it counts if it came after the
    # baseline (the order assessments are read in). One sort and one window serve it all: ranking
    # baselines and others apart and then pairing them took three sorts, two of them spilled to
    # disk at 100,000 clients. (Joining the two sets instead made SQLite scan one for each row of
    # the other: 88 s.)
    tagged = (
        sa.select(
            Assessment.case_id,
            AssessmentScore.domain,
            sa.case((Assessment.kind == AssessmentKind.BASELINE, 0), else_=1).label("tag"),
            AssessmentScore.score,
            Assessment.assessed_on,
            Assessment.id.label("assessment_id"),
        )
        .join(AssessmentScore, AssessmentScore.assessment_id == Assessment.id)
        .where(Assessment.case_id.in_(reassessed), Assessment.assessed_on <= scope.until)
        .subquery()
    )
    # Over the columns of a subquery, so that every window below is written the same and SQLite
    # sorts once for them all (over a `CASE` with its own bound values each, it sorted five times).
    window = {
        "partition_by": (tagged.c.case_id, tagged.c.domain),
        "order_by": (tagged.c.tag, tagged.c.assessed_on, tagged.c.assessment_id),
    }
    scored = sa.select(
        tagged.c.domain,
        tagged.c.tag,
        tagged.c.score,
        tagged.c.assessed_on,
        tagged.c.assessment_id,
        # The last row of its case and domain has none after it.
        sa.func.lead(tagged.c.assessment_id).over(**window).label("next_id"),
        sa.func.first_value(tagged.c.tag).over(**window).label("first_tag"),
        sa.func.first_value(tagged.c.score).over(**window).label("base_score"),
        sa.func.first_value(tagged.c.assessed_on).over(**window).label("base_on"),
        sa.func.first_value(tagged.c.assessment_id).over(**window).label("base_id"),
    ).subquery()
    change = (scored.c.score - scored.c.base_score).label("change")
    rows = db.session.execute(
        sa.select(scored.c.domain, change, sa.func.count())
        .where(
            scored.c.next_id.is_(None),
            scored.c.tag == 1,
            scored.c.first_tag == 0,
            sa.or_(
                scored.c.assessed_on > scored.c.base_on,
                sa.and_(
                    scored.c.assessed_on == scored.c.base_on,
                    scored.c.assessment_id > scored.c.base_id,
                ),
            ),
        )
        .group_by(scored.c.domain, change)
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
