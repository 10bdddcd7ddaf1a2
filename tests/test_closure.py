"""Planned closure: outcomes, closure assessment, supervisor approval, checks after closure,
reopening."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.lifecycle import assess, planned_case
from webapp.extensions import db
from webapp.models import (
    AssessmentKind,
    Case,
    CaseModel,
    ClosureApproval,
    ClosureReason,
    ClosureRequest,
    ClosureStatus,
    ContactType,
    Goal,
    GoalStatus,
    Phase,
    PostClosureFollowUp,
    Program,
    RiskLevel,
    Role,
    User,
    utcnow,
)
from webapp.queries.case_state import load_state
from webapp.queries.next_step import next_step
from webapp.queries.today import due_items as _due_items
from webapp.services import cases, closure, programs
from webapp.services.cases import CaseError
from webapp.timeutil import local_today


def due_items(user, today):
    return _due_items(user, today)


@dataclass(frozen=True)
class Org:
    intensive: Program
    generalist: Program
    boss: User
    ana: User


@pytest.fixture
def org(make_program, make_user) -> Org:
    """An intensive program (every closure approved) and a generalist one (high risk only)."""
    intensive = make_program(model=CaseModel.INTENSIVE)
    generalist = make_program(model=CaseModel.GENERALIST)
    boss = make_user(Role.SUPERVISOR, [intensive, generalist], name="Marcus Supervisor")
    ana = make_user(Role.CASE_MANAGER, [intensive, generalist], supervisor=boss, name="Ana Worker")
    return Org(intensive, generalist, boss, ana)


def _form(goal: Goal | None = None, **fields):
    today = local_today()
    data = {
        "reason": "goals_met",
        "outcome": "Housed and stable.",
        "taken_over_by": "",
        "warm_handoff": "not_applicable",
        "follow_up_1": (today + timedelta(days=30)).isoformat(),
        "follow_up_2": (today + timedelta(days=90)).isoformat(),
    }
    if goal is not None:
        data[f"goal_{goal.id}"] = "met"
    data.update(fields)
    return data


def test_programs_default_to_the_model_approval_rule(org):
    assert org.intensive.closure_approval == ClosureApproval.ALWAYS
    assert org.generalist.closure_approval == ClosureApproval.HIGH_RISK


@pytest.mark.parametrize(
    "rule, risk, needed",
    [
        (ClosureApproval.ALWAYS, RiskLevel.LOW, True),
        (ClosureApproval.HIGH_RISK, RiskLevel.LOW, False),
        (ClosureApproval.HIGH_RISK, RiskLevel.MEDIUM, False),
        (ClosureApproval.HIGH_RISK, RiskLevel.HIGH, True),
        (ClosureApproval.HIGH_RISK, RiskLevel.URGENT, True),
        (ClosureApproval.NEVER, RiskLevel.URGENT, False),
    ],
)
def test_which_closures_need_approval(org, make_case, rule, risk, needed):
    org.generalist.closure_approval = rule
    case = make_case(org.generalist, org.ana)
    case.risk_level = risk
    assert closure.needs_approval(case) is needed


def test_a_closure_without_outcomes_is_refused_beside_each_field(as_user, org, make_case):
    case, goal = planned_case(make_case, org.generalist, org.ana)
    response = as_user(org.ana).post(
        f"/cases/{case.id}/close",
        data=_form(outcome="", **{f"goal_{goal.id}": ""}, follow_up_1="2001-01-01"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="outcome-error">' in page and "Say how the case ends" in page
    assert f'id="goal_{goal.id}-error">Give this goal its outcome.' in page
    assert "Record the closure assessment first" in page
    assert "Follow-up dates after today and within a year." in page
    assert db.session.get(Case, case.id).is_open
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClosureRequest)) == 0


def test_a_closure_without_approval_takes_effect_with_goal_outcomes_and_checks(
    as_user, org, make_case
):
    case, goal = planned_case(make_case, org.generalist, org.ana)
    assess(case, org.ana, AssessmentKind.CLOSURE)
    response = as_user(org.ana).post(
        f"/cases/{case.id}/close", data=_form(goal, **{f"goal_{goal.id}": "partly_met"})
    )
    assert response.status_code == 302
    case = db.session.get(Case, case.id)
    assert not case.is_open and case.phase == Phase.CLOSED
    assert (case.closure_reason, case.closure_outcome) == ("goals_met", "Housed and stable.")
    assert db.session.get(Goal, goal.id).status == GoalStatus.PARTLY_MET
    dues = db.session.scalars(
        sa.select(PostClosureFollowUp.due_on).order_by(PostClosureFollowUp.due_on)
    ).all()
    assert dues == [local_today() + timedelta(days=30), local_today() + timedelta(days=90)]
    with pytest.raises(CaseError, match="closed"):
        cases.log_contact(
            case,
            recorded_by=org.ana,
            occurred_at=utcnow(),
            contact_type=ContactType.PHONE,
            note="x",
        )


def test_disengaged_clients_close_without_a_closure_assessment_but_not_without_outcomes(
    org, make_case
):
    case, goal = planned_case(make_case, org.generalist, org.ana)
    plan = closure.ClosurePlan(
        reason=ClosureReason.DISENGAGED, outcome="No contact for three months."
    )
    with pytest.raises(CaseError, match="Give every open goal its outcome"):
        closure.request_closure(load_state(case), plan, user=org.ana, today=local_today())
    plan.goal_outcomes = {goal.id: GoalStatus.NOT_MET}
    closure.request_closure(load_state(case), plan, user=org.ana, today=local_today())
    db.session.commit()
    assert not db.session.get(Case, case.id).is_open


def test_a_transfer_to_another_provider_says_who(org, make_case):
    case, goal = planned_case(make_case, org.generalist, org.ana)
    plan = closure.ClosurePlan(
        reason=ClosureReason.TRANSFERRED,
        outcome="Moving to county ACT team.",
        goal_outcomes={goal.id: GoalStatus.PARTLY_MET},
        warm_handoff=closure.WarmHandoff.DONE,
    )
    assert "taken_over_by" in closure.problems(load_state(case), plan, local_today())


def test_an_intensive_closure_waits_for_a_supervisor_who_approves_it(
    as_user, org, make_case, make_user
):
    case, goal = planned_case(make_case, org.intensive, org.ana)
    assess(case, org.ana, AssessmentKind.CLOSURE)
    assert as_user(org.ana).post(f"/cases/{case.id}/close", data=_form(goal)).status_code == 302
    request = db.session.scalar(sa.select(ClosureRequest))
    assert request.status == ClosureStatus.PENDING and db.session.get(Case, case.id).is_open
    assert "Closure awaiting a supervisor&#39;s approval." in as_user(org.ana).get(
        f"/cases/{case.id}"
    ).get_data(as_text=True)
    assert [item.kind for item in due_items(org.boss, local_today())] == ["closure_approval"]
    # The worker who asked, an outsider and a second request are all refused.
    assert (
        as_user(org.ana)
        .post(f"/cases/{case.id}/close/decision", data={"decision": "approve"})
        .status_code
        == 403
    )
    other_boss = make_user(Role.SUPERVISOR, [make_program_for(make_user)])
    assert (
        as_user(other_boss)
        .post(f"/cases/{case.id}/close/decision", data={"decision": "approve"})
        .status_code
        == 404
    )
    response = as_user(org.ana).post(f"/cases/{case.id}/close", data=_form(goal))
    assert (
        response.status_code == 302
        and db.session.scalar(sa.select(sa.func.count()).select_from(ClosureRequest)) == 1
    )
    page = as_user(org.boss).get(f"/cases/{case.id}/close").get_data(as_text=True)
    assert "Approve closure" in page and "Housed and stable." in page
    assert (
        as_user(org.boss)
        .post(f"/cases/{case.id}/close/decision", data={"decision": "nonsense"})
        .status_code
        == 400
    )
    assert (
        as_user(org.boss)
        .post(
            f"/cases/{case.id}/close/decision", data={"decision": "approve", "note": "Good work."}
        )
        .status_code
        == 302
    )
    request = db.session.scalar(sa.select(ClosureRequest))
    assert (request.status, request.decided_by_id) == (ClosureStatus.APPROVED, org.boss.id)
    assert not db.session.get(Case, case.id).is_open
    assert db.session.get(Goal, goal.id).status == GoalStatus.MET
    assert due_items(org.boss, local_today()) == []


def make_program_for(make_user):
    program = programs.create_program(name="Elsewhere", model=CaseModel.GENERALIST)
    db.session.commit()
    return program


def test_a_supervisor_sends_a_closure_back_with_a_note(as_user, org, make_case):
    case, goal = planned_case(make_case, org.intensive, org.ana)
    assess(case, org.ana, AssessmentKind.CLOSURE)
    as_user(org.ana).post(f"/cases/{case.id}/close", data=_form(goal))
    response = as_user(org.boss).post(
        f"/cases/{case.id}/close/decision", data={"decision": "return", "note": ""}
    )
    assert response.status_code == 422 and "Say what the worker should do" in response.get_data(
        as_text=True
    )
    assert (
        as_user(org.boss)
        .post(
            f"/cases/{case.id}/close/decision",
            data={"decision": "return", "note": "Do the warm handoff to the clinic first."},
        )
        .status_code
        == 302
    )
    assert db.session.get(Case, case.id).is_open
    page = as_user(org.ana).get(f"/cases/{case.id}/close").get_data(as_text=True)
    assert "Do the warm handoff to the clinic first." in page and "Ask for approval" in page


def test_an_admin_may_approve_but_nobody_approves_their_own(org, make_case, make_user):
    admin = make_user(Role.ADMIN)
    case, goal = planned_case(make_case, org.intensive, org.boss)
    assess(case, org.boss, AssessmentKind.CLOSURE)
    request = closure.request_closure(
        load_state(case),
        closure.ClosurePlan(
            reason=ClosureReason.GOALS_MET, outcome="Done", goal_outcomes={goal.id: GoalStatus.MET}
        ),
        user=org.boss,
        today=local_today(),
    )
    assert not closure.may_approve(org.boss, request)
    assert not closure.may_approve(org.ana, request)
    assert closure.may_approve(admin, request)


def test_high_risk_cases_need_approval_in_a_generalist_program(org, make_case):
    case, goal = planned_case(make_case, org.generalist, org.ana)
    case.risk_level = RiskLevel.HIGH
    assess(case, org.ana, AssessmentKind.CLOSURE)
    request = closure.request_closure(
        load_state(case),
        closure.ClosurePlan(
            reason=ClosureReason.GOALS_MET, outcome="Done", goal_outcomes={goal.id: GoalStatus.MET}
        ),
        user=org.ana,
        today=local_today(),
    )
    assert request.status == ClosureStatus.PENDING and case.is_open


def test_post_closure_checks_appear_on_today_until_recorded(as_user, org, make_case):
    case, goal = planned_case(make_case, org.generalist, org.ana)
    closure.request_closure(
        load_state(case),
        closure.ClosurePlan(
            reason=ClosureReason.MOVED,
            outcome="Moved to her sister's in Fresno.",
            goal_outcomes={goal.id: GoalStatus.PARTLY_MET},
            follow_up_dates=[local_today() + timedelta(days=30)],
        ),
        user=org.ana,
        today=local_today(),
    )
    db.session.commit()
    assert due_items(org.ana, local_today()) == []
    later = local_today() + timedelta(days=31)
    assert [item.kind for item in due_items(org.ana, later)] == ["post_closure"]
    assert next_step_of(case, later).startswith("Post-closure check overdue by 1 day")
    follow_up = db.session.scalar(sa.select(PostClosureFollowUp))
    response = as_user(org.ana).post(
        f"/cases/{case.id}/follow-ups/{follow_up.id}", data={f"follow{follow_up.id}-note": ""}
    )
    assert response.status_code == 422 and "Say how the client is doing" in response.get_data(
        as_text=True
    )
    assert (
        as_user(org.ana)
        .post(
            f"/cases/{case.id}/follow-ups/{follow_up.id}",
            data={f"follow{follow_up.id}-note": "Called: settled in, has a GP."},
        )
        .status_code
        == 302
    )
    assert due_items(org.ana, later) == []
    assert db.session.get(PostClosureFollowUp, follow_up.id).note == "Called: settled in, has a GP."
    # Issue 18, item 3: the recorded check is seen again, on the case page and in the timeline.
    case_page = as_user(org.ana).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Checks recorded" in case_page and "Called: settled in, has a GP." in case_page
    assert org.ana.display_name in case_page.split("Checks recorded")[1]
    client_page = as_user(org.ana).get(f"/clients/{case.client.display_id}").get_data(as_text=True)
    timeline = client_page.split('id="timeline-heading"')[1]
    assert "Post-closure check" in timeline and "Called: settled in, has a GP." in timeline


def next_step_of(case, today):
    return next_step(load_state(case), today)


def test_a_closed_case_is_reopened_with_a_reason_and_its_checks_are_cancelled(
    as_user, org, make_case, make_user
):
    case, goal = planned_case(make_case, org.generalist, org.ana)
    closure.request_closure(
        load_state(case),
        closure.ClosurePlan(
            reason=ClosureReason.DISENGAGED,
            outcome="Gone.",
            goal_outcomes={goal.id: GoalStatus.NOT_MET},
            follow_up_dates=[local_today() + timedelta(days=30)],
        ),
        user=org.ana,
        today=local_today(),
    )
    db.session.commit()
    response = as_user(org.ana).post(f"/cases/{case.id}/reopen", data={"reason": ""})
    assert response.status_code == 422 and "Say why the case is reopened." in response.get_data(
        as_text=True
    )
    colleague = make_user(Role.OUTREACH_WORKER, [org.generalist])
    assert (
        as_user(colleague).post(f"/cases/{case.id}/reopen", data={"reason": "x"}).status_code == 403
    )
    assert (
        as_user(org.ana)
        .post(f"/cases/{case.id}/reopen", data={"reason": "She came back the next week."})
        .status_code
        == 302
    )
    case = db.session.get(Case, case.id)
    assert case.is_open and case.closure_reason is None and case.phase != Phase.CLOSED
    assert db.session.scalar(sa.select(PostClosureFollowUp)).cancelled


def test_a_returning_client_gets_a_new_case_on_the_same_persistent_id(as_user, org, make_case):
    case, goal = planned_case(make_case, org.generalist, org.ana)
    assess(case, org.ana, AssessmentKind.CLOSURE)
    closure.request_closure(
        load_state(case),
        closure.ClosurePlan(
            reason=ClosureReason.GOALS_MET, outcome="Done.", goal_outcomes={goal.id: GoalStatus.MET}
        ),
        user=org.ana,
        today=local_today(),
    )
    db.session.commit()
    client = case.client
    again = cases.open_case(client, org.generalist, created_by=org.ana, primary_worker=org.ana)
    db.session.commit()
    assert again.client.persistent_id == case.client.persistent_id and again.id != case.id
