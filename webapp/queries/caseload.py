"""The worker's own open cases as the phone keeps them for offline use: enough for the offline
forms' pickers and for a card a worker reads before walking up to someone — never notes beyond
one line of the last contact, never a legal name or a birth date."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models import (
    CLOSED_REFERRAL_STATUSES,
    Case,
    ContactLog,
    ReferralStatus,
    User,
)
from webapp.queries.case_state import load_states
from webapp.queries.next_step import next_step
from webapp.queries.visibility import visible_cases

LINE = 80


def one_line(note: str) -> str:
    first = (note or "").strip().splitlines()[0] if (note or "").strip() else ""
    return first if len(first) <= LINE else first[: LINE - 1].rstrip() + "…"


def caseload(user: User, today: date) -> list[dict]:
    cases = db.session.scalars(
        sa.select(Case)
        .where(Case.primary_worker_id == user.id, Case.closed_at.is_(None), visible_cases(user))
        .options(
            so.selectinload(Case.client),
            so.selectinload(Case.program),
            # What the next step reads of each case besides its state (its phase).
            so.selectinload(Case.intake),
        )
        .order_by(Case.id)
    ).all()
    latest = (
        sa.select(ContactLog.case_id, sa.func.max(ContactLog.occurred_at).label("at"))
        .where(ContactLog.case_id.in_([case.id for case in cases]))
        .group_by(ContactLog.case_id)
        .subquery()
    )
    last_contacts = {
        contact.case_id: contact
        for contact in db.session.scalars(
            sa.select(ContactLog).join(
                latest,
                sa.and_(
                    ContactLog.case_id == latest.c.case_id, ContactLog.occurred_at == latest.c.at
                ),
            )
        )
    }
    # One state for all the cases: the same queries for 5 cases or 50.
    states = load_states(cases)
    cards = []
    for case in cases:
        state = states[case.id]
        contact = last_contacts.get(case.id)
        cards.append(
            {
                "id": case.id,
                "name": case.client.preferred_name,
                "client_id": case.client.display_id,
                "program": case.program.name,
                "phase": case.phase.label,
                "next_step": next_step(state, today),
                "follow_up_on": case.next_follow_up_on.isoformat()
                if case.next_follow_up_on
                else None,
                "last_contact": {
                    "on": contact.occurred_at.date().isoformat(),
                    "type": contact.contact_type.label,
                    "line": one_line(contact.note),
                }
                if contact
                else None,
                "referrals": [
                    {
                        "id": r.id,
                        "provider": r.service.provider.name,
                        "service": r.service.name,
                        "address": r.service.provider.address,
                        "appointment": r.appointment_line
                        if r.status == ReferralStatus.SCHEDULED
                        else "",
                        "status": r.status.value,
                        "status_label": r.status.label,
                    }
                    for r in state.referrals
                    if r.status not in CLOSED_REFERRAL_STATUSES
                ],
            }
        )
    return cards
