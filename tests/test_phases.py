"""Phases derived from the records, the loops back, risk changes, and the next step in every
phase."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.lifecycle import a_service, add_goal, agree, assess, planned_case, refer
from webapp.extensions import db
from webapp.models import (
    AssessmentKind,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseModel,
    ConfirmationMethod,
    GoalStatus,
    Phase,
    ReferralStatus,
    RiskLevel,
    Role,
    TaskOwner,
)
from webapp.queries.case_state import derive_phase, load_state
from webapp.queries.next_step import next_step
from webapp.services import case_changes, cases, clients, plans, referrals
from webapp.services.cases import CaseError
from webapp.timeutil import local_today


@pytest.fixture
def program(make_program):
    return make_program(model=CaseModel.INTENSIVE)


@pytest.fixture
def ana(make_user, program):
    return make_user(Role.CASE_MANAGER, [program])


def _step(case: Case) -> str:
    return next_step(load_state(case), local_today())


def _phase(case: Case) -> Phase:
    stored = db.session.get(Case, case.id).phase
    assert stored == derive_phase(
        load_state(case)
    )  # the stored phase never drifts from the records
    return stored


def test_a_quick_intake_with_no_story_yet_is_intake(make_case, program, ana):
    case = make_case(program, ana)
    assert _phase(case) == Phase.INTAKE
    assert _step(case).startswith("Quick intake only")


def test_an_intake_that_says_what_brought_them_moves_to_assessment(program, ana):
    client = clients.create_client(clients.ClientDetails(preferred_name="José"), created_by=ana)
    case = cases.open_case(
        client,
        program,
        created_by=ana,
        primary_worker=ana,
        intake=cases.IntakeDetails(presenting_circumstances="Lost his job after a back injury."),
    )
    db.session.commit()
    assert _phase(case) == Phase.ASSESSMENT
    assert _step(case) == "No baseline assessment yet: assess needs and strengths."


def test_planning_until_a_plan_with_a_goal_is_agreed(make_case, program, ana):
    case = make_case(program, ana)
    assess(case, ana)
    assert _phase(case) == Phase.PLANNING
    assert _step(case) == "No service plan yet: agree goals with the client."
    add_goal(case, ana)
    assert _phase(case) == Phase.PLANNING
    assert _step(case) == "Plan not agreed yet: record the client's agreement."
    agree(case, ana)
    assert _phase(case) == Phase.IMPLEMENTATION
    assert _step(case) == "Set the plan in motion: make a referral or add a task to a goal."


def test_implementation_while_tasks_are_open_or_referrals_not_yet_connected(
    make_case, program, ana
):
    case, goal = planned_case(make_case, program, ana)
    task = plans.add_task(
        case,
        goal,
        description="Bring ID",
        responsible=TaskOwner.CLIENT,
        due_on=local_today() + timedelta(days=4),
        user=ana,
    )
    db.session.commit()
    assert _phase(case) == Phase.IMPLEMENTATION
    assert _step(case) == f"1 plan task open, next due {local_today() + timedelta(days=4):%-d %b}."
    plans.set_task_done(case, task, True, user=ana)
    referral = refer(case, a_service(), created_by=ana, today=local_today(), goal=goal)
    db.session.commit()
    assert _phase(case) == Phase.IMPLEMENTATION
    assert _step(case) == f"1 referral open: next check on {referral.follow_up_on:%-d %b}."
    referrals.change_status(
        referral, ReferralStatus.CONNECTED, confirmed_by=ana, method=ConfirmationMethod.CLIENT
    )
    db.session.commit()
    assert _phase(case) == Phase.MONITORING


def test_monitoring_states_the_next_follow_up_and_asks_for_closure_when_goals_are_done(
    make_case, program, ana
):
    case, goal = planned_case(make_case, program, ana)
    plans.set_task_done(
        case,
        plans.add_task(
            case,
            goal,
            description="Sign lease",
            responsible=TaskOwner.CLIENT,
            due_on=None,
            user=ana,
        ),
        True,
        user=ana,
    )
    db.session.commit()
    assert _phase(case) == Phase.MONITORING
    assert _step(case) == "No follow-up planned: log a contact with a next follow-up date."
    case.next_follow_up_on = local_today() + timedelta(days=12)
    db.session.commit()
    assert _step(case) == f"Monitoring: next follow-up on {case.next_follow_up_on:%-d %b}."
    plans.update_goal(
        case,
        goal,
        plans.GoalDetails(
            goal.domain, goal.statement, goal.measure, goal.target_on, GoalStatus.MET
        ),
        expected_version=goal.version,
        user=ana,
        today=local_today(),
    )
    db.session.commit()
    assert _step(case) == "Every goal has an outcome: plan the closure with the client."


def test_reassessment_and_plan_review_become_the_next_step_a_week_ahead(make_case, program, ana):
    case = make_case(program, ana)
    assess(case, ana, on=local_today() - timedelta(days=25))  # intensive: reassess every 30 days
    add_goal(case, ana)
    agree(case, ana, review_in_days=3)
    assert _step(case) == "Reassessment due in 5 days."
    assess(case, ana, AssessmentKind.REASSESSMENT)
    assert _step(case) == "Plan review due in 3 days."


def test_overdue_follow_ups_and_referrals_come_before_the_phase(make_case, program, ana):
    case, goal = planned_case(make_case, program, ana)
    referral = refer(
        case, a_service(), created_by=ana, today=local_today(), follow_up_on=local_today()
    )
    db.session.commit()
    assert _step(case) == "1 referral awaiting confirmation: check the client connected."
    case.next_follow_up_on = local_today() - timedelta(days=2)
    db.session.commit()
    assert _step(case) == "Follow-up overdue by 2 days: make contact."
    assert referral.is_open


def test_a_case_loops_back_from_monitoring_through_reassessment_and_planning(
    make_case, program, ana
):
    case, goal = planned_case(make_case, program, ana)
    plans.add_task(case, goal, description="x", responsible=TaskOwner.CLIENT, due_on=None, user=ana)
    db.session.commit()
    assert _phase(case) == Phase.IMPLEMENTATION
    case_changes.loop_back(
        case, Phase.ASSESSMENT, reason="Lost her room; everything has changed.", user=ana
    )
    db.session.commit()
    assert _phase(case) == Phase.ASSESSMENT
    assert _step(case) == "Reassessment asked for: record a reassessment."
    add_goal(
        case, ana, "Not the answer"
    )  # a plan change does not satisfy a loop back to assessment
    assert _phase(case) == Phase.ASSESSMENT
    assess(case, ana, AssessmentKind.REASSESSMENT)
    assert _phase(case) == Phase.PLANNING
    assert _step(case) == "Revise the plan with the client and record their agreement."
    agree(case, ana)
    assert _phase(case) == Phase.IMPLEMENTATION
    history = db.session.scalars(
        sa.select(CaseEvent).where(CaseEvent.kind == CaseEventKind.PHASE).order_by(CaseEvent.id)
    ).all()
    assert [(e.old_value, e.new_value) for e in history][-3:] == [
        ("implementation", "assessment"),
        ("assessment", "planning"),
        ("planning", "implementation"),
    ]
    assert history[-3].note == "Lost her room; everything has changed."


@pytest.mark.parametrize(
    "phase, to, message",
    [
        (Phase.INTAKE, Phase.ASSESSMENT, "cannot go back"),
        (Phase.PLANNING, Phase.PLANNING, "cannot go back"),
        (Phase.PLANNING, Phase.MONITORING, "cannot go back"),
    ],
)
def test_only_the_model_loops_are_allowed(make_case, program, ana, phase, to, message):
    case = make_case(program, ana)
    if phase == Phase.PLANNING:
        assess(case, ana)
    with pytest.raises(CaseError, match=message):
        case_changes.loop_back(case, to, reason="Because", user=ana)


def test_a_loop_back_needs_a_reason_and_only_the_case_manager_may_set_it(
    as_user, make_case, make_user, program, ana
):
    case, _ = planned_case(make_case, program, ana)
    response = as_user(ana).post(
        f"/cases/{case.id}/phase", data={"phase": "assessment", "reason": ""}
    )
    assert response.status_code == 422 and "Say why the case goes back" in response.get_data(
        as_text=True
    )
    response = as_user(ana).post(
        f"/cases/{case.id}/phase", data={"phase": "monitoring", "reason": "x"}
    )
    assert response.status_code == 422
    colleague = make_user(Role.OUTREACH_WORKER, [program])
    assert (
        as_user(colleague)
        .post(f"/cases/{case.id}/phase", data={"phase": "assessment", "reason": "x"})
        .status_code
        == 403
    )
    assert (
        as_user(ana)
        .post(
            f"/cases/{case.id}/phase",
            data={"phase": "planning", "reason": "Wants a different goal"},
        )
        .status_code
        == 302
    )
    assert _phase(case) == Phase.PLANNING


def test_risk_changes_with_a_reason_and_keeps_its_history(
    as_user, make_case, make_user, program, ana
):
    case = make_case(program, ana)
    client = as_user(ana)
    response = client.post(f"/cases/{case.id}/risk", data={"risk_level": "high", "reason": ""})
    assert response.status_code == 422 and "Say why the risk level changes." in response.get_data(
        as_text=True
    )
    response = client.post(f"/cases/{case.id}/risk", data={"risk_level": "extreme", "reason": "x"})
    assert response.status_code == 422
    assert (
        client.post(
            f"/cases/{case.id}/risk",
            data={"risk_level": "high", "reason": "Threatened at the camp"},
        ).status_code
        == 302
    )
    response = client.post(f"/cases/{case.id}/risk", data={"risk_level": "high", "reason": "again"})
    assert response.status_code == 422 and "already high" in response.get_data(as_text=True)
    assert db.session.get(Case, case.id).risk_level == RiskLevel.HIGH
    event = db.session.scalar(sa.select(CaseEvent).where(CaseEvent.kind == CaseEventKind.RISK))
    assert (event.old_value, event.new_value, event.note, event.user_id) == (
        "low",
        "high",
        "Threatened at the camp",
        ana.id,
    )
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Risk level</strong>: Low → High" in page and "Threatened at the camp" in page
    stranger = make_user(Role.CASE_MANAGER, [])
    assert (
        as_user(stranger)
        .post(f"/cases/{case.id}/risk", data={"risk_level": "low", "reason": "x"})
        .status_code
        == 404
    )
