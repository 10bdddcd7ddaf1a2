"""Every report, in the order the page shows them."""

from __future__ import annotations

from collections.abc import Callable

from webapp.reports import durations, outcomes, practice, referrals
from webapp.reports.scope import Scope
from webapp.reports.table import Table

REPORTS: dict[str, Callable[[Scope], Table]] = {
    "outcomes": outcomes.score_change,
    "goals": outcomes.goal_outcomes,
    "referrals": referrals.referral_funnel,
    "providers": referrals.provider_outcomes,
    "contact": practice.contact_compliance,
    "caseloads": practice.caseloads,
    "durations": durations.durations,
    "reentry": durations.reentry,
}
