"""A client's households and network as the viewer may see them (issue 19).

A household is seen through a client the viewer may see. Its members who are clients are listed
only when the viewer may see them too (`visibility.visible_client_ids`): a household that links a
client known only through a restricted case names nothing of them to anyone else, not even a
count. Relationships follow the client whose network they are; one naming a client the viewer
cannot see is left out whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    Case,
    Client,
    ClientRelationship,
    Consent,
    ConsentScope,
    Household,
    HouseholdMember,
    RelationshipKind,
    User,
)
from webapp.queries.consents import consents_seen_through
from webapp.queries.visibility import visible_client_ids


@dataclass(frozen=True)
class HouseholdView:
    household: Household
    # The client's own membership: its dates, and whether they are the contact person.
    membership: HouseholdMember
    # Everyone else in it the viewer may see, those who live there now first.
    members: list[HouseholdMember]


def _member_seen(user: User) -> sa.ColumnElement[bool]:
    if user.is_admin:
        return sa.true()
    return sa.or_(
        HouseholdMember.client_id.is_(None),
        HouseholdMember.client_id.in_(visible_client_ids(user)),
    )


def households_of(user: User, client: Client) -> list[HouseholdView]:
    """The households `client` belongs or belonged to, the current ones first."""
    memberships = db.session.scalars(
        sa.select(HouseholdMember)
        .where(HouseholdMember.client_id == client.id)
        .order_by(HouseholdMember.left_on.is_not(None), HouseholdMember.id.desc())
    ).all()
    views = []
    for membership in memberships:
        others = db.session.scalars(
            sa.select(HouseholdMember)
            .where(
                HouseholdMember.household_id == membership.household_id,
                HouseholdMember.id != membership.id,
                _member_seen(user),
            )
            .order_by(HouseholdMember.left_on.is_not(None), HouseholdMember.id)
        ).all()
        views.append(HouseholdView(membership.household, membership, list(others)))
    return views


def visible_member(user: User, member: HouseholdMember) -> bool:
    """One member: someone who is not a client, or a client the viewer may see."""
    if member.client_id is None or user.is_admin:
        return True
    return (
        db.session.scalar(
            sa.select(sa.literal(True)).where(HouseholdMember.id == member.id, _member_seen(user))
        )
        is True
    )


def _relationship_seen(user: User) -> sa.ColumnElement[bool]:
    if user.is_admin:
        return sa.true()
    return sa.or_(
        ClientRelationship.other_client_id.is_(None),
        ClientRelationship.other_client_id.in_(visible_client_ids(user)),
    )


def network_of(user: User, client: Client) -> list[ClientRelationship]:
    """The people in `client`'s network the viewer may see, those who still are first."""
    return list(
        db.session.scalars(
            sa.select(ClientRelationship)
            .where(ClientRelationship.client_id == client.id, _relationship_seen(user))
            .order_by(ClientRelationship.ended_on.is_not(None), ClientRelationship.id)
        )
    )


def visible_relationship(user: User, relationship: ClientRelationship) -> bool:
    if user.is_admin:
        return True
    return (
        db.session.scalar(
            sa.select(sa.literal(True)).where(
                ClientRelationship.id == relationship.id, _relationship_seen(user)
            )
        )
        is True
    )


def contact_consent(client: Client, visible_cases: list[Case], today: date) -> Consent | None:
    """The client's consent in force to let the worker talk with people close to them about
    them, among the consents the viewer may see: what every "can be contacted" flag relies on."""
    in_force = [
        consent
        for consent in consents_seen_through(client, visible_cases)
        if consent.scope == ConsentScope.CONTACT_NETWORK and consent.is_in_force(today)
    ]
    return max(in_force, key=lambda consent: consent.given_at, default=None)


@dataclass(frozen=True)
class Person:
    """Someone a plan task may name as its support, or a collateral contact was with."""

    name: str
    relationship: RelationshipKind | None


def people_of(user: User, client: Client) -> list[Person]:
    """The client's household members and network, by name, for the forms' suggestions."""
    people: list[Person] = []
    for view in households_of(user, client):
        if not view.membership.is_current:
            continue
        for member in view.members:
            if member.is_current:
                name = member.client.preferred_name if member.client else member.name
                people.append(Person(name, member.relationship))
    for relationship in network_of(user, client):
        if relationship.ended_on is None:
            name = (
                relationship.other_client.preferred_name
                if relationship.other_client
                else relationship.name
            )
            people.append(Person(name, relationship.kind))
    return people


def member_name(member: HouseholdMember) -> str:
    return member.client.preferred_name if member.client else member.name


def _years_before(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def is_child(today: date) -> sa.ColumnElement[bool]:
    """A WHERE clause over `HouseholdMember`: someone under 18 — by the year of birth given for
    someone who is not a client, by a client's own birth date or year, or, with no age known,
    the contact person's child."""
    year = today.year - 18
    young_clients = sa.select(Client.id).where(
        sa.or_(
            Client.date_of_birth > _years_before(today, 18),
            sa.and_(Client.date_of_birth.is_(None), Client.estimated_birth_year > year),
        )
    )
    ageless_clients = sa.select(Client.id).where(
        Client.date_of_birth.is_(None), Client.estimated_birth_year.is_(None)
    )
    return sa.or_(
        sa.and_(HouseholdMember.client_id.is_(None), HouseholdMember.birth_year > year),
        HouseholdMember.client_id.in_(young_clients),
        sa.and_(
            HouseholdMember.relationship == RelationshipKind.CHILD,
            sa.or_(
                sa.and_(HouseholdMember.client_id.is_(None), HouseholdMember.birth_year.is_(None)),
                HouseholdMember.client_id.in_(ageless_clients),
            ),
        ),
    )


def living_there() -> sa.ColumnElement[bool]:
    """Members who live in the household now."""
    return sa.and_(HouseholdMember.left_on.is_(None), HouseholdMember.lives_there)


def clients_in_households_with_children(today: date) -> sa.Select:
    """The ids of clients who belong now to a household where a child lives: what reports can
    be narrowed to."""
    with_a_child = sa.select(HouseholdMember.household_id).where(living_there(), is_child(today))
    return sa.select(HouseholdMember.client_id).where(
        HouseholdMember.client_id.is_not(None),
        HouseholdMember.left_on.is_(None),
        HouseholdMember.household_id.in_(with_a_child),
    )
