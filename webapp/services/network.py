"""Households and the client's network: adding people, correcting them, moving out (issue 19).

A "can be contacted about them" flag is set only while the client's consent to contact their
network is in force (`queries.network.contact_consent`); the page shows which consent it relies
on, and that it no longer holds once the consent ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from webapp.extensions import db
from webapp.models import (
    AuditAction,
    Client,
    ClientRelationship,
    Household,
    HouseholdMember,
    RelationshipKind,
    User,
)
from webapp.queries.network import contact_consent
from webapp.queries.visibility import visible_cases_of
from webapp.services import audit
from webapp.text import Phrase, clean_line


class NetworkError(ValueError):
    """A change to a household or network that cannot be made; the message says why."""


NO_CONSENT = Phrase(
    "They have not agreed to us talking with people close to them: record that consent first."
)


@dataclass
class MemberDetails:
    """A household member: a client (`client`) or someone who is not (`name`)."""

    name: str = ""
    client: Client | None = None
    relationship: RelationshipKind | None = None
    birth_year: int | None = None
    lives_there: bool = True
    can_contact: bool = False
    joined_on: date | None = None


@dataclass
class RelationshipDetails:
    kind: RelationshipKind
    name: str = ""
    other_client: Client | None = None
    how_to_reach: str = ""
    can_contact: bool = False
    ended_on: date | None = None


def _check_consent(client: Client, user: User, today: date, wanted: bool, had: bool) -> None:
    if (
        wanted
        and not had
        and contact_consent(client, visible_cases_of(user, client), today) is None
    ):
        raise NetworkError(NO_CONSENT)


def create_household(
    client: Client, *, name: str, created_by: User, joined_on: date | None = None
) -> Household:
    """A new household with `client` as its contact person."""
    name = clean_line(name)
    if not name:
        raise NetworkError(Phrase("Give the household a name or an address line."))
    household = Household(name=name, created_by_id=created_by.id)
    db.session.add(household)
    db.session.flush()
    audit.record(AuditAction.CREATE, "household", household.id, user=created_by)
    db.session.add(
        HouseholdMember(
            household=household,
            client_id=client.id,
            is_contact=True,
            joined_on=joined_on,
            created_by_id=created_by.id,
        )
    )
    db.session.flush()
    return household


def rename_household(household: Household, *, name: str, changed_by: User) -> None:
    name = clean_line(name)
    if not name:
        raise NetworkError(Phrase("Give the household a name or an address line."))
    household.name = name
    db.session.flush()
    audit.record(AuditAction.UPDATE, "household", household.id, user=changed_by)


def add_member(
    household: Household,
    details: MemberDetails,
    *,
    through: Client,
    added_by: User,
    today: date,
) -> HouseholdMember:
    """Add someone to a household. `through` is the client on whose record it is done: a
    "can be contacted" flag relies on their consent."""
    name = clean_line(details.name)
    if details.client is None and not name:
        raise NetworkError(Phrase("A name, or the client ID of someone who is a client."))
    if details.client is not None and any(
        member.client_id == details.client.id and member.is_current for member in household.members
    ):
        raise NetworkError(Phrase("They are already in this household."))
    _check_consent(through, added_by, today, details.can_contact, had=False)
    member = HouseholdMember(
        household=household,
        client_id=details.client.id if details.client else None,
        name="" if details.client else name,
        relationship=details.relationship,
        birth_year=None if details.client else details.birth_year,
        lives_there=details.lives_there,
        can_contact=details.can_contact,
        joined_on=details.joined_on,
        created_by_id=added_by.id,
    )
    db.session.add(member)
    db.session.flush()
    audit.record(AuditAction.CREATE, "household_member", member.id, user=added_by)
    return member


def update_member(
    member: HouseholdMember,
    details: MemberDetails,
    *,
    through: Client,
    changed_by: User,
    today: date,
    left_on: date | None = None,
) -> None:
    """Correct a member, or say they moved out (`left_on`): the membership stays, with dates."""
    name = clean_line(details.name)
    if member.client_id is None and not name:
        raise NetworkError(Phrase("A name is needed for someone who is not a client."))
    if left_on is not None and member.joined_on is not None and left_on < member.joined_on:
        raise NetworkError(Phrase("They cannot have moved out before they moved in."))
    _check_consent(through, changed_by, today, details.can_contact, had=member.can_contact)
    if member.client_id is None:
        member.name = name
        member.birth_year = details.birth_year
    member.relationship = None if member.is_contact else details.relationship
    member.lives_there = details.lives_there
    member.can_contact = details.can_contact
    member.joined_on = details.joined_on
    member.left_on = left_on
    db.session.flush()
    audit.record(AuditAction.UPDATE, "household_member", member.id, user=changed_by)


def add_relationship(
    client: Client, details: RelationshipDetails, *, added_by: User, today: date
) -> ClientRelationship:
    name = clean_line(details.name)
    if details.other_client is None and not name:
        raise NetworkError(Phrase("A name, or the client ID of someone who is a client."))
    if details.other_client is not None and details.other_client.id == client.id:
        raise NetworkError(Phrase("Someone else: this is the client themself."))
    _check_consent(client, added_by, today, details.can_contact, had=False)
    relationship = ClientRelationship(
        client_id=client.id,
        kind=details.kind,
        other_client_id=details.other_client.id if details.other_client else None,
        name="" if details.other_client else name,
        how_to_reach=clean_line(details.how_to_reach),
        can_contact=details.can_contact,
        ended_on=details.ended_on,
        created_by_id=added_by.id,
    )
    db.session.add(relationship)
    db.session.flush()
    audit.record(AuditAction.CREATE, "client_relationship", relationship.id, user=added_by)
    return relationship


def update_relationship(
    relationship: ClientRelationship,
    details: RelationshipDetails,
    *,
    changed_by: User,
    today: date,
) -> None:
    name = clean_line(details.name)
    if relationship.other_client_id is None and not name:
        raise NetworkError(Phrase("A name is needed for someone who is not a client."))
    _check_consent(
        relationship.client, changed_by, today, details.can_contact, had=relationship.can_contact
    )
    if relationship.other_client_id is None:
        relationship.name = name
    relationship.kind = details.kind
    relationship.how_to_reach = clean_line(details.how_to_reach)
    relationship.can_contact = details.can_contact
    relationship.ended_on = details.ended_on
    db.session.flush()
    audit.record(AuditAction.UPDATE, "client_relationship", relationship.id, user=changed_by)
