"""The one next step a case page states, so no phase is skipped without anyone noticing."""

from __future__ import annotations

from datetime import date

from webapp.models import Case, Phase, Referral


def next_step(case: Case, today: date, open_referrals: list[Referral]) -> str:
    if not case.is_open:
        return "Closed. Plan any follow-up contact after closure."
    overdue_referrals = [r for r in open_referrals if r.follow_up_on <= today]
    if case.next_follow_up_on and case.next_follow_up_on < today:
        days = (today - case.next_follow_up_on).days
        return f"Follow-up overdue by {days} day{'s' if days != 1 else ''}: make contact."
    if case.next_follow_up_on == today:
        return "Follow-up due today: make contact."
    if overdue_referrals:
        count = len(overdue_referrals)
        return f"{count} referral{'s' if count != 1 else ''} awaiting confirmation: check the client connected."
    if case.phase == Phase.INTAKE:
        return "Intake done: assess needs and strengths next."
    if case.next_follow_up_on is None:
        return "No follow-up planned: log a contact with a next follow-up date."
    return f"Next follow-up on {case.next_follow_up_on:%-d %b}."
