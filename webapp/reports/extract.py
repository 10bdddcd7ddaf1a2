"""A de-identified case-level extract for evaluation outside Waymark.

No names, notes, free text, birth dates or worker names; dates only to the month. The client's
persistent ID and the case number are replaced by keyed hashes under a key made for this export
and thrown away: the cases of one client share a reference within the file (so returns after
closure can be studied), but two exports cannot be joined, and nobody can turn a reference back
into a person, not even with the database.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    Assessment,
    AssessmentKind,
    AssessmentScore,
    Case,
    Client,
    ContactLog,
    Goal,
    GoalStatus,
    HouseholdMember,
    Intake,
    LifeDomain,
    Program,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
    ServicePlan,
)
from webapp.queries.network import is_child, living_there
from webapp.reports.scope import Scope
from webapp.timeutil import as_utc, to_local

BATCH = 500
GOAL_COLUMNS = (GoalStatus.MET, GoalStatus.PARTLY_MET, GoalStatus.NOT_MET, GoalStatus.DROPPED)

HEADER = [
    "client_ref",
    "case_ref",
    "program",
    "model",
    "risk_level",
    "phase",
    "intake_source",
    "opened_month",
    "closed_month",
    "days_open",
    "closure_reason",
    "contacts",
    "referrals_sent",
    "referrals_connected",
    "referrals_completed",
    *(f"goals_{status.value}" for status in GOAL_COLUMNS),
    "goals_active",
    "household_size",
    "household_children",
    *(f"{domain.value}_{which}" for domain in LifeDomain for which in ("baseline", "latest")),
]


class Pseudonyms:
    """Keyed hashes under a key that lives only as long as one export."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def __call__(self, kind: str, value: str | int) -> str:
        return hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:20]


def _month(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return to_local(as_utc(moment)).strftime("%Y-%m")


def _counts(statement: sa.Select) -> dict[int, int]:
    return dict(db.session.execute(statement).all())


def rows(scope: Scope) -> Iterator[list[Any]]:
    pseudonym = Pseudonyms()
    ids = list(db.session.scalars(scope.case_ids().order_by(Case.id)))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        yield from _batch_rows(batch, pseudonym, until=scope.until)


def _households(client_ids: set[int], today) -> dict[int, tuple[int, int]]:
    """Per client: how many live in their current household (them included) and how many of
    those are children. Counts only: nobody in it is named or described."""
    current = dict(
        db.session.execute(
            sa.select(HouseholdMember.client_id, HouseholdMember.household_id)
            .where(HouseholdMember.client_id.in_(client_ids), HouseholdMember.left_on.is_(None))
            .order_by(HouseholdMember.id)
        ).all()
    )
    if not current:
        return {}
    households = set(current.values())
    size = _counts(
        sa.select(HouseholdMember.household_id, sa.func.count())
        .where(HouseholdMember.household_id.in_(households), living_there())
        .group_by(HouseholdMember.household_id)
    )
    children = _counts(
        sa.select(HouseholdMember.household_id, sa.func.count())
        .where(HouseholdMember.household_id.in_(households), living_there(), is_child(today))
        .group_by(HouseholdMember.household_id)
    )
    return {
        client_id: (size.get(household, 0), children.get(household, 0))
        for client_id, household in current.items()
    }


def _batch_rows(ids: list[int], pseudonym: Pseudonyms, *, until) -> Iterator[list[Any]]:
    cases = db.session.execute(
        sa.select(
            Case.id,
            Case.client_id,
            Client.persistent_id,
            Program.name,
            Case.model,
            Case.risk_level,
            Case.phase,
            Intake.source,
            Case.opened_at,
            Case.closed_at,
            Case.closure_reason,
        )
        .join(Client, Client.id == Case.client_id)
        .join(Program, Program.id == Case.program_id)
        .outerjoin(Intake, Intake.case_id == Case.id)
        .where(Case.id.in_(ids))
        .order_by(Case.id)
    ).all()
    contacts = _counts(
        sa.select(ContactLog.case_id, sa.func.count())
        .where(ContactLog.case_id.in_(ids))
        .group_by(ContactLog.case_id)
    )
    sent = _counts(
        sa.select(Referral.case_id, sa.func.count())
        .where(Referral.case_id.in_(ids))
        .group_by(Referral.case_id)
    )
    connected = _referrals_reaching(ids, [ReferralStatus.CONNECTED, ReferralStatus.COMPLETED])
    completed = _referrals_reaching(ids, [ReferralStatus.COMPLETED])
    goals: dict[tuple[int, GoalStatus], int] = {
        (case_id, status): count
        for case_id, status, count in db.session.execute(
            sa.select(ServicePlan.case_id, Goal.status, sa.func.count())
            .join(Goal, Goal.plan_id == ServicePlan.id)
            .where(ServicePlan.case_id.in_(ids))
            .group_by(ServicePlan.case_id, Goal.status)
        )
    }
    households = _households({row.client_id for row in cases}, until)
    baseline: dict[tuple[int, LifeDomain], int] = {}
    latest: dict[tuple[int, LifeDomain], int] = {}
    for case_id, kind, domain, score in db.session.execute(
        sa.select(
            Assessment.case_id, Assessment.kind, AssessmentScore.domain, AssessmentScore.score
        )
        .join(AssessmentScore, AssessmentScore.assessment_id == Assessment.id)
        .where(Assessment.case_id.in_(ids), Assessment.assessed_on <= until)
        .order_by(Assessment.case_id, Assessment.assessed_on, Assessment.id)
    ):
        if kind == AssessmentKind.BASELINE:
            baseline.setdefault((case_id, domain), score)
        elif (case_id, domain) in baseline:
            latest[(case_id, domain)] = score
    for (
        case_id,
        client_id,
        persistent_id,
        program,
        model,
        risk,
        phase,
        source,
        opened_at,
        closed_at,
        reason,
    ) in cases:
        days_open = ""
        if closed_at is not None:
            days_open = (as_utc(closed_at) - as_utc(opened_at)).days
        yield [
            pseudonym("client", persistent_id),
            pseudonym("case", case_id),
            program,
            model.value,
            risk.value,
            phase.value,
            source.value if source else "",
            _month(opened_at),
            _month(closed_at),
            days_open,
            reason or "",
            contacts.get(case_id, 0),
            sent.get(case_id, 0),
            connected.get(case_id, 0),
            completed.get(case_id, 0),
            *(goals.get((case_id, status), 0) for status in GOAL_COLUMNS),
            goals.get((case_id, GoalStatus.IN_PROGRESS), 0)
            + goals.get((case_id, GoalStatus.NOT_STARTED), 0),
            *households.get(client_id, ("", "")),
            *(
                value
                for domain in LifeDomain
                for value in (
                    baseline.get((case_id, domain), ""),
                    latest.get((case_id, domain), ""),
                )
            ),
        ]


def _referrals_reaching(ids: list[int], statuses: list[ReferralStatus]) -> dict[int, int]:
    """Per case: referrals with a confirmed step in `statuses` at any time (whatever they are
    now)."""
    return _counts(
        sa.select(Referral.case_id, sa.func.count(sa.distinct(ReferralStatusChange.referral_id)))
        .join(ReferralStatusChange, ReferralStatusChange.referral_id == Referral.id)
        .where(Referral.case_id.in_(ids), ReferralStatusChange.status.in_(statuses))
        .group_by(Referral.case_id)
    )
