"""What the closure page shows besides the case's state: the last closure sent back, the one that
closed the case, and the closure assessment."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models import (
    Assessment,
    AssessmentKind,
    ClosureRequest,
    ClosureStatus,
    PostClosureFollowUp,
)
from webapp.queries.case_state import CaseState


@dataclass(frozen=True)
class ClosureHistory:
    last_returned: ClosureRequest | None
    closed_by: ClosureRequest | None
    closure_assessment: Assessment | None


def closure_history(state: CaseState) -> ClosureHistory:
    case = state.case

    def last(status: ClosureStatus) -> ClosureRequest | None:
        return db.session.scalar(
            sa.select(ClosureRequest)
            .where(ClosureRequest.case_id == case.id, ClosureRequest.status == status)
            .order_by(ClosureRequest.decided_at.desc())
            .limit(1)
        )

    return ClosureHistory(
        last_returned=last(ClosureStatus.RETURNED),
        closed_by=None if case.is_open else last(ClosureStatus.APPROVED),
        closure_assessment=next(
            (a for a in reversed(state.assessments) if a.kind == AssessmentKind.CLOSURE), None
        ),
    )


def recorded_checks(case_ids: list[int]) -> list[PostClosureFollowUp]:
    """Checks after closure that someone recorded (when, by whom, how the client is doing),
    newest first."""
    if not case_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(PostClosureFollowUp)
            .where(
                PostClosureFollowUp.case_id.in_(case_ids), PostClosureFollowUp.done_at.is_not(None)
            )
            .options(so.joinedload(PostClosureFollowUp.done_by))
            .order_by(PostClosureFollowUp.done_at.desc())
        )
    )
