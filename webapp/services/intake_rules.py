"""A program's intake rules and its waiting list: questions added and removed by an admin, a
person's screening recorded, a check-in planned, a resource offered while they wait, and the
person taken off the list into a case."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    AuditAction,
    Case,
    Client,
    Consent,
    EligibilityQuestion,
    IntakeScreening,
    IntakeSource,
    LeftReason,
    Program,
    QuestionKind,
    ScreeningOutcome,
    User,
    WaitingOffer,
    WaitPriority,
    utcnow,
)
from webapp.queries.intake_rules import Evaluation
from webapp.services import audit, cases, hud
from webapp.text import Phrase, clean_line, without_controls

# A program asks a short list: more would not be a quick intake.
MAX_QUESTIONS = 12
MAX_CHOICES = 8
# A new case off the list plans its first follow-up this many days ahead.
FIRST_FOLLOW_UP = timedelta(days=7)


class IntakeRuleError(ValueError):
    """A rule or a waiting-list change that cannot be made; `field` names the field to mark."""

    def __init__(self, message: Phrase, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def _lines(text: str) -> list[str]:
    seen: list[str] = []
    for line in text.splitlines():
        line = clean_line(line)[:100]
        if line and line not in seen:
            seen.append(line)
    return seen


def add_question(
    program: Program,
    *,
    text: str,
    kind: QuestionKind,
    choices: str = "",
    qualifying: list[str] | str = (),
    priority_answers: list[str] | str = (),
    priority: WaitPriority | None = None,
    added_by: User,
) -> EligibilityQuestion:
    """A question at the end of the program's list. Qualifying and priority answers must be
    answers the question offers; a priority rule needs both its answers and its priority."""
    text = clean_line(text)
    if not text:
        raise IntakeRuleError(Phrase("Write the question."), "text")
    count = db.session.scalar(
        sa.select(sa.func.count(EligibilityQuestion.id)).where(
            EligibilityQuestion.program_id == program.id
        )
    )
    if count >= MAX_QUESTIONS:
        raise IntakeRuleError(
            Phrase("A program asks at most %(num)d questions.", num=MAX_QUESTIONS), "text"
        )
    offered = ["yes", "no"] if kind == QuestionKind.YES_NO else _lines(choices)
    if kind == QuestionKind.CHOICE and not 2 <= len(offered) <= MAX_CHOICES:
        raise IntakeRuleError(
            Phrase(
                "A choice question offers from 2 to %(num)d answers, one a line.", num=MAX_CHOICES
            ),
            "choices",
        )
    qualifying = _lines(qualifying) if isinstance(qualifying, str) else list(qualifying)
    priority_answers = (
        _lines(priority_answers) if isinstance(priority_answers, str) else list(priority_answers)
    )
    if any(answer not in offered for answer in qualifying):
        raise IntakeRuleError(
            Phrase("Qualifying answers must be among the answers offered."), "qualifying"
        )
    if any(answer not in offered for answer in priority_answers):
        raise IntakeRuleError(
            Phrase("Answers that give a priority must be among the answers offered."),
            "priority_answers",
        )
    if bool(priority_answers) != (priority is not None):
        raise IntakeRuleError(
            Phrase("A priority rule needs both the answers and the priority they give."), "priority"
        )
    position = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(EligibilityQuestion.position), 0)).where(
            EligibilityQuestion.program_id == program.id
        )
    )
    question = EligibilityQuestion(
        program=program,
        position=position + 1,
        text=text,
        kind=kind,
        choices="\n".join(offered) if kind == QuestionKind.CHOICE else "",
        qualifying="\n".join(qualifying),
        priority_answers="\n".join(priority_answers),
        priority=priority,
    )
    db.session.add(question)
    db.session.flush()
    audit.record(AuditAction.CREATE, "eligibility_question", question.id, user=added_by)
    return question


def remove_question(question: EligibilityQuestion, *, removed_by: User) -> None:
    """The question is no longer asked; screenings keep its words and the answers given."""
    audit.record(AuditAction.UPDATE, "program", question.program_id, user=removed_by)
    db.session.delete(question)
    db.session.flush()


def _intake_data(intake: cases.IntakeDetails) -> dict:
    data = asdict(intake)
    data["source"] = intake.source.value
    return data


def record_screening(
    *,
    program: Program,
    client: Client,
    evaluation: Evaluation,
    outcome: ScreeningOutcome,
    screened_by: User,
    today: date,
    referred_to: str = "",
    intake: cases.IntakeDetails | None = None,
    consent: Consent | None = None,
    case: Case | None = None,
    next_check_in_on: date | None = None,
) -> IntakeScreening:
    """What became of one person's intake for one program. Someone waiting is held by the worker
    who screened them, with a first check-in (a week on unless given)."""
    waiting = outcome == ScreeningOutcome.WAITING
    if waiting and db.session.scalar(
        sa.select(IntakeScreening.id).where(
            IntakeScreening.client_id == client.id,
            IntakeScreening.program_id == program.id,
            IntakeScreening.outcome == ScreeningOutcome.WAITING,
        )
    ):
        raise IntakeRuleError(Phrase("They are already on this program's waiting list."), "program")
    screening = IntakeScreening(
        program=program,
        client=client,
        answers=[list(pair) for pair in evaluation.answers],
        qualified=evaluation.qualified,
        reasons="\n".join(evaluation.reasons),
        referred_to=clean_line(referred_to)[:300],
        priority=evaluation.priority,
        outcome=outcome,
        intake=_intake_data(intake) if waiting and intake is not None else {},
        consent_id=consent.id if consent is not None else None,
        waiting_since=today if waiting else None,
        next_check_in_on=(next_check_in_on or today + timedelta(days=7)) if waiting else None,
        holding_worker_id=screened_by.id if waiting else None,
        case_id=case.id if case is not None else None,
        screened_by_id=screened_by.id,
    )
    db.session.add(screening)
    db.session.flush()
    audit.record(AuditAction.CREATE, "intake_screening", screening.id, user=screened_by)
    return screening


def _waiting(screening: IntakeScreening) -> None:
    if screening.outcome != ScreeningOutcome.WAITING:
        raise IntakeRuleError(Phrase("This person is no longer on the waiting list."))


def plan_check_in(screening: IntakeScreening, on: date, *, by: User, today: date) -> None:
    _waiting(screening)
    if on < today:
        raise IntakeRuleError(Phrase("A check-in from today on."), "next_check_in_on")
    screening.next_check_in_on = on
    db.session.flush()
    audit.record(AuditAction.UPDATE, "intake_screening", screening.id, user=by)


def offer_resource(
    screening: IntakeScreening, *, what: str, offered_on: date, by: User, today: date
) -> WaitingOffer:
    """A resource offered while the person waits: it stays with their place on the list."""
    _waiting(screening)
    what = clean_line(what)[:300]
    if not what:
        raise IntakeRuleError(Phrase("Say what was offered."), "what")
    if offered_on > today:
        raise IntakeRuleError(
            Phrase("Record what was offered, on the day it was offered."), "offered_on"
        )
    offer = WaitingOffer(screening=screening, what=what, offered_on=offered_on, offered_by=by)
    db.session.add(offer)
    db.session.flush()
    audit.record(AuditAction.CREATE, "waiting_offer", offer.id, user=by)
    return offer


def take_off(screening: IntakeScreening, *, by: User, worker: User, today: date) -> Case:
    """Take the person off the waiting list: their case opens in the program with the intake
    typed when they were put on it, `worker` as its primary worker, and the consent given then.
    The entry is locked first: two people taking the same person off open one case."""
    db.session.refresh(screening, with_for_update=True)
    _waiting(screening)
    kept = dict(screening.intake or {})
    # HUD's answers given at intake, kept until there is a case to hold them (services.intake).
    hud_kept = kept.pop("hud", None)
    if "source" in kept:
        kept["source"] = IntakeSource(kept["source"])
    details = cases.IntakeDetails(**kept)
    try:
        case = cases.open_case(
            screening.client,
            screening.program,
            created_by=by,
            primary_worker=worker,
            intake=details,
            next_follow_up_on=today + FIRST_FOLLOW_UP,
        )
    except cases.CaseError as error:
        raise IntakeRuleError(error.args[0]) from error
    if hud_kept is not None and screening.program.hud_elements:
        hud.record_answers(case, hud.from_kept(hud_kept), recorded_by=by)
    if screening.consent_id is not None:
        consent = db.session.get(Consent, screening.consent_id)
        if consent is not None and consent.case_id is None:
            consent.case_id = case.id
    screening.outcome = ScreeningOutcome.OPENED
    screening.case_id = case.id
    screening.taken_off_at = utcnow()
    screening.taken_off_by_id = by.id
    screening.next_check_in_on = None
    db.session.flush()
    audit.record(AuditAction.UPDATE, "intake_screening", screening.id, user=by)
    return case


# A note on why someone left a list says a line or two, not their story.
LEFT_NOTE_MAX = 500


def leave(
    screening: IntakeScreening, *, by: User, reason: LeftReason, note: str = ""
) -> IntakeScreening:
    """Take the person off the waiting list without a case: they found help elsewhere, no longer
    want it, could not be reached, moved away, or another reason (which needs a note). They stay a
    client of the agency; the list, its counts and the holder's check-ins no longer hold them.
    The entry is locked first, as for a case opened: of two workers, one takes them off."""
    db.session.refresh(screening, with_for_update=True)
    _waiting(screening)
    note = without_controls(note or "", multiline=True).strip()[:LEFT_NOTE_MAX]
    if reason == LeftReason.OTHER and not note:
        raise IntakeRuleError(Phrase('With "Other", write why they left.'), "note")
    screening.outcome = ScreeningOutcome.LEFT
    screening.left_reason = reason
    screening.left_note = note
    screening.taken_off_at = utcnow()
    screening.taken_off_by_id = by.id
    screening.next_check_in_on = None
    db.session.flush()
    audit.record(AuditAction.UPDATE, "intake_screening", screening.id, user=by)
    return screening
