"""Today: everything due for one worker, as one list, most urgent first.

Two queries whatever the caseload: the worker's open cases, and their referrals waiting for a
confirmation. A worker's open cases are bounded by the caseload cap, so the rest is arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import url_for

from webapp.extensions import db
from webapp.models import CLOSED_REFERRAL_STATUSES, MODEL_DEFAULTS, Case, Referral, RiskLevel, Service, User
from webapp.timeutil import to_local

KIND_ORDER = {"follow_up": 0, "referral": 1, "contact_standard": 2, "urgent": 3}


@dataclass(frozen=True)
class TodayItem:
    kind: str
    case: Case
    due: date
    detail: str
    action_label: str
    action_url: str

    @property
    def urgent(self) -> bool:
        return self.case.risk_level == RiskLevel.URGENT

    def overdue_days(self, today: date) -> int:
        return (today - self.due).days

    def sort_key(self, today: date) -> tuple:
        return (not self.urgent, -self.overdue_days(today), KIND_ORDER[self.kind], self.case.id)


def contact_standard_days(case: Case) -> int:
    """The case's own model decides; the program's figure applies when the case uses its model."""
    if case.model == case.program.model:
        return case.program.contact_standard_days
    return MODEL_DEFAULTS[case.model].contact_standard_days


def _log_contact(case: Case) -> tuple[str, str]:
    return "Log contact", url_for("cases.new_contact", case_id=case.id, next="/")


def due_items(user: User, today: date) -> list[TodayItem]:
    cases = db.session.scalars(
        sa.select(Case)
        .where(Case.primary_worker_id == user.id, Case.closed_at.is_(None))
        .options(so.selectinload(Case.client), so.selectinload(Case.program))
    ).all()
    items: list[TodayItem] = []
    for case in cases:
        if case.next_follow_up_on is not None and case.next_follow_up_on <= today:
            items.append(TodayItem("follow_up", case, case.next_follow_up_on, "Follow-up", *_log_contact(case)))
            continue
        standard = contact_standard_days(case)
        last = to_local(case.last_contact_at or case.opened_at).date()
        if last + timedelta(days=standard) < today:
            detail = f"No contact for {(today - last).days} days (standard: every {standard})"
            items.append(TodayItem("contact_standard", case, last + timedelta(days=standard), detail,
                                   *_log_contact(case)))
        elif case.risk_level == RiskLevel.URGENT:
            items.append(TodayItem("urgent", case, today, "Urgent risk", "Open case",
                                   url_for("cases.view", case_id=case.id)))

    referrals = db.session.scalars(
        sa.select(Referral)
        .join(Referral.case)
        .where(
            Case.primary_worker_id == user.id,
            Case.closed_at.is_(None),
            Referral.status.not_in(CLOSED_REFERRAL_STATUSES),
            Referral.follow_up_on <= today,
        )
        .options(
            so.contains_eager(Referral.case),
            so.selectinload(Referral.service).selectinload(Service.provider),
        )
    ).all()
    for referral in referrals:
        detail = f"Referral to {referral.service.provider.name} ({referral.status.label.lower()}): check what happened"
        items.append(TodayItem("referral", referral.case, referral.follow_up_on, detail, "Confirm",
                               url_for("referrals.view", referral_id=referral.id, next="/")))
    items.sort(key=lambda item: item.sort_key(today))
    return items
