"""/supervision in Chromium at 360×740 (issue 22): a section holding more cases than a screen
lists ten, and "More" brings the next ten in place without leaving the page."""

import sqlalchemy as sa

from tests.browser import sign_in
from tests.test_phone_layout import browser_page, check_phone_layout  # noqa: F401  (fixture)
from webapp.extensions import db
from webapp.jobs import demo
from webapp.models import Program, User
from webapp.services import cases, clients
from webapp.timeutil import local_today


def test_a_long_section_pages_in_place_on_a_phone(browser_page):  # noqa: F811
    from datetime import timedelta

    page = browser_page.page
    with browser_page.app.app_context():
        demo.load()
        worker = db.session.scalar(sa.select(User).where(User.email == "outreach@demo.example"))
        program = worker.programs[0]
        for number in range(23):
            client = clients.create_client(
                clients.ClientDetails(preferred_name=f"Waiting Person{number:02}"),
                created_by=worker,
            )
            cases.open_case(
                client,
                db.session.get(Program, program.id),
                created_by=worker,
                primary_worker=worker,
                next_follow_up_on=local_today() - timedelta(days=1),
            )
        db.session.commit()
    sign_in(page, "supervisor@demo.example", "quiet-river-lantern")
    page.goto("/supervision")
    overdue = page.locator("section[aria-labelledby=overdue-heading]")
    total = int(overdue.locator(".count").inner_text())
    assert total >= 23
    assert overdue.locator(".list__link").count() == 10
    more = overdue.get_by_role("link", name=f"More (10 of {total} shown)")
    more.scroll_into_view_if_needed()
    check_phone_layout(page, "supervision-1-first-ten", browser_page.problems)
    more.click()
    overdue.get_by_role("link", name=f"More (20 of {total} shown)").wait_for()
    assert overdue.locator(".list__link").count() == 20
    assert page.url.endswith("/supervision")  # still the overview: the rows came in place
    overdue.get_by_role("link", name=f"More (20 of {total} shown)").click()
    page.wait_for_function(
        "n => document.querySelectorAll('section[aria-labelledby=overdue-heading] .list__link')"
        ".length === n",
        arg=total,
    )
    assert overdue.get_by_role("link", name="More (").count() == 0
    names = overdue.locator(".list__title").all_inner_texts()
    assert len(set(names)) == total  # nobody twice, nobody left out
    check_phone_layout(page, "supervision-2-all-of-them", browser_page.problems)
    assert browser_page.problems == []


def test_caseloads_of_a_big_program_page_in_place_on_a_phone(browser_page):  # noqa: F811
    """Twenty caseloads, then "More workers" adds the next rows to the same table."""
    from webapp.models import Role
    from webapp.queries.supervision import CASELOAD_PAGE_SIZE
    from webapp.services import accounts

    page = browser_page.page
    with browser_page.app.app_context():
        demo.load()
        program = db.session.scalar(sa.select(Program).order_by(Program.id))
        for number in range(CASELOAD_PAGE_SIZE + 5):
            user = User(
                email=f"extra{number}@demo.example",
                display_name=f"Extra Worker{number:02}",
                role=Role.OUTREACH_WORKER,
                password_hash=accounts.hash_password("not-used-here-at-all"),
            )
            user.programs.append(program)
            db.session.add(user)
        db.session.commit()
    sign_in(page, "supervisor@demo.example", "quiet-river-lantern")
    page.goto("/supervision")
    table = page.locator("table.caseloads")
    rows = table.locator("tbody th[scope=row]")
    assert rows.count() == CASELOAD_PAGE_SIZE
    more = table.get_by_role("link", name="More workers")
    total = int(more.inner_text().split(" of ")[1].split(" ")[0])
    more.scroll_into_view_if_needed()
    check_phone_layout(page, "supervision-3-caseloads-first-page", browser_page.problems)
    more.click()
    page.wait_for_function(
        "n => document.querySelectorAll('table.caseloads tbody th[scope=row]').length === n",
        arg=min(total, 2 * CASELOAD_PAGE_SIZE),
    )
    assert page.url.endswith("/supervision")
    names = rows.all_inner_texts()
    assert len(set(names)) == len(names)  # nobody twice
    check_phone_layout(page, "supervision-4-caseloads-more", browser_page.problems)
    assert browser_page.problems == []
