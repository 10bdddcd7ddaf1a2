"""A client's history as one list, newest first: what happened, when, in which case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models import (
    Case,
    Client,
    ContactLog,
    Goal,
    PlanTask,
    Referral,
    ReferralStatusChange,
    Service,
    ServicePlan,
)
from webapp.queries.closure import recorded_checks
from webapp.queries.consents import consents_seen_through
from webapp.text import Phrase

TIMELINE_LENGTH = 50


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    title: str
    detail: str
    case_id: int | None


def _with_appointment(change: ReferralStatusChange) -> str:
    """A status change's note, after the appointment it booked if any."""
    if not change.appointment_on:
        return change.note
    appointment = Phrase("Appointment: %(appointment)s", appointment=change)
    if not change.note:
        return appointment
    return Phrase("%(appointment)s\n%(note)s", appointment=appointment, note=change.note)


def _contact_title(contact: ContactLog) -> str:
    """A contact's kind, and for a collateral contact who it was with."""
    if not contact.collateral_name:
        return Phrase(contact.contact_type.label)
    if contact.collateral_relationship is None:
        return Phrase(
            "%(kind)s with %(who)s",
            kind=Phrase(contact.contact_type.label),
            who=contact.collateral_name,
        )
    return Phrase(
        "%(kind)s with %(who)s (%(relationship)s)",
        kind=Phrase(contact.contact_type.label),
        who=contact.collateral_name,
        relationship=Phrase(contact.collateral_relationship.label).lower(),
    )


def client_timeline(client: Client, visible_cases: list[Case]) -> list[TimelineEntry]:
    case_ids = [case.id for case in visible_cases]
    entries = [TimelineEntry(client.created_at, Phrase("First recorded"), "", None)]
    for consent in consents_seen_through(client, visible_cases):
        entries.append(
            TimelineEntry(
                consent.given_at,
                Phrase("Consent: %(scope)s", scope=Phrase(consent.scope.label)),
                Phrase(consent.method.label),
                consent.case_id,
            )
        )
        if consent.revoked_at is not None:
            # Revoking stops sharing from then on; the record keeps that it was given.
            entries.append(
                TimelineEntry(
                    consent.revoked_at,
                    Phrase("Consent revoked: %(scope)s", scope=Phrase(consent.scope.label)),
                    consent.revocation_note,
                    consent.case_id,
                )
            )
    for case in visible_cases:
        entries.append(
            TimelineEntry(
                case.opened_at,
                Phrase("Case opened: %(program)s", program=case.program.name),
                "",
                case.id,
            )
        )
        if case.closed_at:
            entries.append(
                TimelineEntry(
                    case.closed_at,
                    Phrase("Case closed: %(program)s", program=case.program.name),
                    Phrase(case.closure_reason_label),
                    case.id,
                )
            )
    if case_ids:
        contacts = db.session.scalars(
            sa.select(ContactLog)
            .where(ContactLog.case_id.in_(case_ids))
            .order_by(ContactLog.occurred_at.desc())
            .limit(TIMELINE_LENGTH)
        )
        entries += [
            TimelineEntry(c.occurred_at, _contact_title(c), c.note, c.case_id) for c in contacts
        ]
        # Tasks a named support person carries (issue 19).
        tasks = db.session.scalars(
            sa.select(PlanTask)
            .join(PlanTask.goal)
            .join(Goal.plan)
            .where(ServicePlan.case_id.in_(case_ids), PlanTask.support_person != "")
            .options(so.contains_eager(PlanTask.goal).contains_eager(Goal.plan))
            .order_by(PlanTask.created_at.desc())
            .limit(TIMELINE_LENGTH)
        )
        entries += [
            TimelineEntry(
                task.created_at,
                Phrase(
                    "Task for %(who)s: %(task)s", who=task.support_person, task=task.description
                ),
                "",
                task.goal.plan.case_id,
            )
            for task in tasks
        ]
        changes = db.session.scalars(
            sa.select(ReferralStatusChange)
            .join(ReferralStatusChange.referral)
            .where(Referral.case_id.in_(case_ids))
            .options(
                so.contains_eager(ReferralStatusChange.referral)
                .joinedload(Referral.service)
                .joinedload(Service.provider)
            )
            .order_by(ReferralStatusChange.occurred_at.desc())
            .limit(TIMELINE_LENGTH)
        )
        entries += [
            TimelineEntry(
                change.occurred_at,
                Phrase(
                    "Referral %(status)s: %(provider)s",
                    status=Phrase(change.status.label).lower(),
                    provider=change.referral.service.provider.name,
                ),
                _with_appointment(change),
                change.referral.case_id,
            )
            for change in changes
        ]
        entries += [
            TimelineEntry(check.done_at, Phrase("Post-closure check"), check.note, check.case_id)
            for check in recorded_checks(case_ids)
        ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:TIMELINE_LENGTH]
