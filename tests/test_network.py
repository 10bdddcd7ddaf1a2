"""Households and the client's network (issue 19): the records, the pages that add and correct
them, who may see them across programs and restricted cases, and the consent a "can be contacted
about them" relies on."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import (
    AuditAction,
    AuditEvent,
    Case,
    ClientRelationship,
    ConsentMethod,
    ConsentScope,
    Household,
    HouseholdMember,
    Program,
    RelationshipKind,
    Role,
    User,
)
from webapp.services import clients, merge, network
from webapp.timeutil import local_today


@dataclass(frozen=True)
class Org:
    street: Program
    housing: Program
    sam: User
    ana: User
    boss: User
    maria: Case
    marco: Case
    hidden: Case
    elsewhere: Case


@pytest.fixture
def org(make_program, make_user, make_case) -> Org:
    street, housing = make_program("Street Outreach"), make_program("Housing First")
    boss = make_user(Role.SUPERVISOR, [street])
    sam = make_user(Role.OUTREACH_WORKER, [street], supervisor=boss)
    ana = make_user(Role.OUTREACH_WORKER, [street])
    housing_worker = make_user(Role.CASE_MANAGER, [housing])
    maria = make_case(street, ana, name="Maria Rivera")
    marco = make_case(street, ana, name="Marco Rivera")
    # Known only through a restricted case of Sam's: Ana may not see her.
    hidden = make_case(street, sam, name="Rhea Hidden", restricted=True)
    elsewhere = make_case(housing, housing_worker, name="Zed Elsewhere")
    return Org(street, housing, sam, ana, boss, maria, marco, hidden, elsewhere)


def page_of(case: Case) -> str:
    return f"/clients/{case.client.display_id}"


def household_for(org: Org, case: Case, by: User, name: str = "Rivera family") -> Household:
    household = network.create_household(case.client, name=name, created_by=by)
    db.session.commit()
    return household


def test_a_member_is_a_client_or_a_named_person_never_neither(org):
    household = household_for(org, org.maria, org.ana)
    db.session.add(HouseholdMember(household=household, relationship=RelationshipKind.CHILD))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.add(ClientRelationship(client_id=org.maria.client_id, kind=RelationshipKind.FRIEND))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_a_worker_adds_a_household_its_members_and_a_landlord(as_user, org):
    ana = as_user(org.ana)
    url = page_of(org.maria)
    assert ana.post(f"{url}/household/new", data={"name": ""}).status_code == 422
    assert ana.post(f"{url}/household/new", data={"name": "12 Elm Street"}).status_code == 302
    household = db.session.scalar(sa.select(Household))
    assert household.name == "12 Elm Street"
    [own] = household.members
    assert own.client_id == org.maria.client_id and own.is_contact

    new_member = f"{url}/household/{household.id}/members/new"
    kid = {"name": "Lucia", "relationship": "child", "age_or_year": "7", "lives_there": "y"}
    assert ana.post(new_member, data=kid).status_code == 302
    by_id = {
        "client_id": org.marco.client.display_id,
        "relationship": "partner",
        "lives_there": "y",
    }
    assert ana.post(new_member, data=by_id).status_code == 302
    landlord = {"kind": "landlord", "name": "Mr Okafor", "how_to_reach": "555-0100 evenings"}
    assert ana.post(f"{url}/network/new", data=landlord).status_code == 302

    db.session.expire_all()
    lucia = db.session.scalar(sa.select(HouseholdMember).where(HouseholdMember.name == "Lucia"))
    # A member who is not a client gets no persistent ID: a name and a year of birth.
    assert lucia.client_id is None and lucia.birth_year == local_today().year - 7
    page = ana.get(url).get_data(as_text=True)
    for words in ("12 Elm Street", "Lucia", "Child", "Marco Rivera", "Partner", "Mr Okafor"):
        assert words in page, words
    assert "Landlord" in page and "555-0100 evenings" in page
    assert "Not to be contacted about them" in page
    # Marco's own page shows the household too, through his membership.
    assert "12 Elm Street" in ana.get(page_of(org.marco)).get_data(as_text=True)
    actions = {
        (event.record_type, event.action)
        for event in db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.user_id == org.ana.id)
        )
    }
    assert ("household", AuditAction.CREATE) in actions
    assert ("household_member", AuditAction.CREATE) in actions
    assert ("client_relationship", AuditAction.CREATE) in actions


@pytest.mark.parametrize(
    "data, field_error",
    [
        ({"name": "Lucia", "age_or_year": "500"}, "An age from 0 to 120, or a year of birth."),
        ({"client_id": "not-an-id"}, "Not a client ID"),
        ({"name": "x" * 201}, "Field cannot be longer than 200 characters."),
        ({"name": "  "}, "A name, or the client ID of someone who is a client."),
        ({"name": "Lucia", "relationship": "cousin"}, "Not a valid choice."),
    ],
)
def test_bad_member_input_is_refused_beside_its_field(as_user, org, data, field_error):
    household = household_for(org, org.maria, org.ana)
    response = as_user(org.ana).post(
        f"{page_of(org.maria)}/household/{household.id}/members/new", data=data
    )
    assert response.status_code == 422
    assert field_error in response.get_data(as_text=True)
    assert len(db.session.get(Household, household.id).members) == 1


def test_an_id_the_worker_cannot_see_is_not_added_or_confirmed(as_user, org):
    household = household_for(org, org.maria, org.ana)
    ana = as_user(org.ana)
    for other in (org.hidden, org.elsewhere):
        response = ana.post(
            f"{page_of(org.maria)}/household/{household.id}/members/new",
            data={"client_id": other.client.display_id},
        )
        assert response.status_code == 422
        body = response.get_data(as_text=True)
        assert "No client you can see has this ID." in body
        assert other.client.preferred_name not in body
        response = ana.post(
            f"{page_of(org.maria)}/network/new",
            data={"kind": "friend", "client_id": other.client.display_id},
        )
        assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(ClientRelationship.id))) == 0


def test_a_household_linking_a_restricted_case_shows_nothing_of_it(as_user, org):
    """Sam (who may see Rhea's restricted case) puts Rhea and Maria in one household and names
    Rhea in Maria's network; Ana sees Maria's household and the rest of it, nothing of Rhea."""
    household = household_for(org, org.maria, org.ana)
    today = local_today()
    rhea = network.add_member(
        household,
        network.MemberDetails(client=org.hidden.client, relationship=RelationshipKind.SIBLING),
        through=org.maria.client,
        added_by=org.sam,
        today=today,
    )
    network.add_member(
        household,
        network.MemberDetails(name="Abuela Rosa", relationship=RelationshipKind.PARENT),
        through=org.maria.client,
        added_by=org.sam,
        today=today,
    )
    friend = network.add_relationship(
        org.maria.client,
        network.RelationshipDetails(kind=RelationshipKind.FRIEND, other_client=org.hidden.client),
        added_by=org.sam,
        today=today,
    )
    db.session.commit()

    ana = as_user(org.ana)
    page = ana.get(page_of(org.maria)).get_data(as_text=True)
    assert "Rivera family" in page and "Abuela Rosa" in page
    assert "Rhea" not in page and org.hidden.client.display_id not in page
    for url in (
        f"{page_of(org.maria)}/household/members/{rhea.id}/edit",
        f"{page_of(org.maria)}/network/{friend.id}/edit",
    ):
        assert ana.get(url).status_code == 404
        response = ana.post(url, data={"kind": "other", "name": "x"})
        assert response.status_code == 404 and "Rhea" not in response.get_data(as_text=True)

    # Sam, and Sam's supervisor, see her there.
    for user in (org.sam, org.boss):
        page = as_user(user).get(page_of(org.maria)).get_data(as_text=True)
        assert "Rhea Hidden" in page


def test_another_program_sees_no_household_or_network_page(as_user, org, make_user):
    household = household_for(org, org.maria, org.ana)
    member = network.add_member(
        household,
        network.MemberDetails(name="Lucia", relationship=RelationshipKind.CHILD),
        through=org.maria.client,
        added_by=org.ana,
        today=local_today(),
    )
    landlord = network.add_relationship(
        org.maria.client,
        network.RelationshipDetails(kind=RelationshipKind.LANDLORD, name="Mr Okafor"),
        added_by=org.ana,
        today=local_today(),
    )
    db.session.commit()
    outsider = as_user(make_user(Role.CASE_MANAGER, [org.housing]))
    base = page_of(org.maria)
    for url in (
        f"{base}/household/new",
        f"{base}/household/{household.id}/edit",
        f"{base}/household/{household.id}/members/new",
        f"{base}/household/members/{member.id}/edit",
        f"{base}/network/new",
        f"{base}/network/{landlord.id}/edit",
    ):
        for method in ("GET", "POST"):
            response = outsider.open(url, method=method, data={"name": "Changed"})
            assert response.status_code == 404, (method, url)
            assert "Maria" not in response.get_data(as_text=True)
    assert outsider.get("/clients/ZZZZ-ZZZZ-Z/network/new").status_code == 404
    db.session.expire_all()
    assert db.session.get(Household, household.id).name == "Rivera family"

    # Through another client's URL, Maria's records answer 404 too.
    ana = as_user(org.ana)
    other = page_of(org.marco)
    assert ana.get(f"{other}/household/members/{member.id}/edit").status_code == 404
    assert ana.get(f"{other}/network/{landlord.id}/edit").status_code == 404
    assert ana.get(f"{other}/household/{household.id}/edit").status_code == 404


def test_can_be_contacted_relies_on_a_consent_in_force(as_user, org):
    ana = as_user(org.ana)
    url = page_of(org.maria)
    landlord = {"kind": "landlord", "name": "Mr Okafor", "can_contact": "y"}
    refused = ana.post(f"{url}/network/new", data=landlord)
    assert refused.status_code == 422
    assert "record that consent first" in refused.get_data(as_text=True)
    assert 'value="Mr Okafor"' in refused.get_data(as_text=True)

    consent = clients.record_consent(
        org.maria.client,
        scope=ConsentScope.CONTACT_NETWORK,
        method=ConsentMethod.VERBAL,
        recorded_by=org.ana,
        case=org.maria,
        witness="Sam",
        expires_on=local_today() + timedelta(days=365),
    )
    db.session.commit()
    assert ana.post(f"{url}/network/new", data=landlord).status_code == 302
    page = ana.get(url).get_data(as_text=True)
    assert "Can be contacted about them" in page and "Relies on their consent" in page

    clients.revoke_consent(consent, revoked_by=org.ana, reason="Changed her mind")
    db.session.commit()
    page = ana.get(url).get_data(as_text=True)
    assert "Do not contact: no consent in force" in page


def test_a_person_who_moved_keeps_both_households_with_dates(as_user, org):
    first = household_for(org, org.marco, org.ana, name="Rivera family")
    ana = as_user(org.ana)
    own = first.members[0]
    moved = (local_today() - timedelta(days=3)).isoformat()
    response = ana.post(
        f"{page_of(org.marco)}/household/members/{own.id}/edit",
        data={"lives_there": "", "left_on": moved},
    )
    assert response.status_code == 302
    assert (
        ana.post(f"{page_of(org.marco)}/household/new", data={"name": "Shelter room 4"}).status_code
        == 302
    )
    db.session.expire_all()
    memberships = db.session.scalars(
        sa.select(HouseholdMember).where(HouseholdMember.client_id == org.marco.client_id)
    ).all()
    assert len(memberships) == 2
    assert {m.household.name: m.left_on is None for m in memberships} == {
        "Rivera family": False,
        "Shelter room 4": True,
    }
    page = ana.get(page_of(org.marco)).get_data(as_text=True)
    assert page.index("Shelter room 4") < page.index("Rivera family")
    assert "Moved out" in page

    future = (local_today() + timedelta(days=3)).isoformat()
    response = ana.post(
        f"{page_of(org.marco)}/household/members/{own.id}/edit", data={"left_on": future}
    )
    assert response.status_code == 422


def test_a_merge_moves_memberships_and_relationships_and_an_undo_puts_them_back(
    org, make_user, make_case
):
    admin = make_user(Role.ADMIN)
    duplicate = make_case(org.street, org.ana, name="Marco R")
    household = household_for(org, org.maria, org.ana)
    today = local_today()
    membership = network.add_member(
        household,
        network.MemberDetails(client=duplicate.client, relationship=RelationshipKind.PARTNER),
        through=org.maria.client,
        added_by=org.ana,
        today=today,
    )
    named = network.add_relationship(
        org.maria.client,
        network.RelationshipDetails(kind=RelationshipKind.PARTNER, other_client=duplicate.client),
        added_by=org.ana,
        today=today,
    )
    own = network.add_relationship(
        duplicate.client,
        network.RelationshipDetails(kind=RelationshipKind.LANDLORD, name="Mr Okafor"),
        added_by=org.ana,
        today=today,
    )
    db.session.commit()
    survivor_id, duplicate_id = org.marco.client_id, duplicate.client_id

    record = merge.merge_clients(
        org.marco.client, duplicate.client, take_from_merged=set(), merged_by=admin
    )
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(HouseholdMember, membership.id).client_id == survivor_id
    assert db.session.get(ClientRelationship, named.id).other_client_id == survivor_id
    assert db.session.get(ClientRelationship, own.id).client_id == survivor_id

    merge.undo_merge(db.session.get(type(record), record.id), undone_by=admin)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(HouseholdMember, membership.id).client_id == duplicate_id
    assert db.session.get(ClientRelationship, named.id).other_client_id == duplicate_id
    assert db.session.get(ClientRelationship, own.id).client_id == duplicate_id


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "Mr Okafor"}, "Choose a relationship."),
        ({"kind": "tenant", "name": "Mr Okafor"}, "Not a valid choice."),
        ({"kind": "landlord"}, "A name, or the client ID of someone who is a client."),
        ({"kind": "landlord", "client_id": "1234"}, "Not a client ID"),
        ({"kind": "landlord", "name": "Mr Okafor", "how_to_reach": "9" * 201}, "200 characters"),
        ({"kind": "landlord", "name": "Mr\x00 Okafor\u202e"}, None),
    ],
)
def test_bad_relationship_input_is_refused_beside_its_field(as_user, org, data, message):
    response = as_user(org.ana).post(f"{page_of(org.maria)}/network/new", data=data)
    if message is None:  # control characters are dropped as every form drops them
        assert response.status_code == 302
        assert db.session.scalar(sa.select(ClientRelationship.name)) == "Mr Okafor"
        return
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ClientRelationship.id))) == 0


def test_signed_out_visitors_are_sent_to_sign_in(client, org):
    for url in (f"{page_of(org.maria)}/household/new", f"{page_of(org.maria)}/network/new"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        assert client.post(url, data={"name": "x"}).status_code in (401, 302)
    assert db.session.scalar(sa.select(sa.func.count(Household.id))) == 0
