"""The one next step a case page states, so no phase is skipped without anyone noticing."""

from __future__ import annotations

from datetime import date

from webapp.models import Phase
from webapp.queries.case_state import DUE_SOON, CaseState, derive_phase


def _days(count: int) -> str:
    return f"{count} day{'s' if count != 1 else ''}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _when(due: date, today: date, what: str) -> str | None:
    """ "X overdue by 2 days" / "X due today" / "X due in 3 days", or None when not yet near."""
    if due < today:
        return f"{what} overdue by {_days((today - due).days)}"
    if due == today:
        return f"{what} due today"
    if due - today <= DUE_SOON:
        return f"{what} due in {_days((due - today).days)}"
    return None


def next_step(state: CaseState, today: date) -> str:
    case = state.case
    if not case.is_open:
        if state.follow_ups:
            due = state.follow_ups[0].due_on
            return (
                _when(due, today, "Post-closure check") or f"Post-closure check on {due:%-d %b}"
            ) + ": ask how they are doing and record it."
        return "Closed. If the client comes back, open a new case on the same ID."
    if state.pending_closure is not None:
        return "Closure awaiting a supervisor's approval."
    if case.next_follow_up_on and case.next_follow_up_on < today:
        return f"Follow-up overdue by {_days((today - case.next_follow_up_on).days)}: make contact."
    if case.next_follow_up_on == today:
        return "Follow-up due today: make contact."
    overdue_referrals = [r for r in state.open_referrals if r.follow_up_on <= today]
    if overdue_referrals:
        return (
            f"{_plural(len(overdue_referrals), 'referral')} awaiting confirmation: check the "
            "client connected."
        )

    phase = derive_phase(state)
    if phase == Phase.INTAKE:
        return (
            "Quick intake only: learn what brought them and what they want help with, then assess."
        )
    if phase == Phase.ASSESSMENT:
        if state.baseline is None:
            return "No baseline assessment yet: assess needs and strengths."
        return "Reassessment asked for: record a reassessment."
    if phase == Phase.PLANNING:
        if case.loop_back_phase == Phase.PLANNING:
            return "Revise the plan with the client and record their agreement."
        if state.plan is None or not state.plan.goals:
            return "No service plan yet: agree goals with the client."
        return "Plan not agreed yet: record the client's agreement."

    for due, what in (
        (state.reassessment_due_on, "Reassessment"),
        (state.plan_review_on, "Plan review"),
    ):
        if due is not None and (message := _when(due, today, what)):
            return f"{message}."

    if phase == Phase.IMPLEMENTATION:
        if state.open_referrals:
            soonest = min(r.follow_up_on for r in state.open_referrals)
            return (
                f"{_plural(len(state.open_referrals), 'referral')} open: next check on "
                f"{soonest:%-d %b}."
            )
        if state.open_tasks:
            dated = [task.due_on for task in state.open_tasks if task.due_on]
            soonest = f", next due {min(dated):%-d %b}" if dated else ""
            return f"{_plural(len(state.open_tasks), 'plan task')} open{soonest}."
        return "Set the plan in motion: make a referral or add a task to a goal."
    if not state.active_goals:
        return "Every goal has an outcome: plan the closure with the client."
    if case.next_follow_up_on is None:
        return "No follow-up planned: log a contact with a next follow-up date."
    return f"Monitoring: next follow-up on {case.next_follow_up_on:%-d %b}."
