"""A legal hold at 360×740 on the demo (issue 21, item 6): the supervisor places one on a client's
page, refused first without a reason; the hold shows to the worker; supervision shows weighted
caseloads."""

import sqlalchemy as sa

from tests.browser import sign_in
from tests.test_phone_layout import browser_page, check_phone_layout  # noqa: F401  (fixture)
from webapp.extensions import db
from webapp.jobs import demo
from webapp.models import Client


def test_a_supervisor_places_a_legal_hold_on_a_phone(browser_page):  # noqa: F811
    page = browser_page.page
    with browser_page.app.app_context():
        demo.load()
        db.session.commit()
        jose = db.session.scalar(sa.select(Client).where(Client.preferred_name == "José"))
        jose_id = jose.display_id

    sign_in(page, "supervisor@demo.example", "quiet-river-lantern")
    page.goto(f"/clients/{jose_id}")
    page.get_by_role("button", name="Place a legal hold").click()
    page.locator("#reason-error").wait_for()
    page.get_by_label("Why the record is held").fill("Court order 22-114: keep until told.")
    page.get_by_role("button", name="Place a legal hold").click()
    page.wait_for_url(f"**/clients/{jose_id}")
    assert page.locator(".legal-hold").inner_text().count("Court order 22-114") == 1
    check_phone_layout(page, "retention-1-legal-hold", browser_page.problems)

    page.goto("/supervision")
    assert page.locator(".caseloads .weighted").count() >= 1
    check_phone_layout(page, "retention-2-weighted-caseloads", browser_page.problems)
    assert not browser_page.problems, browser_page.problems
