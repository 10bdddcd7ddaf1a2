"""Planned closure: outcomes, closure assessment, supervisor approval, checks after closure,
reopening."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.lifecycle import a_service, add_goal, agree, assess, planned_case, refer
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
    LifeDomain,
    Phase,
    PostClosureFollowUp,
    Program,
    RiskLevel,
    Role,
    TaskOwner,
    User,
    utcnow,
)
from webapp.queries.case_state import load_state
from webapp.queries.closure import closure_review
from webapp.queries.next_step import next_step
from webapp.queries.today import due_items as _due_items
from webapp.services import cases, closure, plans, programs
from webapp.services.cases import CaseError
from webapp.timeutil import local_today
from webapp.web.templating import local_date


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


def test_what_stops_a_closure_is_said_in_the_workers_language(as_user, org, make_case):
    case, goal = planned_case(make_case, org.generalist, org.ana)
    org.ana.language = "es"
    db.session.commit()
    response = as_user(org.ana).post(
        f"/cases/{case.id}/close",
        data=_form(outcome="", **{f"goal_{goal.id}": ""}, follow_up_1="2001-01-01"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Registre primero la evaluación de cierre" in page
    assert "Fechas de seguimiento posteriores a hoy y dentro de un año." in page
    assert "Record the closure assessment first" not in page
    assert "Follow-up dates after today" not in page


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


# Issue 18, item 4: what a supervisor must see to approve a closure.


def _closure_to_review(org, make_case):
    """An intensive case: baseline housing 1, income 2, health 3; a closure assessment of
    housing 4, income 2, safety 3; a goal met, one partly met with a task not done; an open
    referral; a closure asked for with two checks after it."""
    case = make_case(org.intensive, org.ana)
    assess(
        case,
        org.ana,
        scores={LifeDomain.HOUSING: 1, LifeDomain.INCOME: 2, LifeDomain.HEALTH: 3},
        on=local_today() - timedelta(days=120),
    )
    housing = add_goal(case, org.ana)
    work = add_goal(case, org.ana, "Find steady work")
    agree(case, org.ana)
    plans.add_task(
        case,
        work,
        description="Ask the job centre about the forklift course",
        responsible=TaskOwner.CLIENT,
        due_on=local_today() + timedelta(days=10),
        user=org.ana,
    )
    refer(case, a_service(), created_by=org.ana, today=local_today())
    db.session.commit()
    assess(
        case,
        org.ana,
        AssessmentKind.CLOSURE,
        scores={LifeDomain.HOUSING: 4, LifeDomain.INCOME: 2, LifeDomain.SAFETY: 3},
    )
    checks = [local_today() + timedelta(days=30), local_today() + timedelta(days=90)]
    closure.request_closure(
        load_state(case),
        closure.ClosurePlan(
            reason=ClosureReason.GOALS_MET,
            outcome="Housed since May; looking for work with the job centre.",
            goal_outcomes={housing.id: GoalStatus.MET, work.id: GoalStatus.PARTLY_MET},
            taken_over_by="Eastside tenancy support",
            warm_handoff=closure.WarmHandoff.DONE,
            follow_up_dates=checks,
        ),
        user=org.ana,
        today=local_today(),
    )
    db.session.commit()
    return case, housing, work, checks


def _item(page: str, element_id: str) -> str:
    """The text of the list item with this id (up to its end)."""
    return page.split(f'id="{element_id}"')[1].split("</li>")[0]


def test_the_approval_page_shows_change_goals_open_work_and_checks(as_user, org, make_case):
    case, housing, work, checks = _closure_to_review(org, make_case)
    response = as_user(org.boss).get(f"/cases/{case.id}/close")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Approve closure" in page
    # The worker's reason and summary.
    summary = page.split('id="closure-summary"')[1].split("</section>")[0]
    assert "Goals met" in summary
    assert "Housed since May; looking for work with the job centre." in summary
    # Per domain: baseline → closure, in words and numbers.
    assert "Better in 1, no change in 1, worse in 0" in page
    housing_row = _item(page, "change-housing")
    assert "Better by 3" in housing_row
    assert (
        "1 · In crisis" in housing_row and "4 · Building" in housing_row and "(+3)" in housing_row
    )
    income_row = _item(page, "change-income")
    assert "No change" in income_row and "2 · Vulnerable" in income_row and "(0)" in income_row
    assert "Not scored at closure" in _item(page, "change-health")
    assert "Not scored at baseline" in _item(page, "change-safety")
    assert 'id="change-food"' not in page  # scored neither time
    # Each goal with its outcome, in words.
    assert "Met" in _item(page, f"goal-outcome-{housing.id}")
    assert "Partly met" in _item(page, f"goal-outcome-{work.id}")
    assert "partly_met" not in page.split('id="closure-review"')[1]
    # What is still open, with a warning that closing does not finish it.
    still_open = page.split('id="closure-open"')[1].split("</section>")[0]
    assert "closing does not finish them" in still_open
    assert "Ask the job centre about the forklift course" in still_open
    assert "Harbor Light Shelter: Emergency shelter bed" in still_open and "Sent" in still_open
    # The planned checks after closure, and the transition.
    after = page.split('id="closure-after"')[1].split("</section>")[0]
    assert f"{local_date(checks[0])}, {local_date(checks[1])}" in after
    assert "Eastside tenancy support" in after and "Yes, done" in after


def test_the_approval_page_says_when_nothing_is_open_and_no_assessment_was_needed(
    as_user, org, make_case
):
    case, goal = planned_case(make_case, org.intensive, org.ana)
    plans.add_task(
        case,
        goal,
        description="Sign the lease",
        responsible=TaskOwner.CLIENT,
        due_on=None,
        user=org.ana,
    )
    db.session.commit()
    plans.set_task_done(case, load_state(case).open_tasks[0], True, user=org.ana)
    closure.request_closure(
        load_state(case),
        closure.ClosurePlan(
            reason=ClosureReason.DISENGAGED,
            outcome="No contact since March.",
            goal_outcomes={goal.id: GoalStatus.NOT_MET},
        ),
        user=org.ana,
        today=local_today(),
    )
    db.session.commit()
    page = as_user(org.boss).get(f"/cases/{case.id}/close").get_data(as_text=True)
    assert "Nothing left open" in page and "Sign the lease" not in page
    no_assessment = page.split('id="no-closure-assessment"')[1].split("</p>")[0]
    assert "No closure assessment recorded" in no_assessment
    assert "Not needed when the client disengaged" in no_assessment
    assert "Not met" in _item(page, f"goal-outcome-{goal.id}")
    assert "None planned" in page.split('id="closure-after"')[1]


def test_a_goal_added_after_the_request_shows_it_has_no_outcome(org, make_case):
    case, housing, work, _ = _closure_to_review(org, make_case)
    late = add_goal(case, org.ana, "Register with a GP")
    review = closure_review(load_state(case), load_state(case).pending_closure)
    outcomes = {row.goal.id: (row.outcome, row.ended_before) for row in review.goals}
    assert outcomes == {
        housing.id: (GoalStatus.MET, False),
        work.id: (GoalStatus.PARTLY_MET, False),
        late.id: (None, False),
    }
    assert [review.count(1), review.count(0), review.count(-1)] == [1, 1, 0]


def test_only_a_supervisor_of_the_program_other_than_the_asker_decides(
    as_user, org, make_case, make_user
):
    case, *_ = _closure_to_review(org, make_case)
    colleague = make_user(Role.OUTREACH_WORKER, [org.intensive])
    elsewhere = make_user(Role.SUPERVISOR, [make_program_for(make_user)])
    admin = make_user(Role.ADMIN)
    for reader in (org.ana, colleague):  # they read what waits, and cannot decide it
        page = as_user(reader).get(f"/cases/{case.id}/close").get_data(as_text=True)
        assert "Better by 3" in page and "Approve closure" not in page
        assert (
            as_user(reader)
            .post(f"/cases/{case.id}/close/decision", data={"decision": "approve"})
            .status_code
            == 403
        )
    assert as_user(elsewhere).get(f"/cases/{case.id}/close").status_code == 404
    assert (
        as_user(elsewhere)
        .post(f"/cases/{case.id}/close/decision", data={"decision": "approve"})
        .status_code
        == 404
    )
    assert "Approve closure" in as_user(admin).get(f"/cases/{case.id}/close").get_data(as_text=True)
    # A send-back without a note is refused beside the note, with the review still there.
    response = as_user(org.boss).post(
        f"/cases/{case.id}/close/decision", data={"decision": "return", "note": "  "}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Say what the worker should do" in page
    assert "Better by 3" in page and "Ask the job centre about the forklift course" in page
    assert db.session.scalar(sa.select(ClosureRequest.status)) == ClosureStatus.PENDING


# Issue 18, item 7: a refused closure keeps what was typed, and the way to the closure assessment
# comes back to the form.


def test_a_closure_refused_for_want_of_an_assessment_keeps_every_answer(as_user, org, make_case):
    case, goal = planned_case(make_case, org.generalist, org.ana)
    first, second = local_today() + timedelta(days=21), local_today() + timedelta(days=63)
    response = as_user(org.ana).post(
        f"/cases/{case.id}/close",
        data=_form(
            reason="transferred",
            outcome="Moving to the county ACT team; housing voucher in hand.",
            taken_over_by="County ACT team",
            warm_handoff="done",
            follow_up_1=first.isoformat(),
            follow_up_2=second.isoformat(),
            **{f"goal_{goal.id}": "partly_met"},
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClosureRequest)) == 0
    # Every answer is back in the form.
    form = page.split('data-draft="closure-')[1].split("</form>")[0]
    assert '<option selected value="transferred">' in form
    assert "Moving to the county ACT team; housing voucher in hand.</textarea>" in form
    assert '<option selected value="partly_met">' in form.split(f'id="goal_{goal.id}"')[1]
    assert 'value="County ACT team"' in form
    assert '<option selected value="done">' in form
    assert f'value="{first.isoformat()}"' in form and f'value="{second.isoformat()}"' in form
    # What is missing is named at the top and beside the closure assessment, not on a field that
    # was answered, with the way to record it and come back here.
    problems = page.split('id="closure-problems"')[1].split("</div>")[0]
    assert "Nothing you typed was lost" in problems
    assert "Closure assessment: Record the closure assessment first" in problems
    assert 'href="#assessment-field"' in problems
    assert 'id="reason-error"' not in page
    row = page.split('id="assessment-field"')[1].split("</li>")[0]
    assert 'id="assessment-error">Record the closure assessment first' in row
    link = f"/cases/{case.id}/assessments/new?kind=closure&amp;next=/cases/{case.id}/close"
    assert f'href="{link}">Record the closure assessment</a>' in row
    assert "form-draft.js" in page  # keeps the answers on the phone across the detour


def test_every_problem_is_listed_at_the_top_and_linked_to_its_field(as_user, org, make_case):
    case, goal = planned_case(make_case, org.generalist, org.ana)
    assess(case, org.ana, AssessmentKind.CLOSURE)
    response = as_user(org.ana).post(
        f"/cases/{case.id}/close",
        data=_form(outcome=" ", warm_handoff="done", **{f"goal_{goal.id}": ""}),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    problems = page.split('id="closure-problems"')[1].split("</div>")[0]
    assert '<a href="#outcome">Outcome: Say how the case ends' in problems
    assert '<a href="#taken_over_by">Who takes over: Say who the client was handed to.' in problems
    assert (
        f'<a href="#goal_{goal.id}">Move into my own flat: Give this goal its outcome.' in problems
    )
    assert "Closure assessment" not in problems and 'id="assessment-error"' not in page


def test_the_closure_form_offers_the_assessment_only_to_whoever_may_close(
    as_user, org, make_case, make_user
):
    case, goal = planned_case(make_case, org.generalist, org.ana)
    colleague = make_user(Role.OUTREACH_WORKER, [org.generalist])
    page = as_user(colleague).get(f"/cases/{case.id}/close").get_data(as_text=True)
    assert "Only the case" in page and "form-draft.js" not in page
    assert as_user(colleague).post(f"/cases/{case.id}/close", data=_form(goal)).status_code == 403
    elsewhere = make_user(Role.SUPERVISOR, [make_program_for(make_user)])
    assert as_user(elsewhere).get(f"/cases/{case.id}/close").status_code == 404
    assert as_user(elsewhere).post(f"/cases/{case.id}/close", data=_form(goal)).status_code == 404
    page = as_user(org.ana).get(f"/cases/{case.id}/close").get_data(as_text=True)
    assert 'data-draft="closure-' in page and "data-draft-restore" in page
