"""The whole case lifecycle in a real browser at 360×740, on the demo organisation: baseline,
plan with an agreed goal, a referral for that goal, a reassessment showing change, a closure
request, and the supervisor's approval."""

from datetime import timedelta

import sqlalchemy as sa

from tests.browser import PHONE, sign_in
from tests.conftest import PASSWORD
from tests.lifecycle import a_service, planned_case, refer
from tests.test_phone_layout import browser_page, check_phone_layout  # noqa: F401  (fixture)
from webapp.extensions import db
from webapp.jobs import demo
from webapp.models import (
    Case,
    Client,
    ClosureRequest,
    ClosureStatus,
    Goal,
    GoalStatus,
    Phase,
    Role,
    ServicePlan,
)
from webapp.timeutil import local_today


def score(page, domain, value, why):
    fieldset = page.locator("fieldset.domain", has_text=domain)
    fieldset.locator(f"label.score:has(input[value='{value}'])").click()
    fieldset.get_by_label(f"Why, for {domain.lower()}").fill(why)


def test_baseline_to_approved_closure_on_a_phone(browser_page):  # noqa: F811
    page = browser_page.page
    with browser_page.app.app_context():
        demo.load()
        db.session.commit()
        case_id = db.session.scalar(
            sa.select(Case.id).join(Client).where(Client.preferred_name == "Kateri")
        )
        today = local_today()
    case_url = f"/cases/{case_id}"

    sign_in(page, "casemanager@demo.example", "maple-bridge-compass")
    page.goto(case_url)
    assert "No baseline assessment yet" in page.locator("#next-step").inner_text()
    check_phone_layout(page, "life-1-case-no-baseline", browser_page.problems)

    # Baseline: two domains scored, each with its reason.
    page.get_by_role("link", name="Assess", exact=True).click()
    page.wait_for_url("**/assessments/new")
    assert page.get_by_label("Kind").input_value() == "baseline"
    score(page, "Housing", 1, "Sleeping in her car since March.")
    score(page, "Income", 2, "Part-time cleaning job, irregular hours.")
    page.get_by_label("In the client's own words").fill("I need a place where my kids can visit.")
    check_phone_layout(page, "life-2-baseline-form", browser_page.problems)
    page.get_by_role("button", name="Save assessment").click()
    page.wait_for_url(f"**{case_url}")
    assert page.locator(".facts", has_text="Service planning").count() == 1
    assert "No service plan yet" in page.locator("#next-step").inner_text()

    # Issue 18, item 1: each score's "why" is on the assessment's own page.
    page.get_by_role("link", name="Read the latest").click()
    page.get_by_text("Sleeping in her car since March.").wait_for()
    assert page.get_by_text("I need a place where my kids can visit.").is_visible()
    check_phone_layout(page, "life-2b-assessment-page", browser_page.problems)
    page.goto(case_url)

    # Issue 18, item 5: a contact logged without a follow-up keeps the one planned.
    planned = page.locator(".facts div", has_text="Next follow-up").inner_text()
    page.get_by_role("link", name="Log contact").first.click()
    page.get_by_label("What happened").fill("Talked about the flat near the school.")
    page.get_by_role("button", name="Save contact").click()
    page.wait_for_url(f"**{case_url}")
    assert page.locator(".facts div", has_text="Next follow-up").inner_text() == planned

    # Plan: one measurable goal, agreed by the client.
    page.get_by_role("link", name="Plan", exact=True).click()
    page.get_by_role("link", name="Add goal").click()
    page.get_by_label("Life domain").select_option("housing")
    page.get_by_label("Goal").fill("A two-bedroom flat near the school")
    page.get_by_label("Target date").fill((today + timedelta(days=90)).isoformat())
    page.get_by_role("button", name="Save goal").click()
    # Refused: no measure, and the reason is beside the field; the goal text is kept.
    page.locator("#measure-error").wait_for()
    assert "how will you both know" in page.locator("#measure-error").inner_text()
    assert page.get_by_label("Goal").input_value() == "A two-bedroom flat near the school"
    check_phone_layout(page, "life-3-goal-refused", browser_page.problems)
    page.get_by_label("How we will know").fill("Lease signed and keys in hand")
    page.get_by_role("button", name="Save goal").click()
    page.wait_for_url(f"**{case_url}/plan")
    page.get_by_label("Agreed on").fill(today.isoformat())
    page.get_by_label("How", exact=True).select_option("in_person")
    page.get_by_label("Review the plan by").fill((today + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Save agreement").click()
    page.get_by_text("Plan agreement saved.").wait_for()
    check_phone_layout(page, "life-4-plan-agreed", browser_page.problems)

    # A referral that serves the goal.
    page.get_by_role("link", name="Refer for this goal").click()
    page.get_by_label("Service", exact=True).select_option(
        page.locator("#service option", has_text="Emergency shelter bed").get_attribute("value")
    )
    assert "A two-bedroom flat" in page.get_by_label("For which goal").inner_text()
    # The client agrees to share with the provider, recorded in the same form (issue 17, item 2).
    page.get_by_label("The client agrees that we share what this referral needs").check()
    page.get_by_label("How they agreed").select_option("signed")
    page.get_by_role("button", name="Send referral").click()
    # Issue 25: the referral's page opens on the provider's link, to share.
    page.wait_for_url("**/referrals/*#provider-link")
    assert "/r/" in page.locator("#provider-link-url").input_value()
    page.goto(case_url)
    assert page.locator(".facts", has_text="Implementation").count() == 1

    # Issue 18, item 9: the shelter books an appointment today; it is on Today.
    page.locator("#referrals-heading + ul a").first.click()
    page.get_by_label("What happened").select_option("scheduled")
    page.get_by_label("How you know").select_option("phone")
    page.get_by_label("Appointment date").fill(today.isoformat())
    page.get_by_label("Appointment time").fill("14:00")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**{case_url}")
    # Issue 18, item 10: a task of the worker's, due today, is on Today too.
    page.get_by_role("link", name="Plan", exact=True).click()
    page.get_by_text("Add a task").click()
    page.get_by_label("Task").fill("Phone the landlord about the viewing")
    page.get_by_label("Who does it").select_option("case_manager")
    page.get_by_label("Due").fill(today.isoformat())
    page.get_by_role("button", name="Add task").click()
    page.get_by_text("Phone the landlord about the viewing").wait_for()
    page.goto("/")
    assert (
        "Appointment today: Kateri at Harbor Light Shelter"
        in page.locator(".today-item--appointment").inner_text()
    )
    assert (
        "Do: Phone the landlord about the viewing"
        in page.locator(".today-item--plan_task").inner_text()
    )
    check_phone_layout(page, "life-4b-today-appointment-and-task", browser_page.problems)
    page.goto(case_url)

    # Reassessment: the case page shows the change from baseline.
    page.get_by_role("link", name="Assess", exact=True).click()
    assert page.get_by_label("Kind").input_value() == "reassessment"
    score(page, "Housing", 3, "In a shelter family room, on the housing list.")
    score(page, "Income", 3, "Regular shifts now.")
    page.get_by_role("button", name="Save assessment").click()
    page.wait_for_url(f"**{case_url}")
    housing = page.locator(".change-table tr", has_text="Housing").inner_text()
    assert "1" in housing and "3" in housing and "+2" in housing
    assert page.locator("svg.change-chart").is_visible()
    check_phone_layout(page, "life-5-case-change-from-baseline", browser_page.problems)

    # Closure: the closure assessment first, then the request, which waits for a supervisor.
    page.get_by_role("link", name="Close case").click()
    page.get_by_role("link", name="Record the closure assessment", exact=True).click()
    assert page.get_by_label("Kind").input_value() == "closure"
    score(page, "Housing", 4, "Lease signed last week.")
    page.get_by_role("button", name="Save assessment").click()
    page.wait_for_url(f"**{case_url}/close")  # back on the closure form
    page.get_by_label("Outcome", exact=True).fill("Housed with her kids; income steady.")
    page.get_by_label("A two-bedroom flat near the school").select_option("met")
    page.get_by_label("Who takes over").fill("Eastside tenancy support")
    page.get_by_label("Warm handoff done").select_option("done")
    check_phone_layout(page, "life-6-closure-form", browser_page.problems)
    page.get_by_role("button", name="Ask for approval").click()
    page.get_by_text("Closure sent to a supervisor for approval.").wait_for()
    check_phone_layout(page, "life-7-closure-waiting", browser_page.problems)

    # The supervisor finds it on Today and approves it.
    supervisor = page.context.browser.new_context(
        viewport=PHONE, base_url=page.url.split("/cases")[0]
    )
    boss = supervisor.new_page()
    sign_in(boss, "supervisor@demo.example", "quiet-river-lantern")
    item = boss.locator(".today-item", has_text="Kateri")
    assert "Closure waiting for your approval" in item.inner_text()
    item.get_by_role("link", name="Decide").click()
    boss.wait_for_url(f"**{case_url}/close")
    assert boss.get_by_text("Housed with her kids; income steady.").is_visible()
    check_phone_layout(boss, "life-8-supervisor-decides", browser_page.problems)
    boss.get_by_label("Note to the worker").fill("Good, planned closure.")
    boss.get_by_role("button", name="Approve closure").click()
    boss.wait_for_url(f"**{case_url}")
    assert "Post-closure check" in boss.locator("#next-step").inner_text()
    check_phone_layout(boss, "life-9-case-closed", browser_page.problems)
    supervisor.close()

    # Issue 18, item 3: the worker records the first check after closure; it stays on the
    # case page and in the client's timeline.
    page.goto(case_url)
    page.locator("#follow-ups form").first.get_by_label("How are they doing?").fill(
        "Still housed; the kids visit at weekends."
    )
    page.locator("#follow-ups form").first.get_by_role("button", name="Record check").click()
    page.wait_for_url(f"**{case_url}*")
    recorded = page.locator("#follow-ups").inner_text()
    assert "Checks recorded" in recorded and "Still housed; the kids visit" in recorded
    check_phone_layout(page, "life-10-check-recorded", browser_page.problems)
    page.locator("main a[href^='/clients/']").first.click()
    page.wait_for_url("**/clients/*")
    assert "Still housed; the kids visit" in page.locator(".timeline").inner_text()

    with browser_page.app.app_context():
        case = db.session.get(Case, case_id)
        assert case.phase == Phase.CLOSED and case.closure_reason == "goals_met"
        request = db.session.scalar(
            sa.select(ClosureRequest).where(ClosureRequest.case_id == case_id)
        )
        assert request.status == ClosureStatus.APPROVED
        goals = db.session.scalars(
            sa.select(Goal).join(ServicePlan).where(ServicePlan.case_id == case_id)
        ).all()
        assert [goal.status for goal in goals] == [GoalStatus.MET]


def test_an_appointment_booked_on_a_referral_and_a_plan_task_show_on_today(
    browser_page,  # noqa: F811
    make_program,
    make_user,
    make_case,
):
    page = browser_page.page
    with browser_page.app.app_context():
        program = make_program("Street Outreach")
        worker = make_user(Role.OUTREACH_WORKER, [program], email="sam@agency.test")
        case, goal = planned_case(make_case, program, worker, name="Marisol")
        service = a_service()
        service.provider.address = "40 Pier Road"
        referral = refer(case, service, created_by=worker, today=local_today())
        db.session.commit()
        referral_url, plan_url = f"/referrals/{referral.id}", f"/cases/{case.id}/plan"
        case_url, goal_anchor = f"/cases/{case.id}", f"#goal-{goal.id}"
        today = local_today()

    sign_in(page, "sam@agency.test", PASSWORD)
    page.goto(referral_url)
    appointment = page.locator("#appointment-fields")
    assert appointment.is_hidden()  # asked for only when an appointment is what happened
    page.get_by_label("What happened").select_option("scheduled")
    appointment.wait_for()
    assert page.get_by_label("Appointment place").input_value() == "40 Pier Road"
    # Forgotten: the date. Refused beside its field, everything else kept.
    page.get_by_label("How you know").select_option("phone")
    page.get_by_label("Appointment time").fill("10:30")
    page.get_by_role("button", name="Save").click()
    page.locator("#appointment_on-error").wait_for()
    assert page.locator("#appointment_on-error").inner_text() == "Give the appointment's date."
    assert page.get_by_label("Appointment time").input_value() == "10:30"
    check_phone_layout(page, "appointment-1-refused", browser_page.problems)
    page.get_by_label("Appointment date").fill(today.isoformat())
    page.get_by_label("Appointment place").fill("40 Pier Road, side door")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**{case_url}")
    assert "side door" in page.locator("#referrals-heading + ul").inner_text()

    # A task for the client, due today, on the plan.
    page.goto(plan_url)
    page.get_by_text("Add a task").click()
    page.get_by_label("Task").fill("Bring the letter from the council")
    page.get_by_label("Who does it").select_option("client")
    page.get_by_label("Due").fill(today.isoformat())
    page.get_by_role("button", name="Add task").click()
    page.get_by_text("Bring the letter from the council").wait_for()

    page.goto("/")
    item = page.locator(".today-item--appointment")
    assert (
        "Appointment today: Marisol at Harbor Light Shelter (Emergency shelter bed), 10:30, "
        "40 Pier Road, side door" in item.inner_text()
    )
    task = page.locator(".today-item--plan_task")
    assert "Follow up with Marisol on: Bring the letter from the council" in task.inner_text()
    check_phone_layout(page, "appointment-2-today", browser_page.problems)
    task.get_by_role("link", name="Open plan").click()
    page.wait_for_url(f"**{plan_url}{goal_anchor}")
