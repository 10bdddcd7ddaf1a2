"""The service plan: measurable goals, the tasks that reach them, and the client's agreement.

Goals and the agreement carry a version: a save over someone else's newer save is refused
(StaleEdit) and the page shows both, as client edits do.
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
    PlanTask,
    ServicePlan,
    TaskOwner,
    User,
    utcnow,
)
from webapp.services import audit
from webapp.services.case_changes import loop_back_met, refresh_phase
from webapp.services.cases import CaseError
from webapp.text import clean_line


class StaleEdit(CaseError):
    """Someone else saved this since the form was opened."""


def plan_of(case: Case) -> ServicePlan | None:
    return db.session.scalar(sa.select(ServicePlan).where(ServicePlan.case_id == case.id))


def _plan_for_change(case: Case, user: User) -> ServicePlan:
    if not case.is_open:
        raise CaseError("This case is closed.")
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
        raise CaseError("Say what the goal is, in the client's words where you can.")
    if not details.measure.strip():
        raise CaseError("A goal needs a measure: how will you both know it is reached?")
    if details.target_on is None:
        raise CaseError("A goal needs a target date, so progress can be reviewed against it.")
    if new and details.target_on < today:
        raise CaseError("A new goal's target date cannot be in the past.")


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
        raise CaseError("This case is closed.")
    _check_goal(details, today, new=False)
    goal.domain = details.domain
    goal.statement = details.statement.strip()
    goal.measure = details.measure.strip()
    goal.target_on = details.target_on
    goal.status = details.status
    db.session.flush()  # the version column makes a concurrent UPDATE fail here
    audit.record(AuditAction.UPDATE, "goal", goal.id, user=user)
    refresh_phase(case, user=user, why="Goal changed")
    return goal


def add_task(
    case: Case,
    goal: Goal,
    *,
    description: str,
    responsible: TaskOwner,
    due_on: date | None,
    user: User,
    support_person: str = "",
) -> PlanTask:
    """A task on a goal. One a support person carries names them (a household member or someone
    in the client's network, by name)."""
    support_person = clean_line(support_person) if responsible == TaskOwner.SUPPORT_PERSON else ""
    if not case.is_open:
        raise CaseError("This case is closed.")
    if not goal.is_active:
        raise CaseError("This goal already has an outcome; reopen it to add tasks.")
    if not description.strip():
        raise CaseError("Say what needs doing.")
    if responsible == TaskOwner.SUPPORT_PERSON and not support_person:
        raise CaseError("Name the support person who carries it.")
    task = PlanTask(
        goal=goal,
        description=description.strip(),
        responsible=responsible,
        due_on=due_on,
        support_person=support_person,
    )
    db.session.add(task)
    db.session.flush()
    audit.record(AuditAction.CREATE, "plan_task", task.id, user=user)
    refresh_phase(case, user=user, why="Task added")
    return task


def set_task_done(case: Case, task: PlanTask, done: bool, *, user: User) -> None:
    if not case.is_open:
        raise CaseError("This case is closed.")
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
        raise CaseError("Add at least one goal before recording the client's agreement.")
    if agreed_on is not None and (not agreed_by.strip() or method is None):
        raise CaseError("Say who agreed and how.")
    if agreed_on is not None and agreed_on > today:
        raise CaseError("An agreement cannot be in the future.")
    if review_on is not None and review_on < today:
        raise CaseError("A review date from today on.")
    plan.agreed_by = agreed_by.strip()
    plan.agreed_on = agreed_on
    plan.agreement_method = method
    plan.review_on = review_on
    plan.updated_by_id = user.id
    db.session.flush()
    audit.record(AuditAction.UPDATE, "service_plan", plan.id, user=user)
    if agreed_on is not None:
        loop_back_met(case, by=Phase.PLANNING)
    refresh_phase(case, user=user, why="Plan agreed" if agreed_on else "Plan changed")
    return plan
