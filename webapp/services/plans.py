"""The service plan: measurable goals, the tasks that reach them, and the client's agreement.

Goals and the agreement carry a version: a save over someone else's newer save is refused
(StaleEdit) and the page shows both, as client edits do.

The plan is also a contract: a term, what happens if a responsibility is not carried out, and the
parties' signatures. Every change to what the plan says raises its `terms_version`; a signature
signs one terms version, so a later change leaves the agreement "changed since signed".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    AgreementMethod,
    AuditAction,
    Case,
    Goal,
    GoalStatus,
    LifeDomain,
    Phase,
    PlanSignature,
    PlanTask,
    ServicePlan,
    SignatureMethod,
    SignatureParty,
    TaskOwner,
    User,
    utcnow,
)
from webapp.models.lifecycle import check_strokes
from webapp.services import audit
from webapp.services.case_changes import loop_back_met, refresh_phase
from webapp.services.cases import CaseError
from webapp.text import Phrase, clean_line


class StaleEdit(CaseError):
    """Someone else saved this since the form was opened."""


def plan_of(case: Case) -> ServicePlan | None:
    return db.session.scalar(sa.select(ServicePlan).where(ServicePlan.case_id == case.id))


def _terms_changed(plan: ServicePlan) -> None:
    plan.terms_version = (plan.terms_version or 1) + 1


def _plan_for_change(case: Case, user: User) -> ServicePlan:
    if not case.is_open:
        raise CaseError(Phrase("This case is closed."))
    plan = plan_of(case)
    if plan is None:
        plan = ServicePlan(case_id=case.id, updated_by_id=user.id)
        db.session.add(plan)
        db.session.flush()
        audit.record(AuditAction.CREATE, "service_plan", plan.id, user=user)
    return plan


@dataclass
class GoalDetails:
    domain: LifeDomain
    statement: str
    measure: str
    target_on: date | None
    status: GoalStatus = GoalStatus.NOT_STARTED


def _check_goal(details: GoalDetails, today: date, *, new: bool) -> None:
    if not details.statement.strip():
        raise CaseError(Phrase("Say what the goal is, in the client's words where you can."))
    if not details.measure.strip():
        raise CaseError(Phrase("A goal needs a measure: how will you both know it is reached?"))
    if details.target_on is None:
        raise CaseError(
            Phrase("A goal needs a target date, so progress can be reviewed against it.")
        )
    if new and details.target_on < today:
        raise CaseError(Phrase("A new goal's target date cannot be in the past."))


def add_goal(case: Case, details: GoalDetails, *, user: User, today: date) -> Goal:
    _check_goal(details, today, new=True)
    plan = _plan_for_change(case, user)
    goal = Goal(
        plan=plan,
        domain=details.domain,
        statement=details.statement.strip(),
        measure=details.measure.strip(),
        target_on=details.target_on,
        status=details.status,
    )
    db.session.add(goal)
    plan.updated_by_id = user.id
    _terms_changed(plan)
    db.session.flush()
    audit.record(AuditAction.CREATE, "goal", goal.id, user=user)
    refresh_phase(case, user=user, why="Goal added")
    return goal


def update_goal(
    case: Case, goal: Goal, details: GoalDetails, *, expected_version: int, user: User, today: date
) -> Goal:
    if goal.version != expected_version:
        raise StaleEdit("Someone else saved this goal while you were editing it.")
    if not case.is_open:
        raise CaseError(Phrase("This case is closed."))
    _check_goal(details, today, new=False)
    said = (goal.domain, goal.statement, goal.measure, goal.target_on)
    goal.domain = details.domain
    goal.statement = details.statement.strip()
    goal.measure = details.measure.strip()
    goal.target_on = details.target_on
    goal.status = details.status
    if said != (goal.domain, goal.statement, goal.measure, goal.target_on):
        _terms_changed(goal.plan)  # a new status is progress, not a new term
    db.session.flush()  # the version column makes a concurrent UPDATE fail here
    audit.record(AuditAction.UPDATE, "goal", goal.id, user=user)
    refresh_phase(case, user=user, why="Goal changed")
    return goal


@dataclass
class TaskDetails:
    description: str
    responsible: TaskOwner
    due_on: date | None
    support_person: str = ""
    provider_name: str = ""
    place: str = ""
    schedule: str = ""
    frequency: str = ""


def _check_task(details: TaskDetails) -> TaskDetails:
    support = clean_line(details.support_person)
    provider = clean_line(details.provider_name)
    details = TaskDetails(
        description=details.description.strip(),
        responsible=details.responsible,
        due_on=details.due_on,
        support_person=support if details.responsible == TaskOwner.SUPPORT_PERSON else "",
        provider_name=provider if details.responsible == TaskOwner.PROVIDER else "",
        place=clean_line(details.place),
        schedule=clean_line(details.schedule),
        frequency=clean_line(details.frequency),
    )
    if not details.description:
        raise CaseError(Phrase("Say what needs doing."))
    if details.responsible == TaskOwner.SUPPORT_PERSON and not details.support_person:
        raise CaseError(Phrase("Name the support person who carries it."))
    return details


def _apply_task(task: PlanTask, details: TaskDetails) -> None:
    task.description = details.description
    task.responsible = details.responsible
    task.due_on = details.due_on
    task.support_person = details.support_person
    task.provider_name = details.provider_name
    task.place = details.place
    task.schedule = details.schedule
    task.frequency = details.frequency


def add_task(
    case: Case,
    goal: Goal,
    *,
    description: str,
    responsible: TaskOwner,
    due_on: date | None,
    user: User,
    support_person: str = "",
    provider_name: str = "",
    place: str = "",
    schedule: str = "",
    frequency: str = "",
) -> PlanTask:
    """A task on a goal: what, who (one a support person carries names them; a provider's may
    name the provider), where, when, how often, and by when."""
    if not case.is_open:
        raise CaseError(Phrase("This case is closed."))
    if not goal.is_active:
        raise CaseError(Phrase("This goal already has an outcome; reopen it to add tasks."))
    details = _check_task(
        TaskDetails(
            description=description,
            responsible=responsible,
            due_on=due_on,
            support_person=support_person,
            provider_name=provider_name,
            place=place,
            schedule=schedule,
            frequency=frequency,
        )
    )
    task = PlanTask(goal=goal)
    _apply_task(task, details)
    db.session.add(task)
    _terms_changed(goal.plan)
    db.session.flush()
    audit.record(AuditAction.CREATE, "plan_task", task.id, user=user)
    refresh_phase(case, user=user, why="Task added")
    return task


def update_task(case: Case, task: PlanTask, details: TaskDetails, *, user: User) -> PlanTask:
    """A task's what, who, where, when, how often and by when, changed. A change to what it says
    leaves a signed agreement "changed since signed"."""
    if not case.is_open:
        raise CaseError(Phrase("This case is closed."))
    details = _check_task(details)
    before = _said(task)
    _apply_task(task, details)
    if _said(task) != before:
        _terms_changed(task.goal.plan)
        db.session.flush()
        audit.record(AuditAction.UPDATE, "plan_task", task.id, user=user)
    return task


def _said(task: PlanTask) -> tuple:
    return (
        task.description,
        task.responsible,
        task.due_on,
        task.support_person,
        task.provider_name,
        task.place,
        task.schedule,
        task.frequency,
    )


def set_task_done(case: Case, task: PlanTask, done: bool, *, user: User) -> None:
    if not case.is_open:
        raise CaseError(Phrase("This case is closed."))
    task.done_at = utcnow() if done else None
    db.session.flush()
    audit.record(AuditAction.UPDATE, "plan_task", task.id, user=user)
    refresh_phase(case, user=user, why="Task done" if done else "Task reopened")


def record_agreement(
    case: Case,
    *,
    agreed_by: str,
    agreed_on: date | None,
    method: AgreementMethod | None,
    review_on: date | None,
    expected_version: int | None,
    user: User,
    today: date,
) -> ServicePlan:
    """The client's agreement (who, when, how) and the date the plan is next reviewed."""
    plan = _plan_for_change(case, user)
    if expected_version is not None and plan.version != expected_version:
        raise StaleEdit("Someone else saved this plan while you were editing it.")
    if agreed_on is not None and not plan.goals:
        raise CaseError(Phrase("Add at least one goal before recording the client's agreement."))
    if agreed_on is not None and (not agreed_by.strip() or method is None):
        raise CaseError(Phrase("Say who agreed and how."))
    if agreed_on is not None and agreed_on > today:
        raise CaseError(Phrase("An agreement cannot be in the future."))
    if review_on is not None and review_on < today:
        raise CaseError(Phrase("A review date from today on."))
    if review_on != plan.review_on:
        _terms_changed(plan)
    plan.agreed_by = agreed_by.strip()
    plan.agreed_on = agreed_on
    # Supervision reads the agreement off the case.
    case.plan_agreed_on = agreed_on
    plan.agreement_method = method
    plan.review_on = review_on
    plan.updated_by_id = user.id
    db.session.flush()
    audit.record(AuditAction.UPDATE, "service_plan", plan.id, user=user)
    if agreed_on is not None:
        loop_back_met(case, by=Phase.PLANNING)
    refresh_phase(case, user=user, why="Plan agreed" if agreed_on else "Plan changed")
    return plan


def set_terms(
    case: Case,
    *,
    starts_on: date | None,
    ends_on: date | None,
    consequences: str,
    user: User,
) -> ServicePlan:
    """The agreement's term (from, until) and what happens if a responsibility is not carried
    out, in plain words."""
    if ends_on is not None and starts_on is not None and ends_on < starts_on:
        raise CaseError(Phrase("The agreement cannot end before it starts."))
    plan = _plan_for_change(case, user)
    consequences = consequences.strip()
    if (plan.starts_on, plan.ends_on, plan.consequences) != (starts_on, ends_on, consequences):
        plan.starts_on, plan.ends_on, plan.consequences = starts_on, ends_on, consequences
        plan.updated_by_id = user.id
        _terms_changed(plan)
        db.session.flush()
        audit.record(AuditAction.UPDATE, "service_plan", plan.id, user=user)
    return plan


def _plan_to_sign(case: Case, terms_version: int) -> ServicePlan:
    if not case.is_open:
        raise CaseError(Phrase("This case is closed."))
    plan = plan_of(case)
    if plan is None or not plan.goals:
        raise CaseError(Phrase("Add at least one goal before the agreement is signed."))
    if plan.terms_version != terms_version:
        raise StaleEdit(
            Phrase(
                "The plan changed while it was being signed. "
                "Read it again, then sign what it says now."
            )
        )
    return plan


def _client_agreed(case: Case, plan: ServicePlan, *, name: str, on: date, user: User) -> None:
    """The client's signature is their agreement: who, when, and how (signed)."""
    plan.agreed_by = name
    plan.agreed_on = on
    case.plan_agreed_on = on
    plan.agreement_method = AgreementMethod.SIGNED
    plan.updated_by_id = user.id
    db.session.flush()
    audit.record(AuditAction.UPDATE, "service_plan", plan.id, user=user)
    loop_back_met(case, by=Phase.PLANNING)
    refresh_phase(case, user=user, why="Plan agreed")


def sign_on_screen(
    case: Case,
    *,
    party: SignatureParty,
    name: str,
    strokes: list,
    terms_version: int,
    user: User,
    today: date,
) -> PlanSignature:
    """One party signs the plan as it stands, on the screen. The case manager signs as the
    signed-in user; anyone else is named. A client's signature records the plan's agreement."""
    plan = _plan_to_sign(case, terms_version)
    if party == SignatureParty.PAPER:
        raise CaseError(Phrase("Choose who signs."))
    check_strokes(strokes)
    name = user.display_name if party == SignatureParty.WORKER else clean_line(name)
    if not name:
        raise CaseError(Phrase("Write the name of the person who signs."))
    signature = PlanSignature(
        plan=plan,
        terms_version=plan.terms_version,
        party=party,
        method=SignatureMethod.SCREEN,
        name=name[:200],
        user_id=user.id if party == SignatureParty.WORKER else None,
        strokes=strokes,
        signed_on=today,
        recorded_by_id=user.id,
    )
    db.session.add(signature)
    db.session.flush()
    audit.record(AuditAction.CREATE, "plan_signature", signature.id, user=user)
    if party == SignatureParty.CLIENT:
        _client_agreed(case, plan, name=name, on=today, user=user)
    return signature


def mark_signed_on_paper(
    case: Case,
    *,
    names: str,
    signed_on: date,
    terms_version: int,
    user: User,
    today: date,
) -> PlanSignature:
    """The printed agreement was signed on paper by the people named, on that day: recorded with
    who recorded it. Everyone on the paper copy signed, the client among them."""
    plan = _plan_to_sign(case, terms_version)
    names = clean_line(names)
    if not names:
        raise CaseError(Phrase("Write who signed the paper copy."))
    if signed_on > today:
        raise CaseError(Phrase("A signature cannot be in the future."))
    signature = PlanSignature(
        plan=plan,
        terms_version=plan.terms_version,
        party=SignatureParty.PAPER,
        method=SignatureMethod.PAPER,
        name=names[:200],
        signed_on=signed_on,
        recorded_by_id=user.id,
    )
    db.session.add(signature)
    db.session.flush()
    audit.record(AuditAction.CREATE, "plan_signature", signature.id, user=user)
    _client_agreed(case, plan, name=names, on=signed_on, user=user)
    return signature
