"""Quick intake: the first contact's record, in one step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Case, Client, ConsentMethod, ConsentScope, HouseholdMember, Program, User
from webapp.services import cases, clients, hud, network
from webapp.timeutil import to_local


@dataclass(frozen=True)
class IntakeTaken:
    case: Case
    # Set when the ID the phone made offline could not be used and the client got another.
    client_id_reissue: clients.ClientIdReissue | None = None


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
    hud_details: hud.HudDetails | None = None,
    hmis_consent: bool = False,
) -> IntakeTaken:
    """Create the client (or take the known one), record consent, and open a case with its
    intake, the worker as its primary worker and the first follow-up planned.

    `phone_made_id` is the client ID a phone made for a new client offline; whether it is kept
    or re-issued is in the answer. People who live with the client (`household_members`) make a
    household with the client as its contact person, named `household_name` or else after the
    client.

    A program that asks HUD's data elements keeps `hud_details` for the case, and, when the client
    agreed (`hmis_consent`), their consent to share with the HMIS; other programs ignore both."""
    if (new_client is None) == (existing_client is None):
        raise ValueError("give either a new client's details or an existing client")
    reissue = None
    if existing_client is not None:
        client = existing_client
    else:
        client, reissue = clients.create_client_with_phone_made_id(
            new_client, created_by=worker, phone_made_id=phone_made_id
        )
    case = cases.open_case(
        client,
        program,
        created_by=worker,
        primary_worker=worker,
        intake=intake,
        next_follow_up_on=next_follow_up_on,
    )
    clients.record_consent(
        client,
        scope=ConsentScope.DATA_COLLECTION,
        method=consent_method,
        recorded_by=worker,
        case=case,
    )
    if program.hud_elements:
        if hud_details is not None:
            hud.record_answers(case, hud_details, recorded_by=worker)
        if hmis_consent:
            clients.record_consent(
                client,
                scope=ConsentScope.HMIS_SHARING,
                method=consent_method,
                recorded_by=worker,
                case=case,
            )
    if household_members:
        today = to_local(case.opened_at).date()
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
    return IntakeTaken(case=case, client_id_reissue=reissue)
