"""HUD's data elements for a case of a program that asks them: the answers given at intake, the
exit destination given at closure (issue 23)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import AuditAction, Case, HudAnswers, User
from webapp.models import hud as elements
from webapp.services import audit
from webapp.text import Phrase


class HudError(ValueError):
    """An answer that is not one of HUD's codes for its element."""


@dataclass(frozen=True)
class HudDetails:
    prior_living_situation: int | None = None
    current_living_situation: int | None = None
    date_of_engagement: date | None = None
    disabling_condition: int | None = None
    veteran_status: int | None = None
    sex: int | None = None
    # Client.csv race columns said yes; or one reason it is missing (8, 9, 99) in `race_missing`.
    races: tuple[str, ...] = field(default_factory=tuple)
    race_missing: int | None = None
    relationship_to_hoh: int | None = None


def as_kept(details: HudDetails) -> dict:
    """The answers as JSON, kept with a waiting person's intake until their case opens."""
    kept = asdict(details)
    kept["date_of_engagement"] = (
        details.date_of_engagement.isoformat() if details.date_of_engagement else None
    )
    kept["races"] = list(details.races)
    return kept


def from_kept(kept: dict) -> HudDetails:
    engaged = kept.get("date_of_engagement")
    return HudDetails(
        **{
            **kept,
            "date_of_engagement": date.fromisoformat(engaged) if engaged else None,
            "races": tuple(kept.get("races") or ()),
        }
    )


def _check(value: int | None, allowed: dict[int, str], element: str) -> None:
    if value is not None and value not in allowed:
        raise HudError(
            Phrase(
                "%(value)s is not one of HUD's answers for %(element)s.",
                value=value,
                element=element,
            )
        )


def validate(details: HudDetails) -> None:
    _check(details.prior_living_situation, elements.PRIOR_LIVING_SITUATIONS, "3.917")
    _check(details.current_living_situation, elements.CURRENT_LIVING_SITUATIONS, "4.12")
    _check(details.disabling_condition, elements.NO_YES, "3.08")
    _check(details.veteran_status, elements.NO_YES, "3.07")
    _check(details.sex, elements.SEX, "4.21")
    _check(details.relationship_to_hoh, elements.RELATIONSHIP_TO_HOH, "3.15")
    _check(details.race_missing, elements.MISSING_REASONS, "3.04")
    if set(details.races) - set(elements.RACES):
        raise HudError(Phrase("Unknown race or ethnicity."))
    if details.races and details.race_missing is not None:
        raise HudError(Phrase("Race and ethnicity: the answers, or why there are none, not both."))


def answers_of(case: Case) -> HudAnswers | None:
    return db.session.scalar(sa.select(HudAnswers).where(HudAnswers.case_id == case.id))


def record_answers(case: Case, details: HudDetails, *, recorded_by: User | None) -> HudAnswers:
    """Keep a case's answers (a second call replaces the intake answers, not the exit's)."""
    if not case.program.hud_elements:
        raise HudError(Phrase("This program does not ask HUD's data elements."))
    validate(details)
    answers = answers_of(case)
    created = answers is None
    if answers is None:
        answers = HudAnswers(case_id=case.id)
        db.session.add(answers)
    answers.prior_living_situation = details.prior_living_situation
    answers.current_living_situation = details.current_living_situation
    answers.date_of_engagement = details.date_of_engagement
    answers.disabling_condition = details.disabling_condition
    answers.veteran_status = details.veteran_status
    answers.sex = details.sex
    answers.race = (
        str(details.race_missing)
        if details.race_missing is not None
        else ",".join(race for race in elements.RACES if race in details.races)
    )
    answers.relationship_to_hoh = details.relationship_to_hoh
    answers.recorded_by_id = recorded_by.id if recorded_by else None
    db.session.flush()
    audit.record(
        AuditAction.CREATE if created else AuditAction.UPDATE,
        "hud_answers",
        answers.id,
        user=recorded_by,
    )
    return answers


def record_exit_destination(case: Case, destination: int, *, recorded_by: User) -> HudAnswers:
    """Where the client went when the case closes (data element 3.12)."""
    if not case.program.hud_elements:
        raise HudError(Phrase("This program does not ask HUD's data elements."))
    _check(destination, elements.DESTINATIONS, "3.12")
    answers = answers_of(case)
    created = answers is None
    if answers is None:
        answers = HudAnswers(case_id=case.id, recorded_by_id=recorded_by.id)
        db.session.add(answers)
    answers.exit_destination = destination
    db.session.flush()
    audit.record(
        AuditAction.CREATE if created else AuditAction.UPDATE,
        "hud_answers",
        answers.id,
        user=recorded_by,
    )
    return answers
