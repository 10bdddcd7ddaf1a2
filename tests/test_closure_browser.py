"""Closing a case on a phone (issue 18, item 7): a closure refused for want of the closure
assessment keeps what was typed, the way to record it comes back to the closure form, and the
answers are there again; nothing of them stays on the phone once the closure is sent."""

from datetime import timedelta

import sqlalchemy as sa

from tests.browser import sign_in
from tests.conftest import PASSWORD
from tests.lifecycle import planned_case
from tests.test_accessibility import serious_violations
from tests.test_closure import Org, _closure_to_review
from tests.test_lifecycle_browser import score
from tests.test_phone_layout import browser_page, check_phone_layout  # noqa: F401  (fixture)
from webapp.extensions import db
from webapp.models import Case, CaseModel, ClosureRequest, Goal, GoalStatus, Role
from webapp.timeutil import local_today

DRAFTS = "Object.keys(sessionStorage).filter(k => k.startsWith('waymark-draft:'))"


def test_a_refused_closure_detours_to_the_assessment_and_comes_back_with_what_was_typed(
    browser_page,  # noqa: F811
    make_program,
    make_user,
    make_case,
):
    page = browser_page.page
    with browser_page.app.app_context():
        program = make_program("Street Outreach")
        worker = make_user(Role.CASE_MANAGER, [program], email="ana@agency.test")
        case, goal = planned_case(make_case, program, worker, name="Kateri")
        case_id, goal_id = case.id, goal.id
    close_url = f"/cases/{case_id}/close"
    first_check = (local_today() + timedelta(days=14)).isoformat()
    outcome = "Housed with her kids since May; income steady."

    sign_in(page, "ana@agency.test", PASSWORD)

    # The whole closure form, without the closure assessment: refused, every answer kept.
    page.goto(close_url)
    page.get_by_label("Outcome", exact=True).fill(outcome)
    page.get_by_label("Move into my own flat").select_option("partly_met")
    page.get_by_label("Who takes over").fill("Eastside tenancy support")
    page.get_by_label("Warm handoff done").select_option("done")
    page.get_by_label("First check after closure").fill(first_check)
    page.get_by_role("button", name="Close case").click()
    page.locator("#assessment-error").wait_for()
    assert "Record the closure assessment first" in page.locator("#closure-problems").inner_text()
    assert page.get_by_label("Outcome", exact=True).input_value() == outcome
    assert page.get_by_label("Move into my own flat").input_value() == "partly_met"
    assert page.locator("[data-draft-note]").is_visible()
    check_phone_layout(page, "closure-1-refused-for-the-assessment", browser_page.problems)
    assert serious_violations(page, "closure refused") == []
    # Typed after the refusal, too.
    page.get_by_label("Who takes over").fill("Eastside tenancy support (Maria)")

    # Recording the assessment comes back to the closure form, the answers there again.
    page.get_by_role("link", name="Record the closure assessment", exact=True).click()
    page.wait_for_url("**/assessments/new?**")
    assert page.get_by_label("Kind").input_value() == "closure"
    assert page.get_by_text("Saving brings you back to where you were.").is_visible()
    score(page, "Housing", 4, "Lease signed last week.")
    check_phone_layout(page, "closure-2-assessment-on-the-way", browser_page.problems)
    page.get_by_role("button", name="Save assessment").click()
    page.wait_for_url(f"**{close_url}")
    page.get_by_text("Closure assessment saved.").wait_for()
    page.locator("#draft-restored").wait_for()
    assert page.locator("#assessment-field .badge--ok").inner_text().startswith("Recorded")
    assert page.get_by_label("Why the case closes").input_value() == "goals_met"
    assert page.get_by_label("Outcome", exact=True).input_value() == outcome
    assert page.get_by_label("Move into my own flat").input_value() == "partly_met"
    assert page.get_by_label("Who takes over").input_value() == "Eastside tenancy support (Maria)"
    assert page.get_by_label("Warm handoff done").input_value() == "done"
    assert page.get_by_label("First check after closure").input_value() == first_check
    check_phone_layout(page, "closure-3-back-with-the-answers", browser_page.problems)
    assert serious_violations(page, "closure form restored") == []

    # Sent: the case closes with those answers, and the draft is gone from the phone.
    page.get_by_role("button", name="Close case").click()
    page.wait_for_url(f"**/cases/{case_id}")
    assert page.evaluate(DRAFTS) == []
    with browser_page.app.app_context():
        case = db.session.get(Case, case_id)
        assert not case.is_open and case.closure_outcome == outcome
        assert db.session.get(Goal, goal_id).status == GoalStatus.PARTLY_MET
        request = db.session.scalar(sa.select(ClosureRequest))
        assert request.taken_over_by == "Eastside tenancy support (Maria)"
        assert request.follow_up_dates[0] == first_check


def test_a_kept_draft_goes_at_sign_out_and_can_be_started_again(
    browser_page,  # noqa: F811
    make_program,
    make_user,
    make_case,
):
    page = browser_page.page
    with browser_page.app.app_context():
        program = make_program("Street Outreach")
        worker = make_user(Role.CASE_MANAGER, [program], email="ana@agency.test")
        case, _ = planned_case(make_case, program, worker)
        close_url = f"/cases/{case.id}/close"

    sign_in(page, "ana@agency.test", PASSWORD)
    page.goto(close_url)
    page.get_by_label("Outcome", exact=True).fill("Half-written note")
    page.goto("/")
    page.goto(close_url)
    page.locator("#draft-restored").wait_for()
    assert page.get_by_label("Outcome", exact=True).input_value() == "Half-written note"
    # "Start again" empties the form back to what the server showed, and forgets the draft.
    page.get_by_role("button", name="Start again").click()
    assert page.get_by_label("Outcome", exact=True).input_value() == ""
    assert page.evaluate(DRAFTS) == []
    page.get_by_label("Outcome", exact=True).fill("Typed again")
    assert len(page.evaluate(DRAFTS)) == 1
    # Signing out clears it.
    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    assert page.evaluate(DRAFTS) == []


def test_the_supervisor_reads_the_whole_closure_at_phone_size(
    browser_page,  # noqa: F811
    make_program,
    make_user,
    make_case,
):
    page = browser_page.page
    with browser_page.app.app_context():
        intensive = make_program("Housing First", model=CaseModel.INTENSIVE)
        boss = make_user(Role.SUPERVISOR, [intensive])
        ana = make_user(Role.CASE_MANAGER, [intensive], supervisor=boss)
        org = Org(intensive, intensive, boss, ana)
        case, *_ = _closure_to_review(org, make_case)
        close_url, email = f"/cases/{case.id}/close", org.boss.email
    sign_in(page, email, PASSWORD)
    page.goto(close_url)
    assert page.locator("#change-housing").inner_text().split() == [
        *"Housing Better by 3 Baseline 1 · In crisis → closure 4 · Building (+3)".split()
    ]
    assert "Partly met" in page.locator("#closure-goals").inner_text()
    still_open = page.locator("#closure-open")
    assert still_open.is_visible() and "forklift course" in still_open.inner_text()
    check_phone_layout(page, "closure-4-supervisor-reads-the-closure", browser_page.problems)
    assert serious_violations(page, "closure approval") == []
