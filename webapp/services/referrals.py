"""Referrals and the confirmations that move them along."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from webapp.extensions import db
from webapp.models import (
    ALLOWED_TRANSITIONS,
    AuditAction,
    Case,
    ConfirmationMethod,
    Consent,
    Goal,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
    Service,
    User,
    utcnow,
)
from webapp.queries import consents
from webapp.services import audit
from webapp.services.case_changes import refresh_phase
from webapp.text import Either, Phrase

DEFAULT_FOLLOW_UP = timedelta(days=7)


class ReferralError(ValueError):
    """A referral change that cannot be made; the message says why."""


def allows_sharing(consent: Consent | None, case: Case, service: Service, today: date) -> bool:
    return consents.allows_sharing(consent, case, service.provider_id, today)


@dataclass(frozen=True)
class Appointment:
    """What a "scheduled" step books: the day, and the time and place when known."""

    on: date
    at: time | None = None
    place: str = ""

    @property
    def confirm_on(self) -> date:
        """The day after: when to ask whether the client went."""
        return self.on + timedelta(days=1)


def make_referral(
    case: Case,
    service: Service,
    *,
    created_by: User | None,
    today: date,
    reason: str = "",
    follow_up_on: date | None = None,
    sent_at: datetime | None = None,
    goal: Goal | None = None,
    consent: Consent | None,
) -> Referral:
    """Send a referral; it asks for confirmation from `follow_up_on` (a week by default).

    Nothing about the client goes to a provider without the client's consent to share with that
    provider, in force today: `consent` is the one the referral relies on."""
    if not case.is_open:
        raise ReferralError(Phrase("This case is closed."))
    if not service.active:
        raise ReferralError(Phrase("This service is no longer offered."))
    if not allows_sharing(consent, case, service, today):
        raise ReferralError(
            Phrase(
                "No consent in force lets us share with %(provider)s: "
                "ask the client first, and record it.",
                provider=service.provider.name,
            )
        )
    if goal is not None and (goal.plan.case_id != case.id or not goal.is_active):
        raise ReferralError(Phrase("Choose one of this case's open goals."))
    sent_at = sent_at or utcnow()
    referral = Referral(
        case=case,
        service=service,
        reason=reason.strip(),
        goal=goal,
        consent=consent,
        status=ReferralStatus.SENT,
        follow_up_on=follow_up_on or today + DEFAULT_FOLLOW_UP,
        created_by_id=created_by.id if created_by else None,
        created_at=sent_at,
    )
    referral.history.append(
        ReferralStatusChange(
            status=ReferralStatus.SENT,
            occurred_at=sent_at,
            method=ConfirmationMethod.SYSTEM,
            confirmed_by_id=created_by.id if created_by else None,
        )
    )
    db.session.add(referral)
    db.session.flush()
    audit.record(AuditAction.CREATE, "referral", referral.id, user=created_by)
    refresh_phase(case, user=created_by, why="Referral made")
    return referral


def change_status(
    referral: Referral,
    status: ReferralStatus,
    *,
    confirmed_by: User | None,
    method: ConfirmationMethod,
    occurred_at: datetime | None = None,
    note: str = "",
    follow_up_on: date | None = None,
    appointment: Appointment | None = None,
) -> ReferralStatusChange:
    """Record a confirmed step along the allowed transitions. An open referral keeps a
    follow-up date so it keeps asking. "Scheduled" books an appointment, and the referral asks
    for confirmation the day after it; other steps take no appointment."""
    if status not in ALLOWED_TRANSITIONS[referral.status]:
        now, wanted = Phrase(referral.status.label).lower(), Phrase(status.label).lower()
        if not referral.next_statuses:
            raise ReferralError(
                Phrase(
                    "A referral that is %(now)s cannot become %(wanted)s: it is finished.",
                    now=now,
                    wanted=wanted,
                )
            )
        raise ReferralError(
            Phrase(
                "A referral that is %(now)s cannot become %(wanted)s; it can become %(allowed)s.",
                now=now,
                wanted=wanted,
                allowed=Either(Phrase(next_.label).lower() for next_ in referral.next_statuses),
            )
        )
    occurred_at = occurred_at or utcnow()
    if occurred_at > utcnow():
        raise ReferralError(Phrase("A confirmation cannot be in the future."))
    if status == ReferralStatus.SCHEDULED and appointment is None:
        raise ReferralError(Phrase("An appointment needs its date."))
    if status != ReferralStatus.SCHEDULED:
        appointment = None
    change = ReferralStatusChange(
        referral=referral,
        status=status,
        occurred_at=occurred_at,
        method=method,
        note=note.strip(),
        confirmed_by_id=confirmed_by.id if confirmed_by else None,
    )
    db.session.add(change)
    referral.status = status
    if appointment is not None:
        place = appointment.place.strip()
        change.appointment_on = referral.appointment_on = appointment.on
        change.appointment_time = referral.appointment_time = appointment.at
        change.appointment_place = referral.appointment_place = place
        follow_up_on = appointment.confirm_on
    if follow_up_on is not None:
        referral.follow_up_on = follow_up_on
    db.session.flush()
    audit.record(AuditAction.UPDATE, "referral", referral.id, user=confirmed_by)
    if referral.case.is_open:
        refresh_phase(referral.case, user=confirmed_by, why=f"Referral {status.label.lower()}")
    return change
