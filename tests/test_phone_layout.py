"""The app at phone size in a real browser: no sideways scrolling, 16 px text, 44 px tap
targets, scripts running under the strict CSP, and labelled fields with errors beside them."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask import Flask

from tests.browser import LAUNCH_ARGS, PHONE, live_server, require_chromium
from tests.conftest import PASSWORD, TOTP_SECRET
from webapp.models import Role

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"

MEASURE = """() => {
  const small = [];
  for (const el of document.querySelectorAll('a, button, input, select, textarea, summary')) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width === 0 || box.height === 0 || style.visibility === 'hidden' ||
        box.right < 0) continue;
    // Check boxes and radio buttons are tapped through their labels, which are measured.
    if (el.type === 'hidden' || el.type === 'checkbox' || el.type === 'radio') continue;
    if (box.height < 44) {
      const label = (el.textContent || el.name || '').trim().slice(0, 30);
      small.push(`${el.tagName} "${label}" ${box.height}px`);
    }
  }
  // A date and time field narrower than this hides its time at 16 px (issue 18, item 15).
  const cut = [];
  for (const el of document.querySelectorAll('input[type="datetime-local"]')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.width < 220) cut.push(`${el.name} ${Math.round(box.width)}px`);
  }
  return {
    cut,
    scrollWidth: document.documentElement.scrollWidth,
    fontSize: getComputedStyle(document.body).fontSize,
    small,
    htmx: window.htmx ? window.htmx.version : null,
  };
}"""


# The bottom bar's items whose words are wider than the item.
NAV_OVERFLOW = """() => [...document.querySelectorAll('.bottom-nav a')]
  .filter(a => a.scrollWidth > a.clientWidth + 1 || a.getBoundingClientRect().right > innerWidth)
  .map(a => `${a.textContent.trim()} ${a.scrollWidth}/${a.clientWidth}`)"""


@dataclass(frozen=True)
class BrowserPage:
    """The app on a loopback port, a Chromium page at phone size, and the console errors seen."""

    app: Flask
    page: Any
    problems: list[str]


@pytest.fixture
def browser_page(make_app) -> Iterator[BrowserPage]:
    sync_playwright = require_chromium()
    app = make_app()
    with live_server(app) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        context = browser.new_context(viewport=PHONE, base_url=base_url)
        page = context.new_page()
        problems: list[str] = []
        # Expected: a form answered 422 (errors beside the fields), fetches failing while a test
        # has taken the browser offline, and htmx reporting the stale live check that hx-sync
        # "replace" aborts when the worker keeps typing (htmx logs an aborted request's
        # afterRequest and sendAbort as errors; a failed one also logs sendError or
        # responseError, which stay problems). Any other console error is a problem.
        expected = (
            "the server responded with a status of 422",
            "net::ERR_INTERNET_DISCONNECTED",
            "htmx:sendAbort",
            "htmx:afterRequest",
        )
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and not any(text in message.text for text in expected)
                and problems.append(message.text)
            ),
        )
        page.on("pageerror", lambda error: problems.append(str(error)))
        try:
            yield BrowserPage(app, page, problems)
        finally:
            browser.close()


def check_phone_layout(page, name, problems, *, staff_page=True):
    """Save a screenshot to look at, and check what can be measured of the phone layout."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    measured = page.evaluate(MEASURE)
    assert measured["scrollWidth"] <= PHONE["width"], (name, measured["scrollWidth"])
    assert measured["fontSize"] == "16px", name
    assert measured["small"] == [], (name, measured["small"])
    assert measured["cut"] == [], (name, measured["cut"])
    assert measured["htmx"] == ("2.0.11" if staff_page else None), name  # client pages load no htmx
    assert problems == [], (name, problems)


def test_a_worker_signs_in_and_walks_through_their_day_at_phone_size(
    browser_page, make_user, make_program, make_case
):
    page = browser_page.page
    with browser_page.app.app_context():
        program = make_program("Street Outreach")
        worker = make_user(
            Role.OUTREACH_WORKER, [program], email="sam@agency.test", name="Sam Whitfield"
        )
        case = make_case(
            program,
            worker,
            name="José Antonio Núñez-Villalobos de la Cruz",
            follow_up_in_days=-2,
            legal_name="José Antonio Núñez-Villalobos de la Cruz",
            phone="(555) 201-4432",
            safe_to_call=False,
        )
        client_url = f"/clients/{case.client.display_id}"

    page.goto("/")
    assert page.url.endswith("/login?next=/")
    check_phone_layout(page, "login", browser_page.problems)
    page.get_by_label("Email").fill("sam@agency.test")
    page.get_by_label("Password").fill("wrong password, long enough")
    page.get_by_role("button", name="Sign in").click()
    assert (
        page.locator("#password-error").inner_text()
        == "That email and password do not match an active account."
    )
    assert page.get_by_label("Email").input_value() == "sam@agency.test"

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    assert page.get_by_role("heading", name="Due now").is_visible()
    assert page.get_by_text("2 days overdue").is_visible()
    check_phone_layout(page, "today", browser_page.problems)

    page.locator(".today-item__case", has_text="José Antonio").click()
    page.wait_for_url(f"**/cases/{case.id}")
    check_phone_layout(page, "case", browser_page.problems)

    page.goto(client_url)
    assert page.get_by_text("Do not call").is_visible()
    check_phone_layout(page, "client", browser_page.problems)

    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    assert page.get_by_text("You are signed out.").is_visible()


def test_an_admin_fixes_a_program_form_error_at_phone_size(browser_page, make_user):
    page = browser_page.page
    with browser_page.app.app_context():
        make_user(Role.ADMIN, email="admin@agency.test")
    page.goto("/login")
    page.get_by_label("Email").fill("admin@agency.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/login/code")
    check_phone_layout(page, "two-step-code", browser_page.problems)
    page.get_by_label("6-digit code from your authenticator app").fill(
        pyotp.TOTP(TOTP_SECRET).now()
    )
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: url.endswith("/"))

    page.goto("/admin/programs/new")
    page.get_by_label("Description").fill("Evenings, two workers per shift.")
    page.get_by_label("Caseload cap per worker").fill("0")
    page.get_by_role("button", name="Create program").click()
    assert page.locator("#name-error").inner_text() == "Give the program a name."
    assert page.locator("#caseload_cap-error").inner_text() == "Between 1 and 500 cases."
    assert page.get_by_label("Description").input_value() == "Evenings, two workers per shift."
    check_phone_layout(page, "program-form-errors", browser_page.problems)

    page.get_by_label("Name", exact=True).fill("Night Outreach")
    page.get_by_label("Caseload cap per worker").fill("")
    page.get_by_role("button", name="Create program").click()
    page.wait_for_url("**/admin/programs")
    assert page.get_by_text("Program “Night Outreach” created.").is_visible()
    check_phone_layout(page, "programs", browser_page.problems)


def test_the_assessment_pages_fit_a_phone(browser_page, make_user, make_program, make_case):
    from datetime import timedelta

    from tests.lifecycle import assess
    from webapp.models import AssessmentKind, LifeDomain
    from webapp.services import assessments
    from webapp.timeutil import local_today

    page = browser_page.page
    with browser_page.app.app_context():
        program = make_program("Street Outreach")
        worker = make_user(Role.CASE_MANAGER, [program], email="ana@agency.test")
        case = make_case(program, worker, name="José Antonio Núñez-Villalobos de la Cruz")
        assessments.record_assessment(
            case,
            assessments.AssessmentDetails(
                kind=AssessmentKind.BASELINE,
                assessed_on=local_today() - timedelta(days=60),
                scores={
                    LifeDomain.EMPLOYMENT: (2, "Lost the warehouse job in March; " * 4),
                    LifeDomain.MENTAL_HEALTH: (3, "Sleeps badly; sees a counsellor."),
                },
                strengths_family="Her sister, who lives two streets away, visits every week.",
                client_view="I want a steady job and a place of my own before winter.",
            ),
            recorded_by=worker,
            existing=[],
        )
        from webapp.extensions import db

        db.session.commit()
        assess(
            case,
            worker,
            AssessmentKind.REASSESSMENT,
            scores={LifeDomain.EMPLOYMENT: 3, LifeDomain.MENTAL_HEALTH: 2},
            on=local_today() - timedelta(days=30),
        )
        latest = assess(
            case, worker, AssessmentKind.REASSESSMENT, scores={LifeDomain.EMPLOYMENT: 4}
        )
        case_id, latest_id = case.id, latest.id

    page.goto("/login")
    page.get_by_label("Email").fill("ana@agency.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    page.goto(f"/cases/{case_id}")
    check_phone_layout(page, "case-with-assessments", browser_page.problems)
    page.goto(f"/cases/{case_id}/assessments")
    assert page.get_by_text("Employment and education: 2 → 3 → 4").is_visible()
    check_phone_layout(page, "assessment-history", browser_page.problems)
    page.goto(f"/cases/{case_id}/assessments/{latest_id}")
    check_phone_layout(page, "assessment", browser_page.problems)
    page.goto(f"/cases/{case_id}/assessments/new")
    check_phone_layout(page, "reassessment-form", browser_page.problems)


def test_the_staff_pages_fit_a_phone_in_spanish(browser_page, make_user, make_program, make_case):
    """Spanish runs about a quarter longer than English: the pages a worker lives in still fit."""
    from tests.browser import sign_in
    from tests.lifecycle import add_goal, assess
    from webapp.extensions import db

    page = browser_page.page
    with browser_page.app.app_context():
        program = make_program("Alcance en la calle")
        worker = make_user(
            Role.CASE_MANAGER, [program], email="lucia@agency.test", name="Lucía Fernández"
        )
        worker.language = "es"
        case = make_case(
            program,
            worker,
            name="José Antonio Núñez-Villalobos de la Cruz",
            follow_up_in_days=-2,
            phone="(555) 201-4432",
            safe_to_call=False,
        )
        assess(case, worker)
        add_goal(case, worker, "Mudarme a un departamento propio antes del invierno")
        db.session.commit()
        case_id, client_url = case.id, f"/clients/{case.client.display_id}"

    sign_in(page, "lucia@agency.test", PASSWORD)
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("link", name="Clientes").is_visible()
    check_phone_layout(page, "es-today", browser_page.problems)
    # Each bottom-bar word fits its fifth of the screen: none is cut or pushed past the edge.
    assert page.evaluate(NAV_OVERFLOW) == []

    page.goto(f"/cases/{case_id}")
    assert page.get_by_text("Próximo paso:").is_visible()
    check_phone_layout(page, "es-case", browser_page.problems)

    for path, name in (
        (f"/cases/{case_id}/plan", "es-plan"),
        (client_url, "es-client"),
        ("/clients/new", "es-intake"),
        ("/reminders", "es-reminders"),
        ("/account/settings", "es-settings"),
    ):
        page.goto(path)
        check_phone_layout(page, name, browser_page.problems)
