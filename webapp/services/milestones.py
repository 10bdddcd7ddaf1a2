"""The practice model's milestones kept on each case (`Case.baseline_on`, `Case.plan_agreed_on`).

The services that record a baseline or a plan's agreement set them as they go; this rewrites them
from the assessments and plans in one statement, for whatever writes those rows in bulk (the
generated load) and for the check that the two never drift apart."""

from __future__ import annotations

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Assessment, AssessmentKind, Case, ServicePlan


def first_baseline_on() -> sa.ScalarSelect:
    """Over `Case`: the date of its first baseline assessment (NULL: none)."""
    return (
        sa.select(sa.func.min(Assessment.assessed_on))
        .where(Assessment.case_id == Case.id, Assessment.kind == AssessmentKind.BASELINE)
        .scalar_subquery()
    )


def plan_agreed_on() -> sa.ScalarSelect:
    """Over `Case`: the day its plan was agreed (NULL: no plan, or not agreed)."""
    return sa.select(ServicePlan.agreed_on).where(ServicePlan.case_id == Case.id).scalar_subquery()


def rewrite_from_records() -> None:
    db.session.execute(
        sa.update(Case)
        .values(
            baseline_on=first_baseline_on(),
            plan_agreed_on=plan_agreed_on(),
            # Not an edit of the case: its last change stays when it was.
            updated_at=Case.updated_at,
        )
        .execution_options(synchronize_session=False)
    )
