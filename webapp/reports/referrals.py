"""The referral funnel: sent → connected → completed, and how long each step took, by provider."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models import (
    CLOSED_REFERRAL_STATUSES,
    Provider,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
    Service,
)
from webapp.queries.referral_outcomes import MIN_REFERRALS, Outcomes, outcomes_by_service
from webapp.reports.scope import Scope
from webapp.reports.table import Table, median_or_none, percent
from webapp.text import Phrase

ALL_PROVIDERS = Phrase("All providers")


@dataclass
class _Funnel:
    sent: int = 0
    connected: int = 0
    completed: int = 0
    open: int = 0
    ended_unconnected: int = 0
    days_to_connect: list[float] = field(default_factory=list)
    days_to_complete: list[float] = field(default_factory=list)

    def row(self, name: str) -> list:
        return [
            name,
            self.sent,
            self.connected,
            percent(self.connected, self.sent),
            self.completed,
            percent(self.completed, self.sent),
            median_or_none(self.days_to_connect),
            median_or_none(self.days_to_complete),
            self.open,
            self.ended_unconnected,
        ]


def _days(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds() / 86400)


def referral_funnel(scope: Scope) -> Table:
    """Referrals made in the date range on cases in scope. A referral counts as connected once
    anyone confirmed the client attended (completed ones did too); the days run from sending to the
    confirmed date of each step."""
    # Each referral with its first "connected" and first "completed" step (in the order
    # recorded), in one statement that chooses the referrals once: fetched by referral id in
    # chunks, the statements grew with the data (one per thousand referrals).
    step = ReferralStatusChange

    def first(status: ReferralStatus) -> sa.ColumnElement[int]:
        return sa.func.min(sa.case((step.status == status, step.id)))

    made = (
        sa.select(
            Referral.status,
            Referral.created_at,
            Referral.service_id,
            first(ReferralStatus.CONNECTED).label("connected_id"),
            first(ReferralStatus.COMPLETED).label("completed_id"),
        )
        .outerjoin(
            step,
            sa.and_(
                step.referral_id == Referral.id,
                step.status.in_([ReferralStatus.CONNECTED, ReferralStatus.COMPLETED]),
            ),
        )
        .where(
            Referral.case_id.in_(scope.case_ids()),
            Referral.created_at >= scope.start,
            Referral.created_at < scope.end,
        )
        .group_by(Referral.id, Referral.status, Referral.created_at, Referral.service_id)
        .subquery()
    )
    connected = so.aliased(ReferralStatusChange)
    completed = so.aliased(ReferralStatusChange)
    referrals = db.session.execute(
        sa.select(
            made.c.status,
            made.c.created_at,
            Provider.name,
            connected.occurred_at,
            completed.occurred_at,
        )
        .join(Service, Service.id == made.c.service_id)
        .join(Provider, Provider.id == Service.provider_id)
        .outerjoin(connected, connected.id == made.c.connected_id)
        .outerjoin(completed, completed.id == made.c.completed_id)
    ).all()
    funnels: dict[str, _Funnel] = defaultdict(_Funnel)
    for status, created_at, provider, connected_at, completed_at in referrals:
        for funnel in (funnels[ALL_PROVIDERS], funnels[provider]):
            funnel.sent += 1
            if connected_at or completed_at:
                funnel.connected += 1
            if connected_at:
                funnel.days_to_connect.append(_days(created_at, connected_at))
            if completed_at:
                funnel.completed += 1
                if connected_at:
                    funnel.days_to_complete.append(_days(connected_at, completed_at))
            if status not in CLOSED_REFERRAL_STATUSES:
                funnel.open += 1
            elif not (connected_at or completed_at):
                funnel.ended_unconnected += 1
    table = Table(
        "referrals",
        Phrase("Referral funnel by provider"),
        [
            Phrase("Provider"),
            Phrase("Sent"),
            Phrase("Connected"),
            Phrase("Connected %"),
            Phrase("Completed"),
            Phrase("Completed %"),
            Phrase("Median days to connect"),
            Phrase("Median days connected to completed"),
            Phrase("Still open"),
            Phrase("Ended without connecting"),
        ],
        note=(
            Phrase(
                "Referrals made in the date range; connected means someone confirmed the client "
                "attended."
            )
        ),
    )
    if funnels:
        table.rows.append(funnels.pop(ALL_PROVIDERS).row(ALL_PROVIDERS))
        for name in sorted(funnels, key=lambda name: (-funnels[name].sent, name)):
            table.rows.append(funnels[name].row(name))
    return table


TOO_FEW = Phrase("too few referrals to say")


def _figure(value: float | None, scale: float = 1) -> float | Phrase:
    return TOO_FEW if value is None else round(value * scale, 1)


def _outcome_row(name: str, outcomes: Outcomes) -> list:
    return [
        name,
        outcomes.referrals,
        outcomes.decided,
        _figure(outcomes.accepted_share, 100),
        outcomes.appointments,
        _figure(outcomes.median_days),
        outcomes.outcome_known,
        _figure(outcomes.attended_share, 100),
    ]


def provider_outcomes(scope: Scope) -> Table:
    """What each service did with the referrals of the funnel (the same rows: made in the date
    range, on cases in scope): how many it accepted, how soon it gave a first appointment, how
    many clients attended. The figures the referral form shows beside each service, for the
    agency's every case and no dates."""
    by_service = outcomes_by_service(
        case_ids=scope.case_ids(), sent_from=scope.start, sent_before=scope.end
    )
    names = {
        service_id: f"{provider} · {service}"
        for service_id, service, provider in db.session.execute(
            sa.select(Service.id, Service.name, Provider.name)
            .join(Provider, Provider.id == Service.provider_id)
            .where(Service.id.in_(list(by_service)))
        )
    }
    table = Table(
        "providers",
        Phrase("What providers did with our referrals"),
        [
            Phrase("Service"),
            Phrase("Referrals"),
            Phrase("Decided by the provider"),
            Phrase("Accepted %"),
            Phrase("With a first appointment"),
            Phrase("Median days to a first appointment"),
            Phrase("Appointment outcome known"),
            Phrase("Attended %"),
        ],
        note=Phrase(
            "Referrals made in the date range. Accepted: out of those the provider accepted or "
            "declined (waiting and cancelled ones are neither). Days run from the day a referral "
            "was sent to its first appointment. Attended: out of those whose appointment's "
            "outcome is known, a no-show that was booked again counting by its new appointment. "
            "Below %(num)s referrals a figure is not given.",
            num=MIN_REFERRALS,
        ),
    )
    if by_service:
        table.rows.append(_outcome_row(ALL_PROVIDERS, Outcomes.summed(by_service.values())))
        for service_id in sorted(
            by_service, key=lambda key: (-by_service[key].referrals, names[key])
        ):
            table.rows.append(_outcome_row(names[service_id], by_service[service_id]))
    return table
