"""HUD's questions at intake, and the closure's exit destination, at phone size (issue 23): they
fit, and a wrong answer comes back beside its field with the rest kept."""

from __future__ import annotations

from tests.conftest import PASSWORD
from tests.lifecycle import assess, planned_case
from tests.test_phone_layout import browser_page, check_phone_layout  # noqa: F401 (fixture)
from webapp.models import AssessmentKind, Role


def sign_in(page, email):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: url.endswith("/"))


def test_intake_with_huds_questions_fits_a_phone(browser_page, make_user, make_program):  # noqa: F811
    page = browser_page.page
    with browser_page.app.app_context():
        program = make_program("HUD Street Outreach", hud_elements=True)
        make_user(Role.OUTREACH_WORKER, [program], email="rae@agency.test")
    sign_in(page, "rae@agency.test")
    page.goto("/clients/new")
    page.get_by_label("First name, street name or alias").fill("Juniper")
    page.get_by_label("They agreed to us recording their information").check()
    page.get_by_label("Where are they staying now?").select_option(label="Client doesn't know")
    page.get_by_label("Asian or Asian American").check()
    page.locator("#hud_race input[value='9']").check()
    page.get_by_role("button", name="Save intake").click()
    assert "not both" in page.locator("#hud_race-error").inner_text()
    assert page.get_by_label("First name, street name or alias").input_value() == "Juniper"
    assert page.get_by_label("Where are they staying now?").input_value() == "8"
    check_phone_layout(page, "hmis-intake-errors", browser_page.problems)


def test_closure_asks_the_exit_destination_at_phone_size(
    browser_page,  # noqa: F811
    make_user,
    make_program,
    make_case,
):
    page = browser_page.page
    with browser_page.app.app_context():
        program = make_program("HUD Closing", hud_elements=True)
        worker = make_user(Role.CASE_MANAGER, [program], email="kai@agency.test")
        case, _goal = planned_case(make_case, program, worker)
        assess(case, worker, AssessmentKind.CLOSURE)
        case_id = case.id
    sign_in(page, "kai@agency.test")
    page.goto(f"/cases/{case_id}/close")
    assert page.get_by_label("Where are they going? (HUD exit destination)").is_visible()
    check_phone_layout(page, "hmis-closure", browser_page.problems)


def test_huds_questions_follow_the_program_chosen(browser_page, make_user, make_program):  # noqa: F811
    """A worker in a program that asks HUD's questions and one that does not: the quick intake
    stays short for the second, and asks them again when the first is chosen."""
    page = browser_page.page
    with browser_page.app.app_context():
        hud = make_program("HUD Street Outreach", hud_elements=True)
        plain = make_program("Drop-in")
        make_user(Role.OUTREACH_WORKER, [hud, plain], email="rae@agency.test")
        hud_id, plain_id = str(hud.id), str(plain.id)
    sign_in(page, "rae@agency.test")
    page.goto("/clients/new")
    hud_fields = page.locator("#hud-fields")
    page.get_by_label("Program").select_option(plain_id)
    assert hud_fields.is_hidden()
    page.get_by_label("Program").select_option(hud_id)
    assert hud_fields.is_visible()
    page.get_by_label("Program").select_option(plain_id)
    assert hud_fields.is_hidden()
