"""Who a retention policy would anonymise: clients every one of whose cases, in every program of
the agency, closed longer ago than its program keeps closed cases, with no legal hold and nothing
still waiting on them (a self-intake, a referral between programs)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp import client_ids as ids
from webapp.extensions import db
from webapp.models import (
    Case,
    Client,
    Document,
    IntakeScreening,
    InternalReferral,
    InternalReferralStatus,
    Invitation,
    LegalHold,
    Program,
    ScreeningOutcome,
    SelfIntakeSubmission,
    SubmissionStatus,
)


def hold_in_force(client: Client) -> LegalHold | None:
    """The legal hold that keeps this record, if any."""
    return db.session.scalar(
        sa.select(LegalHold)
        .where(LegalHold.client_id == client.id, LegalHold.lifted_at.is_(None))
        .order_by(LegalHold.placed_at.desc())
        .limit(1)
    )


Policy = dict[str, int]  # program id (as text, as JSON keeps it) → years closed cases are kept


def current_policy() -> Policy:
    """Every program that deletes: its id and years. A program without a policy keeps forever."""
    rows = db.session.execute(
        sa.select(Program.id, Program.retention_years).where(Program.retention_years.is_not(None))
    )
    return {str(program_id): years for program_id, years in rows}


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def cutoff(as_of: date, years: int) -> datetime:
    """A case closed before this moment has been kept `years` by `as_of`."""
    start = years_before(as_of, years)
    return datetime(start.year, start.month, start.day, tzinfo=UTC)


def _expired(case: type[Case], policy: Policy, as_of: date) -> sa.ColumnElement[bool]:
    """A case closed longer ago than its program keeps closed cases."""
    if not policy:
        return sa.false()
    return sa.and_(
        case.closed_at.is_not(None),
        sa.or_(
            *(
                sa.and_(case.program_id == int(program_id), case.closed_at < cutoff(as_of, years))
                for program_id, years in policy.items()
            )
        ),
    )


def eligible(policy: Policy, as_of: date, now: datetime) -> sa.ColumnElement[bool]:
    """The clause on `Client`: may this record be anonymised under `policy` on `as_of`."""
    merged = so.aliased(Client)
    merged_ids = sa.select(merged.id).where(merged.merged_into_id == Client.id)
    # Its own name: a report joins `Case` itself, and these must not correlate to it.
    case = so.aliased(Case)
    case_of_client = case.client_id == Client.id
    client_case_ids = sa.select(case.id).where(case_of_client)
    return sa.and_(
        Client.merged_into_id.is_(None),
        Client.anonymised_at.is_(None),
        sa.exists().where(case_of_client),
        ~sa.exists().where(case_of_client, ~_expired(case, policy, as_of)),
        ~sa.exists().where(
            LegalHold.lifted_at.is_(None),
            sa.or_(LegalHold.client_id == Client.id, LegalHold.client_id.in_(merged_ids)),
        ),
        ~sa.exists().where(
            InternalReferral.status == InternalReferralStatus.PENDING,
            InternalReferral.from_case_id.in_(client_case_ids),
        ),
        ~sa.exists().where(
            Invitation.client_id == Client.id,
            Invitation.submitted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        ),
        # Someone waiting for a place in a program is being served, whatever their old cases.
        ~sa.exists().where(
            IntakeScreening.outcome == ScreeningOutcome.WAITING,
            sa.or_(
                IntakeScreening.client_id == Client.id,
                IntakeScreening.client_id.in_(merged_ids),
            ),
        ),
        ~sa.exists().where(
            SelfIntakeSubmission.status == SubmissionStatus.PENDING,
            SelfIntakeSubmission.invitation_id.in_(
                sa.select(Invitation.id).where(Invitation.client_id == Client.id)
            ),
        ),
    )


@dataclass(frozen=True)
class Found:
    """What a report shows of one client: the ID, never a name."""

    client_id: int
    display_id: str
    cases: int
    last_closed: datetime


@dataclass(frozen=True)
class Report:
    policy: Policy
    as_of: date
    clients: list[Found]
    # Closed cases that would lose their client's details, by program name.
    cases_by_program: dict[str, int]

    @property
    def digest(self) -> str:
        return digest(self.policy, self.as_of, [found.client_id for found in self.clients])


def digest(policy: Policy, as_of: date, client_ids: list[int]) -> str:
    body = json.dumps(
        {"policy": policy, "as_of": as_of.isoformat(), "clients": sorted(client_ids)},
        sort_keys=True,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def report(policy: Policy, as_of: date, now: datetime) -> Report:
    rows = db.session.execute(
        sa.select(
            Client.id, Client.persistent_id, sa.func.count(Case.id), sa.func.max(Case.closed_at)
        )
        .join(Case, Case.client_id == Client.id)
        .where(eligible(policy, as_of, now))
        .group_by(Client.id, Client.persistent_id)
        .order_by(Client.id)
    ).all()
    found = [
        Found(client_id, ids.display(persistent_id), count, last)
        for client_id, persistent_id, count, last in rows
    ]
    by_program = dict(
        db.session.execute(
            sa.select(Program.name, sa.func.count(Case.id))
            .join(Case, Case.program_id == Program.id)
            .join(Client, Client.id == Case.client_id)
            .where(eligible(policy, as_of, now))
            .group_by(Program.name)
            .order_by(Program.name)
        ).all()
    )
    return Report(policy, as_of, found, by_program)


def still_eligible(client_ids: list[int], policy: Policy, as_of: date, now: datetime) -> list[int]:
    """Of these clients, those who qualify now (a case opened or a hold placed since the report
    takes them out)."""
    return list(
        db.session.scalars(
            sa.select(Client.id)
            .where(Client.id.in_(client_ids), eligible(policy, as_of, now))
            .order_by(Client.id)
        )
    )


def removed_files(client_ids: list[int]) -> list[str]:
    """The stored names of the deleted documents of these clients: the files anonymising them
    removes once their batch is committed (again on a restart: removing is idempotent)."""
    return list(
        db.session.scalars(
            sa.select(Document.stored_name).where(
                Document.client_id.in_(client_ids), Document.deleted_at.is_not(None)
            )
        )
    )
