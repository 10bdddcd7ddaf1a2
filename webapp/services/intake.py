"""Quick intake: the first contact's record, in one step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
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
    RelationshipKind,
    ScreeningOutcome,
    User,
    utcnow,
)
from webapp.queries.intake_rules import Evaluation
from webapp.services import cases, clients, hud, intake_rules, network
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
class MemberWhoIsAClient:
    """Someone who lives with the client and becomes a client with the same intake."""

    name: str
    relationship: RelationshipKind | None = None
    birth_year: int | None = None
    phone_made_id: str | None = None


@dataclass(frozen=True)
class IntakeTaken:
    client: Client
    # The case opened; None when the person did not qualify or waits on the program's list.
    case: Case | None
    # Set when the ID the phone made offline could not be used and the client got another.
    client_id_reissue: clients.ClientIdReissue | None = None
    screening: IntakeScreening | None = None
    # The cases opened for people who live with the client and became clients, in row order.
    member_cases: list[Case] = field(default_factory=list)
    # Their IDs re-issued, as the client's: the phone rewrites what it queued under them.
    member_reissues: list[clients.ClientIdReissue] = field(default_factory=list)


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
    member_clients: Sequence[MemberWhoIsAClient] = (),
    hud_details: hud.HudDetails | None = None,
    hmis_consent: bool = False,
) -> IntakeTaken:
    """Create the client (or take the known one), record consent, and open a case with its
    intake, the worker as its primary worker and the first follow-up planned.

    `phone_made_id` is the client ID a phone made for a new client offline; whether it is kept
    or re-issued is in the answer. People who live with the client (`household_members`) make a
    household with the client as its contact person, named `household_name` or else after the
    client. Those of them who become clients (`member_clients`) get their own record (under the
    ID their row's phone made, or another), consent recorded as the client's was, and a case in
    the same program with the same worker and first follow-up; they join the household as
    clients. They come only with a case opened now (the route refuses them otherwise).

    With the program's questions answered (`screened`), someone who does not qualify is recorded
    with the reason and no case, and someone who qualifies for a full program waits on its list
    (no case until taken off it); consent is recorded either way.

    A program that asks HUD's data elements keeps `hud_details` for the case (for someone waiting,
    with their kept intake, saved on the case when they come off the list; for someone who does
    not qualify, not at all: there is no enrollment to report), and, when the client agreed
    (`hmis_consent`), their consent to share with the HMIS; other programs ignore both."""
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
    if program.hud_elements:
        if hud_details is not None and case is not None:
            hud.record_answers(case, hud_details, recorded_by=worker)
        elif hud_details is not None and screening is not None and screening.qualified:
            hud.validate(hud_details)
            screening.intake = {**(screening.intake or {}), "hud": hud.as_kept(hud_details)}
        if hmis_consent:
            clients.record_consent(
                client,
                scope=ConsentScope.HMIS_SHARING,
                method=consent_method,
                recorded_by=worker,
                case=case,
            )
    if member_clients and case is None:
        raise ValueError("people who live with the client become clients only with a case")
    member_cases: list[Case] = []
    member_reissues: list[clients.ClientIdReissue] = []
    joining = list(household_members)
    for member in member_clients:
        member_client, member_reissue = clients.create_client_with_phone_made_id(
            clients.ClientDetails(
                preferred_name=member.name, estimated_birth_year=member.birth_year
            ),
            created_by=worker,
            phone_made_id=member.phone_made_id,
        )
        if member_reissue is not None:
            member_reissues.append(member_reissue)
        member_case = cases.open_case(
            member_client,
            program,
            created_by=worker,
            primary_worker=worker,
            intake=cases.IntakeDetails(),
            next_follow_up_on=next_follow_up_on,
        )
        clients.record_consent(
            member_client,
            scope=ConsentScope.DATA_COLLECTION,
            method=consent_method,
            recorded_by=worker,
            case=member_case,
        )
        member_cases.append(member_case)
        joining.append(
            network.MemberDetails(client=member_client, relationship=member.relationship)
        )
    if joining:
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
        for member in joining:
            network.add_member(household, member, through=client, added_by=worker, today=today)
    return IntakeTaken(
        client=client,
        case=case,
        client_id_reissue=reissue,
        screening=screening,
        member_cases=member_cases,
        member_reissues=member_reissues,
    )
