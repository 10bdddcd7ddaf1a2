"""The directory learns: what became of the agency's referrals to each service.

Per service, from the referrals recorded and their append-only histories:

- **accepted**: the provider took the referral (it reached acknowledged, scheduled, connected or
  completed at any point), out of the referrals the provider *decided*: those accepted and those
  declined without ever being accepted. Referrals still waiting and those we cancelled before an
  answer are no answer from the provider, so they are in neither part.
- **days to a first appointment**: from the day the referral was sent (its local date) to the day
  its first "scheduled" step booked, kept as a count of referrals per number of days so that
  providers and the whole agency can be summed and their median read off exactly.
- **attended**: among referrals that had an appointment whose outcome is known, those where the
  client got there (connected or completed) against those where they did not (a no-show not
  followed by attending, unless a new appointment is still to come).

Figures are counts only: nothing here names a client or a case, and each figure says how many
referrals it rests on. Below `MIN_REFERRALS` a figure is not given (small numbers mislead, and
point at the few people behind them).

Two queries for any number of services, each grouped in the database: one counts the referrals
per service, one counts them per service and number of days (a histogram; the median is read from
it in Python, the same on SQLite and PostgreSQL, neither of which shares a median function with
the other).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from webapp.database import days_after_local_date
from webapp.extensions import db
from webapp.models import Referral, ReferralStatus, ReferralStatusChange, Service
from webapp.timeutil import local_zone

# Below this many referrals a figure says "too few to say" instead.
MIN_REFERRALS = 5
# The referral form compares the listed services once a search leaves this many or fewer.
COMPARED_AT_MOST = 12

ACCEPTED = (
    ReferralStatus.ACKNOWLEDGED,
    ReferralStatus.SCHEDULED,
    ReferralStatus.CONNECTED,
    ReferralStatus.COMPLETED,
)
ATTENDED = (ReferralStatus.CONNECTED, ReferralStatus.COMPLETED)


@dataclass
class Outcomes:
    """What became of a set of referrals (one service's, a provider's, the agency's)."""

    referrals: int = 0
    accepted: int = 0
    declined: int = 0  # declined without ever being accepted
    attended: int = 0
    missed: int = 0
    # Referrals by the number of days from sending to the first appointment.
    days_to_appointment: Counter[int] = field(default_factory=Counter)

    @property
    def decided(self) -> int:
        return self.accepted + self.declined

    @property
    def appointments(self) -> int:
        return sum(self.days_to_appointment.values())

    @property
    def outcome_known(self) -> int:
        return self.attended + self.missed

    @property
    def accepted_share(self) -> float | None:
        """Accepted out of decided, 0 to 1; None below the minimum."""
        return _share(self.accepted, self.decided)

    @property
    def attended_share(self) -> float | None:
        return _share(self.attended, self.outcome_known)

    @property
    def median_days(self) -> float | None:
        """The median days to a first appointment (the mean of the middle two for an even
        count); None below the minimum."""
        count = self.appointments
        if count < MIN_REFERRALS:
            return None
        ordered = sorted(self.days_to_appointment.items())
        middle = ((count - 1) // 2, count // 2)  # 0-based ranks of the middle one or two
        found: list[int] = []
        seen = 0
        for days, many in ordered:
            found += [days for rank in middle if seen <= rank < seen + many]
            seen += many
        return sum(found) / 2

    @property
    def accepts_in_ten(self) -> int | None:
        return in_ten(self.accepted_share)

    @property
    def attends_in_ten(self) -> int | None:
        return in_ten(self.attended_share)

    @property
    def says_anything(self) -> bool:
        return any(
            figure is not None
            for figure in (self.accepted_share, self.median_days, self.attended_share)
        )

    def add(self, other: Outcomes) -> None:
        self.referrals += other.referrals
        self.accepted += other.accepted
        self.declined += other.declined
        self.attended += other.attended
        self.missed += other.missed
        self.days_to_appointment.update(other.days_to_appointment)

    @classmethod
    def summed(cls, parts: Iterable[Outcomes]) -> Outcomes:
        total = cls()
        for part in parts:
            total.add(part)
        return total


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole >= MIN_REFERRALS else None


def in_ten(share: float | None) -> int | None:
    """A share as "n in 10": 10 only when every one, 0 only when none."""
    if share is None:
        return None
    return min(9, max(1, round(share * 10))) if 0 < share < 1 else round(share * 10)


def outcomes_by_service(
    *,
    service_ids: Collection[int] | None = None,
    case_ids: sa.Select | None = None,
    sent_from: datetime | None = None,
    sent_before: datetime | None = None,
    zone: str | None = None,
) -> dict[int, Outcomes]:
    """Per service id, what became of the referrals sent to it: of the listed services (every
    service when None), from the cases `case_ids` selects (every case when None), sent in
    [`sent_from`, `sent_before`). Days are counted in the time zone `zone` (the organisation's
    by default). A service no referral went to is absent."""
    zone = zone or local_zone().key
    conditions = []
    if service_ids is not None:
        conditions.append(Referral.service_id.in_(list(service_ids)))
    if case_ids is not None:
        conditions.append(Referral.case_id.in_(case_ids))
    if sent_from is not None:
        conditions.append(Referral.created_at >= sent_from)
    if sent_before is not None:
        conditions.append(Referral.created_at < sent_before)
    found: dict[int, Outcomes] = {}
    for row in db.session.execute(_counts(conditions)):
        found[row.service_id] = Outcomes(
            referrals=row.referrals,
            accepted=row.accepted or 0,
            declined=row.declined or 0,
            attended=row.attended or 0,
            missed=row.missed or 0,
        )
    for service_id, days, many in db.session.execute(_days_to_first_appointment(conditions, zone)):
        # An appointment booked for a day before the referral (typed late) counts as the same day.
        found[service_id].days_to_appointment[max(0, days)] += many
    return found


def compared_services(services: list[Service]) -> list[tuple[Service, Outcomes]]:
    """For the referral form: each listed service with what became of every referral the agency
    made to it (all cases, all time), or nothing while the list is too long to compare."""
    if len(services) > COMPARED_AT_MOST:
        return []
    found = outcomes_by_service(service_ids=[service.id for service in services])
    return [(service, found.get(service.id, Outcomes())) for service in services]


def _flag(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.max(sa.case((condition, 1), else_=0))


def _counts(conditions: list) -> sa.Select:
    # Per referral its steps' flags, grouped with the referral: the referrals are chosen once per
    # query (for a report, each choosing evaluates the visibility rule over the cases again).
    status = ReferralStatusChange.status
    steps = (
        sa.select(
            Referral.service_id,
            Referral.status,
            _flag(status.in_(ACCEPTED)).label("accepted"),
            _flag(status == ReferralStatus.DECLINED).label("declined"),
            _flag(status == ReferralStatus.SCHEDULED).label("scheduled"),
            _flag(status.in_(ATTENDED)).label("attended"),
            _flag(status == ReferralStatus.NO_SHOW).label("no_show"),
        )
        .join(ReferralStatusChange, ReferralStatusChange.referral_id == Referral.id)
        .where(*conditions)
        .group_by(Referral.id, Referral.service_id, Referral.status)
        .subquery()
    )

    def count(*when: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.sum(sa.case((sa.and_(*when), 1), else_=0))

    return sa.select(
        steps.c.service_id,
        sa.func.count().label("referrals"),
        count(steps.c.accepted == 1).label("accepted"),
        count(steps.c.declined == 1, steps.c.accepted == 0).label("declined"),
        count(steps.c.scheduled == 1, steps.c.attended == 1).label("attended"),
        count(
            steps.c.scheduled == 1,
            steps.c.no_show == 1,
            steps.c.attended == 0,
            # Booked again after the no-show: that appointment's outcome is still to come.
            steps.c.status != ReferralStatus.SCHEDULED,
        ).label("missed"),
    ).group_by(steps.c.service_id)


def _days_to_first_appointment(conditions: list, zone: str) -> sa.Select:
    first = (
        sa.select(
            Referral.service_id,
            Referral.created_at,
            sa.func.min(ReferralStatusChange.id).label("id"),
        )
        .join(ReferralStatusChange, ReferralStatusChange.referral_id == Referral.id)
        .where(ReferralStatusChange.status == ReferralStatus.SCHEDULED, *conditions)
        .group_by(Referral.id, Referral.service_id, Referral.created_at)
        .subquery()
    )
    # From each referral's first "scheduled" step, its booked day by primary key. The days are a
    # column of a subquery so the outer query groups by a name: PostgreSQL would not match two
    # copies of an expression that each bind the time zone.
    per_referral = (
        sa.select(
            first.c.service_id,
            days_after_local_date(
                first.c.created_at, ReferralStatusChange.appointment_on, sa.literal(zone)
            ).label("days"),
        )
        .join(ReferralStatusChange, ReferralStatusChange.id == first.c.id)
        .where(ReferralStatusChange.appointment_on.is_not(None))
        .subquery()
    )
    return sa.select(per_referral.c.service_id, per_referral.c.days, sa.func.count()).group_by(
        per_referral.c.service_id, per_referral.c.days
    )
