"""Named supports who carry plan tasks, and collateral contacts with someone in the client's
network (issue 19): both on the case and in the client's timeline."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.lifecycle import add_goal, assess
from webapp.extensions import db
from webapp.forms.cases import local_now
from webapp.models import (
    Case,
    ContactLog,
    ContactType,
    PlanTask,
    RelationshipKind,
    Role,
    TaskOwner,
    User,
)
from webapp.services import network
from webapp.timeutil import local_today


@dataclass(frozen=True)
class Setup:
    ana: User
    case: Case
    hidden: Case


@pytest.fixture
def setup(make_program, make_user, make_case) -> Setup:
    program = make_program()
    ana = make_user(Role.CASE_MANAGER, [program])
    sam = make_user(Role.OUTREACH_WORKER, [program])
    case = make_case(program, ana, name="Brian")
    hidden = make_case(program, sam, name="Rhea Hidden", restricted=True)
    household = network.create_household(case.client, name="Apartment 3B", created_by=ana)
    network.add_member(
        household,
        network.MemberDetails(name="Denise", relationship=RelationshipKind.PARTNER),
        through=case.client,
        added_by=ana,
        today=local_today(),
    )
    network.add_relationship(
        case.client,
        network.RelationshipDetails(kind=RelationshipKind.LANDLORD, name="Mr Petrov"),
        added_by=ana,
        today=local_today(),
    )
    # Sam names Rhea (whom Ana may not see) in Brian's network.
    network.add_relationship(
        case.client,
        network.RelationshipDetails(kind=RelationshipKind.FRIEND, other_client=hidden.client),
        added_by=sam,
        today=local_today(),
    )
    assess(case, ana)
    db.session.commit()
    return Setup(ana, case, hidden)


def task_form(goal, **fields):
    data = {
        f"task{goal.id}-description": "Drive Brian to the clinic on Tuesdays",
        f"task{goal.id}-responsible": "support_person",
        f"task{goal.id}-support_person": "Denise",
    }
    data.update({f"task{goal.id}-{key}": value for key, value in fields.items()})
    return data


def test_a_plan_task_is_carried_by_a_named_support_person(as_user, setup):
    goal = add_goal(setup.case, setup.ana)
    db.session.commit()
    ana = as_user(setup.ana)
    plan = ana.get(f"/cases/{setup.case.id}/plan").get_data(as_text=True)
    # The client's people are offered by name; a client Ana may not see is not.
    assert '<option value="Denise">Partner</option>' in plan
    assert '<option value="Mr Petrov">Landlord</option>' in plan
    assert "Rhea" not in plan

    url = f"/cases/{setup.case.id}/plan/goals/{goal.id}/tasks"
    refused = ana.post(url, data=task_form(goal, support_person=""))
    assert refused.status_code == 422
    assert "Name the support person who carries it." in refused.get_data(as_text=True)
    assert ana.post(url, data=task_form(goal, support_person="x" * 201)).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(PlanTask.id))) == 0

    assert ana.post(url, data=task_form(goal)).status_code == 302
    task = db.session.scalar(sa.select(PlanTask))
    assert (task.responsible, task.support_person) == (TaskOwner.SUPPORT_PERSON, "Denise")
    plan = ana.get(f"/cases/{setup.case.id}/plan").get_data(as_text=True)
    assert "Denise (support person)" in plan
    page = ana.get(f"/clients/{setup.case.client.display_id}").get_data(as_text=True)
    assert "Task for Denise: Drive Brian to the clinic on Tuesdays" in page

    # A name typed for a task the client carries is not kept.
    ana.post(url, data=task_form(goal, responsible="client", description="Call the clinic"))
    other = db.session.scalar(sa.select(PlanTask).where(PlanTask.description == "Call the clinic"))
    assert other.support_person == ""


def contact_form(**overrides):
    data = {
        "occurred_at": (local_now() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
        "contact_type": "phone",
        "collateral_name": "Mr Petrov",
        "collateral_relationship": "landlord",
        "note": "Rent is paid up; the heating is fixed.",
    }
    data.update(overrides)
    return data


def test_a_collateral_contact_with_the_landlord(as_user, setup):
    ana = as_user(setup.ana)
    url = f"/cases/{setup.case.id}/contacts/new"
    form = ana.get(url).get_data(as_text=True)
    assert '<option value="Mr Petrov">Landlord</option>' in form and "Rhea" not in form
    assert ana.post(url, data=contact_form()).status_code == 302
    contact = db.session.scalar(sa.select(ContactLog))
    assert (contact.contact_type, contact.collateral_name, contact.collateral_relationship) == (
        ContactType.PHONE,
        "Mr Petrov",
        RelationshipKind.LANDLORD,
    )
    case_page = ana.get(f"/cases/{setup.case.id}").get_data(as_text=True)
    assert "Phone call: with Mr Petrov (landlord)" in case_page
    page = ana.get(f"/clients/{setup.case.client.display_id}").get_data(as_text=True)
    assert "Phone call with Mr Petrov (landlord)" in page


@pytest.mark.parametrize(
    "changes",
    [
        {"contact_type": "collateral", "collateral_name": ""},
        {"collateral_name": "", "collateral_relationship": "landlord"},
        {"collateral_relationship": "tenant"},
        {"collateral_name": "x" * 201},
    ],
)
def test_a_collateral_contact_says_who(as_user, setup, changes):
    response = as_user(setup.ana).post(
        f"/cases/{setup.case.id}/contacts/new", data=contact_form(**changes)
    )
    assert response.status_code == 422
    assert "Rent is paid up" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ContactLog.id))) == 0


def test_a_contact_with_the_client_names_nobody_else(as_user, setup):
    response = as_user(setup.ana).post(
        f"/cases/{setup.case.id}/contacts/new",
        data=contact_form(collateral_name="", collateral_relationship=""),
    )
    assert response.status_code == 302
    contact = db.session.scalar(sa.select(ContactLog))
    assert contact.collateral_name == "" and contact.collateral_relationship is None
