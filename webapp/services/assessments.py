"""Assessments of needs and strengths, and the change from baseline they show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from webapp.extensions import db
from webapp.models import (
    Assessment,
    AssessmentKind,
    AssessmentScore,
    AuditAction,
    Case,
    LifeDomain,
    Phase,
    Program,
    User,
)
from webapp.queries.assessments import latest_strengths
from webapp.services import audit
from webapp.services.case_changes import loop_back_met, refresh_phase
from webapp.services.cases import CaseError
from webapp.text import Phrase


def domains_for(program: Program) -> list[LifeDomain]:
    """The domains a program assesses, in the standard order; all of them unless it chose some."""
    chosen = {value for value in program.assessment_domains.split(",") if value}
    return [domain for domain in LifeDomain if not chosen or domain.value in chosen]


@dataclass
class AssessmentDetails:
    kind: AssessmentKind
    assessed_on: date
    scores: dict[LifeDomain, tuple[int, str]] = field(default_factory=dict)
    strengths_personal: str = ""
    strengths_family: str = ""
    strengths_community: str = ""
    needs: str = ""
    client_view: str = ""
    # The worker's choice: fill each strength left blank from the latest assessment with any.
    copy_strengths: bool = False


def record_assessment(
    case: Case, details: AssessmentDetails, *, recorded_by: User, existing: list[Assessment]
) -> Assessment:
    """Record an assessment; `existing` are the case's assessments so far (oldest first)."""
    has_baseline = any(a.kind == AssessmentKind.BASELINE for a in existing)
    if details.kind == AssessmentKind.BASELINE and has_baseline:
        raise CaseError(
            Phrase("This case already has a baseline. Record a reassessment to show change.")
        )
    if details.kind == AssessmentKind.REASSESSMENT and not has_baseline:
        raise CaseError(Phrase("Record the baseline first: a reassessment is measured against it."))
    if details.kind != AssessmentKind.CLOSURE and not case.is_open:
        raise CaseError(Phrase("This case is closed."))
    if not details.scores:
        raise CaseError(Phrase("Score at least one life domain."))
    allowed = set(domains_for(case.program))
    for domain, (score, narrative) in details.scores.items():
        if domain not in allowed:
            raise CaseError(
                Phrase("%(domain)s is not assessed in this program.", domain=Phrase(domain.label))
            )
        if not 1 <= score <= 5:
            raise CaseError(Phrase("Scores run from 1 to 5."))
        if not narrative.strip():
            raise CaseError(
                Phrase(
                    "Say why %(domain)s scores %(score)s.",
                    domain=Phrase(domain.label).lower(),
                    score=score,
                )
            )
    strengths = {
        "strengths_personal": details.strengths_personal.strip(),
        "strengths_family": details.strengths_family.strip(),
        "strengths_community": details.strengths_community.strip(),
    }
    source = latest_strengths(existing) if details.copy_strengths else None
    if source is not None:
        for name, text in strengths.items():
            strengths[name] = text or getattr(source, name).strip()
    assessment = Assessment(
        case_id=case.id,
        kind=details.kind,
        assessed_on=details.assessed_on,
        **strengths,
        needs=details.needs.strip(),
        client_view=details.client_view.strip(),
        recorded_by_id=recorded_by.id,
        scores=[
            AssessmentScore(domain=domain, score=score, narrative=narrative.strip())
            for domain, (score, narrative) in details.scores.items()
        ],
    )
    db.session.add(assessment)
    if details.kind == AssessmentKind.BASELINE and (
        case.baseline_on is None or details.assessed_on < case.baseline_on
    ):
        # Supervision reads the first baseline's date off the case.
        case.baseline_on = details.assessed_on
    db.session.flush()
    audit.record(AuditAction.CREATE, "assessment", assessment.id, user=recorded_by)
    if details.kind == AssessmentKind.REASSESSMENT:
        loop_back_met(case, by=Phase.ASSESSMENT)
    if case.is_open:
        refresh_phase(case, user=recorded_by, why=f"{details.kind.label} assessment recorded")
    return assessment


@dataclass(frozen=True)
class DomainChange:
    domain: LifeDomain
    baseline: int | None
    latest: int | None
    history: tuple[tuple[date, int], ...]  # every score given, oldest first

    @property
    def change(self) -> int | None:
        if self.baseline is None or self.latest is None:
            return None
        return self.latest - self.baseline


def change_from_baseline(
    assessments: list[Assessment], domains: list[LifeDomain]
) -> list[DomainChange]:
    """Per domain: the baseline score, the latest score and the path between (oldest first
    input)."""
    baseline = next((a for a in assessments if a.kind == AssessmentKind.BASELINE), None)
    if baseline is None:
        return []
    rows = []
    for domain in domains:
        history = tuple(
            (a.assessed_on, s.score) for a in assessments if (s := a.score_of(domain)) is not None
        )
        first = baseline.score_of(domain)
        rows.append(
            DomainChange(
                domain, first.score if first else None, history[-1][1] if history else None, history
            )
        )
    return [row for row in rows if row.history]
