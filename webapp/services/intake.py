"""Quick intake: the first contact's record, in one step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    Case,
    Client,
    ConsentMethod,
    ConsentScope,
    HouseholdMember,
    IntakeScreening,
    Program,
    ScreeningOutcome,
    User,
    utcnow,
)
from webapp.queries.intake_rules import Evaluation
from webapp.services import cases, clients, intake_rules, network
from webapp.timeutil import to_local


@dataclass(frozen=True)
class Screened:
    """The program's questions answered at intake, and whether the program is full."""

    evaluation: Evaluation
    full: bool
    referred_to: str = ""

    @property
    def outcome(self) -> ScreeningOutcome:
        if not self.evaluation.qualified:
            return ScreeningOutcome.NOT_ELIGIBLE
        return ScreeningOutcome.WAITING if self.full else ScreeningOutcome.OPENED


@dataclass(frozen=True)
class IntakeTaken:
    client: Client
    # The case opened; None when the person did not qualify or waits on the program's list.
    case: Case | None
    # Set when the ID the phone made offline could not be used and the client got another.
    client_id_reissue: clients.ClientIdReissue | None = None
    screening: IntakeScreening | None = None


def take_intake(
    *,
    worker: User,
    program: Program,
    intake: cases.IntakeDetails,
    consent_method: ConsentMethod,
    next_follow_up_on: date | None,
    new_client: clients.ClientDetails | None = None,
    existing_client: Client | None = None,
    phone_made_id: str | None = None,
    household_name: str = "",
    household_members: Sequence[network.MemberDetails] = (),
    screened: Screened | None = None,
) -> IntakeTaken:
    """Create the client (or take the known one), record consent, and open a case with its
    intake, the worker as its primary worker and the first follow-up planned.

    `phone_made_id` is the client ID a phone made for a new client offline; whether it is kept
    or re-issued is in the answer. People who live with the client (`household_members`) make a
    household with the client as its contact person, named `household_name` or else after the
    client.

    With the program's questions answered (`screened`), someone who does not qualify is recorded
    with the reason and no case, and someone who qualifies for a full program waits on its list
    (no case until taken off it); consent is recorded either way."""
    if (new_client is None) == (existing_client is None):
        raise ValueError("give either a new client's details or an existing client")
    reissue = None
    if existing_client is not None:
        client = existing_client
    else:
        client, reissue = clients.create_client_with_phone_made_id(
            new_client, created_by=worker, phone_made_id=phone_made_id
        )
    today = to_local(utcnow()).date()
    outcome = screened.outcome if screened is not None else ScreeningOutcome.OPENED
    case = None
    if outcome == ScreeningOutcome.OPENED:
        case = cases.open_case(
            client,
            program,
            created_by=worker,
            primary_worker=worker,
            intake=intake,
            next_follow_up_on=next_follow_up_on,
        )
    consent = clients.record_consent(
        client,
        scope=ConsentScope.DATA_COLLECTION,
        method=consent_method,
        recorded_by=worker,
        case=case,
    )
    screening = None
    if screened is not None and (screened.evaluation.answers or case is None):
        screening = intake_rules.record_screening(
            program=program,
            client=client,
            evaluation=screened.evaluation,
            outcome=outcome,
            screened_by=worker,
            today=today,
            referred_to=screened.referred_to,
            intake=intake,
            consent=consent,
            case=case,
            next_check_in_on=next_follow_up_on,
        )
    if household_members:
        # A known client's current household takes them; otherwise a new one is made.
        current = db.session.scalar(
            sa.select(HouseholdMember)
            .where(HouseholdMember.client_id == client.id, HouseholdMember.left_on.is_(None))
            .order_by(HouseholdMember.id.desc())
            .limit(1)
        )
        household = (
            current.household
            if current is not None
            else network.create_household(
                client,
                name=household_name.strip() or client.preferred_name,
                created_by=worker,
                joined_on=None,
            )
        )
        for member in household_members:
            network.add_member(household, member, through=client, added_by=worker, today=today)
    return IntakeTaken(client=client, case=case, client_id_reissue=reissue, screening=screening)
