"""The one next step a case page states, so no phase is skipped without anyone noticing."""

from __future__ import annotations

from datetime import date

from webapp.models import Phase
from webapp.queries.case_state import DUE_SOON, CaseState, derive_phase
from webapp.text import Phrase

# What is due, named so the phrase around it reads in any language (each is feminine in Spanish).
POST_CLOSURE_CHECK = Phrase("Post-closure check")
REASSESSMENT = Phrase("Reassessment")
PLAN_REVIEW = Phrase("Plan review")


def _when(due: date, today: date, what: Phrase) -> Phrase | None:
    """ "X overdue by 2 days" / "X due today" / "X due in 3 days", or None when not yet near."""
    if due < today:
        return Phrase.counted(
            "%(what)s overdue by %(num)d day",
            "%(what)s overdue by %(num)d days",
            (today - due).days,
            what=what,
        )
    if due == today:
        return Phrase("%(what)s due today", what=what)
    if due - today <= DUE_SOON:
        return Phrase.counted(
            "%(what)s due in %(num)d day",
            "%(what)s due in %(num)d days",
            (due - today).days,
            what=what,
        )
    return None


def next_step(state: CaseState, today: date) -> Phrase:
    case = state.case
    if not case.is_open:
        if state.follow_ups:
            due = state.follow_ups[0].due_on
            when = _when(due, today, POST_CLOSURE_CHECK) or Phrase(
                "Post-closure check on %(day)s", day=due
            )
            return Phrase("%(when)s: ask how they are doing and record it.", when=when)
        return Phrase("Closed. If the client comes back, open a new case on the same ID.")
    if state.pending_closure is not None:
        return Phrase("Closure awaiting a supervisor's approval.")
    if case.next_follow_up_on and case.next_follow_up_on < today:
        return Phrase.counted(
            "Follow-up overdue by %(num)d day: make contact.",
            "Follow-up overdue by %(num)d days: make contact.",
            (today - case.next_follow_up_on).days,
        )
    if case.next_follow_up_on == today:
        return Phrase("Follow-up due today: make contact.")
    overdue_referrals = [r for r in state.open_referrals if r.follow_up_on <= today]
    if overdue_referrals:
        return Phrase.counted(
            "%(num)d referral awaiting confirmation: check the client connected.",
            "%(num)d referrals awaiting confirmation: check the client connected.",
            len(overdue_referrals),
        )

    phase = derive_phase(state)
    if phase == Phase.INTAKE:
        return Phrase(
            "Quick intake only: learn what brought them and what they want help with, then assess."
        )
    if phase == Phase.ASSESSMENT:
        if state.baseline is None:
            return Phrase("No baseline assessment yet: assess needs and strengths.")
        return Phrase("Reassessment asked for: record a reassessment.")
    if phase == Phase.PLANNING:
        if case.loop_back_phase == Phase.PLANNING:
            return Phrase("Revise the plan with the client and record their agreement.")
        if state.plan is None or not state.plan.goals:
            return Phrase("No service plan yet: agree goals with the client.")
        return Phrase("Plan not agreed yet: record the client's agreement.")

    for due, what in (
        (state.reassessment_due_on, REASSESSMENT),
        (state.plan_review_on, PLAN_REVIEW),
    ):
        if due is not None and (message := _when(due, today, what)):
            return Phrase("%(when)s.", when=message)

    if phase == Phase.IMPLEMENTATION:
        if state.open_referrals:
            return Phrase.counted(
                "%(num)d referral open: next check on %(day)s.",
                "%(num)d referrals open: next check on %(day)s.",
                len(state.open_referrals),
                day=min(r.follow_up_on for r in state.open_referrals),
            )
        if state.open_tasks:
            dated = [task.due_on for task in state.open_tasks if task.due_on]
            if dated:
                return Phrase.counted(
                    "%(num)d plan task open, next due %(day)s.",
                    "%(num)d plan tasks open, next due %(day)s.",
                    len(state.open_tasks),
                    day=min(dated),
                )
            return Phrase.counted(
                "%(num)d plan task open.", "%(num)d plan tasks open.", len(state.open_tasks)
            )
        return Phrase("Set the plan in motion: make a referral or add a task to a goal.")
    if not state.active_goals:
        return Phrase("Every goal has an outcome: plan the closure with the client.")
    if case.next_follow_up_on is None:
        return Phrase("No follow-up planned: log a contact with a next follow-up date.")
    return Phrase("Monitoring: next follow-up on %(day)s.", day=case.next_follow_up_on)
