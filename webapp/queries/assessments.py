"""A case's assessments as people read them: one assessment whole (every score with its
narrative, the strengths, needs and the client's words), the history of all of them with each
domain's path over time, and which assessment's strengths are the latest recorded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models import N_, Assessment, AssessmentKind, AssessmentScore, Case, LifeDomain

# The three strengths an assessment records, with the words a page shows for each.
STRENGTHS = (
    ("strengths_personal", N_("Personal")),
    ("strengths_family", N_("Family and friends")),
    ("strengths_community", N_("Community")),
)


def assessment_of(case: Case, assessment_id: int) -> Assessment | None:
    """The case's assessment with this id, scores and recorder loaded; None for another case's."""
    return db.session.scalar(
        sa.select(Assessment)
        .where(Assessment.id == assessment_id, Assessment.case_id == case.id)
        .options(so.selectinload(Assessment.scores), so.joinedload(Assessment.recorded_by))
    )


def scores_in_order(assessment: Assessment) -> list[AssessmentScore]:
    """Its scores in the standard order of the life domains."""
    order = {domain: index for index, domain in enumerate(LifeDomain)}
    return sorted(assessment.scores, key=lambda score: order[score.domain])


def strengths_of(assessment: Assessment) -> list[tuple[str, str]]:
    """(label, text) for each strength the assessment recorded; empty ones left out."""
    return [
        (label, text) for name, label in STRENGTHS if (text := getattr(assessment, name).strip())
    ]


def latest_strengths(assessments: Sequence[Assessment]) -> Assessment | None:
    """The latest assessment (input oldest first) that recorded any strengths."""
    return next((a for a in reversed(assessments) if strengths_of(a)), None)


@dataclass(frozen=True)
class Step:
    assessment_id: int
    kind: AssessmentKind
    assessed_on: date
    score: int


@dataclass(frozen=True)
class DomainPath:
    domain: LifeDomain
    steps: tuple[Step, ...]  # oldest first

    @property
    def change(self) -> int:
        """From the first score given to the last."""
        return self.steps[-1].score - self.steps[0].score


def domain_paths(assessments: Sequence[Assessment]) -> list[DomainPath]:
    """Per domain ever scored, in the standard order: every score given (input oldest first)."""
    paths = []
    for domain in LifeDomain:
        steps = tuple(
            Step(a.id, a.kind, a.assessed_on, score.score)
            for a in assessments
            if (score := a.score_of(domain)) is not None
        )
        if steps:
            paths.append(DomainPath(domain, steps))
    return paths
