"""The service plan: measurable goals with dates, tasks, the client's agreement, links to
referrals."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.lifecycle import a_service, add_goal, agree, assess
from webapp.extensions import db
from webapp.models import (
    Case,
    Goal,
    GoalStatus,
    Phase,
    PlanTask,
    Program,
    Referral,
    Role,
    ServicePlan,
    User,
)
from webapp.timeutil import local_today


@dataclass(frozen=True)
class Setup:
    program: Program
    ana: User
    case: Case


@pytest.fixture
def setup(make_program, make_user, make_case) -> Setup:
    program = make_program()
    ana = make_user(Role.CASE_MANAGER, [program])
    case = make_case(program, ana, name="Brian")
    assess(case, ana)
    return Setup(program, ana, case)


def _goal(**fields):
    data = {
        "domain": "housing",
        "statement": "Move into my own flat",
        "measure": "Tenancy signed",
        "target_on": (local_today() + timedelta(days=60)).isoformat(),
        "status": "not_started",
    }
    data.update(fields)
    if data["target_on"] == "yesterday":
        data["target_on"] = (local_today() - timedelta(days=1)).isoformat()
    return data


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_goal_with_a_measure_and_a_date_is_added(as_user, setup):
    response = as_user(setup.ana).post(f"/cases/{setup.case.id}/plan/goals/new", data=_goal())
    assert response.status_code == 302 and response.location.endswith(
        f"/cases/{setup.case.id}/plan"
    )
    goal = db.session.scalar(sa.select(Goal))
    assert (goal.statement, goal.measure, goal.target_on) == (
        "Move into my own flat",
        "Tenancy signed",
        local_today() + timedelta(days=60),
    )
    page = as_user(setup.ana).get(f"/cases/{setup.case.id}/plan").get_data(as_text=True)
    assert "Move into my own flat" in page and "Measure: Tenancy signed" in page


@pytest.mark.parametrize(
    "fields, field, message",
    [
        (
            {"measure": ""},
            "measure",
            "A goal needs a measure: how will you both know it is reached?",
        ),
        (
            {"target_on": ""},
            "target_on",
            "A goal needs a target date, so progress can be reviewed against it.",
        ),
        ({"target_on": "not a date"}, "target_on", "Not a valid date value."),
        ({"target_on": "yesterday"}, "target_on", "A date from today on."),
        ({"statement": ""}, "statement", "Say what the goal is"),
        ({"domain": "astrology"}, "domain", "Not a valid choice"),
        ({"status": "done-ish"}, "status", "Not a valid choice"),
        ({"measure": "x" * 2001}, "measure", "Field cannot be longer than 2000 characters."),
    ],
)
def test_a_goal_missing_what_makes_it_measurable_is_refused_with_why(
    as_user, setup, fields, field, message
):
    response = as_user(setup.ana).post(
        f"/cases/{setup.case.id}/plan/goals/new", data=_goal(**fields)
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error">' in page and message in page
    if field != "statement":
        assert "Move into my own flat" in page  # what was typed is kept
    assert _count(Goal) == 0


def test_agreement_needs_a_goal_who_and_how(as_user, setup):
    client = as_user(setup.ana)
    today = local_today().isoformat()
    response = client.post(
        f"/cases/{setup.case.id}/plan",
        data={"agreed_by": "The client", "agreed_on": today, "agreement_method": "in_person"},
    )
    assert response.status_code == 422 and "Add at least one goal" in response.get_data(
        as_text=True
    )
    add_goal(setup.case, setup.ana)
    response = client.post(
        f"/cases/{setup.case.id}/plan",
        data={"agreed_by": "", "agreed_on": today, "agreement_method": ""},
    )
    assert response.status_code == 422 and "Say who agreed." in response.get_data(as_text=True)
    plan = db.session.scalar(sa.select(ServicePlan))
    response = client.post(
        f"/cases/{setup.case.id}/plan",
        data={
            "agreed_by": "Client and his sister",
            "agreed_on": today,
            "agreement_method": "signed",
            "review_on": (local_today() + timedelta(days=30)).isoformat(),
            "version": str(plan.version),
        },
    )
    assert response.status_code == 302
    plan = db.session.scalar(sa.select(ServicePlan))
    assert (plan.agreed_by, plan.agreed_on, plan.agreement_method.value, plan.review_on) == (
        "Client and his sister",
        local_today(),
        "signed",
        local_today() + timedelta(days=30),
    )
    assert db.session.get(Case, setup.case.id).phase == Phase.IMPLEMENTATION


def test_a_stale_agreement_save_is_refused_and_shows_the_saved_one(as_user, setup):
    add_goal(setup.case, setup.ana)
    agree(setup.case, setup.ana)
    plan = db.session.scalar(sa.select(ServicePlan))
    response = as_user(setup.ana).post(
        f"/cases/{setup.case.id}/plan",
        data={
            "agreed_by": "Someone else",
            "agreed_on": local_today().isoformat(),
            "agreement_method": "phone",
            "version": str(plan.version - 1),
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved the plan" in page and 'value="Someone else"' in page
    assert f'name="version" type="hidden" value="{plan.version}"' in page
    assert db.session.scalar(sa.select(ServicePlan)).agreed_by == "The client"


def test_editing_a_goal_over_a_newer_save_shows_both_versions(as_user, setup):
    goal = add_goal(setup.case, setup.ana)
    stale = goal.version
    assert (
        as_user(setup.ana)
        .post(
            f"/cases/{setup.case.id}/plan/goals/{goal.id}",
            data=_goal(statement="Move in with my sister", version=str(stale)),
        )
        .status_code
        == 302
    )
    response = as_user(setup.ana).post(
        f"/cases/{setup.case.id}/plan/goals/{goal.id}",
        data=_goal(statement="A flat near work", version=str(stale)),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Move in with my sister" in page and "A flat near work" in page
    assert db.session.get(Goal, goal.id).statement == "Move in with my sister"


def test_tasks_are_added_and_ticked_off(as_user, setup):
    goal = add_goal(setup.case, setup.ana)
    client = as_user(setup.ana)
    response = client.post(
        f"/cases/{setup.case.id}/plan/goals/{goal.id}/tasks",
        data={
            f"task{goal.id}-description": "Bring ID to the housing office",
            f"task{goal.id}-responsible": "client",
            f"task{goal.id}-due_on": (local_today() + timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 302
    task = db.session.scalar(sa.select(PlanTask))
    assert (task.description, task.responsible.value, task.done_at) == (
        "Bring ID to the housing office",
        "client",
        None,
    )
    assert (
        client.post(
            f"/cases/{setup.case.id}/plan/tasks/{task.id}", data={"done": "yes"}
        ).status_code
        == 302
    )
    assert db.session.get(PlanTask, task.id).done_at is not None
    assert (
        client.post(f"/cases/{setup.case.id}/plan/tasks/{task.id}", data={"done": "no"}).status_code
        == 302
    )
    assert db.session.get(PlanTask, task.id).done_at is None
    assert (
        client.post(
            f"/cases/{setup.case.id}/plan/tasks/{task.id}", data={"done": "maybe"}
        ).status_code
        == 400
    )


def test_a_task_without_words_is_refused_on_the_plan_page(as_user, setup):
    goal = add_goal(setup.case, setup.ana)
    response = as_user(setup.ana).post(
        f"/cases/{setup.case.id}/plan/goals/{goal.id}/tasks",
        data={
            f"task{goal.id}-description": "",
            f"task{goal.id}-responsible": "provider",
            f"task{goal.id}-due_on": "2020-01-01",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Say what needs doing." in page and "A date from today on." in page
    assert _count(PlanTask) == 0


def test_goals_and_tasks_of_another_case_are_not_found(as_user, setup, make_case):
    other = make_case(setup.program, setup.ana, name="Other")
    goal = add_goal(setup.case, setup.ana)
    assert as_user(setup.ana).get(f"/cases/{other.id}/plan/goals/{goal.id}").status_code == 404
    assert (
        as_user(setup.ana)
        .post(f"/cases/{other.id}/plan/goals/{goal.id}/tasks", data={})
        .status_code
        == 404
    )
    assert as_user(setup.ana).get(f"/cases/{setup.case.id}/plan/goals/99999").status_code == 404


def test_a_referral_can_serve_a_goal(as_user, setup):
    goal = add_goal(setup.case, setup.ana)
    service = a_service()
    client = as_user(setup.ana)
    form = client.get(f"/cases/{setup.case.id}/referrals/new?goal={goal.id}").get_data(as_text=True)
    assert f'<option selected value="{goal.id}">Move into my own flat</option>' in form
    response = client.post(
        f"/cases/{setup.case.id}/referrals/new",
        data={
            "service": str(service.id),
            "goal": str(goal.id),
            "follow_up_on": (local_today() + timedelta(days=7)).isoformat(),
            "share_consent": "y",
            "share_method": "signed",
        },
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Referral)).goal_id == goal.id
    assert "Harbor Light Shelter (sent)" in client.get(f"/cases/{setup.case.id}/plan").get_data(
        as_text=True
    )


def test_a_referral_cannot_name_a_goal_of_another_case(as_user, setup, make_case):
    other = make_case(setup.program, setup.ana, name="Other")
    goal = add_goal(setup.case, setup.ana)
    service = a_service()
    response = as_user(setup.ana).post(
        f"/cases/{other.id}/referrals/new",
        data={
            "service": str(service.id),
            "goal": str(goal.id),
            "follow_up_on": (local_today() + timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 422
    assert _count(Referral) == 0


def test_plan_pages_are_for_people_who_may_see_the_case(as_user, setup, make_program, make_user):
    goal = add_goal(setup.case, setup.ana)
    stranger = make_user(Role.CASE_MANAGER, [make_program()])
    client = as_user(stranger)
    assert client.get(f"/cases/{setup.case.id}/plan").status_code == 404
    assert client.post(f"/cases/{setup.case.id}/plan/goals/new", data=_goal()).status_code == 404
    assert (
        client.post(
            f"/cases/{setup.case.id}/plan/goals/{goal.id}", data=_goal(version="1")
        ).status_code
        == 404
    )
    assert _count(Goal) == 1 and db.session.get(Goal, goal.id).status == GoalStatus.IN_PROGRESS
