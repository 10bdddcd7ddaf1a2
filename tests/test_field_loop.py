"""The outreach worker's loop in a real browser at 360×740, on the demo organisation:
quick intake that hits a duplicate, Today, a contact log, a referral and its confirmation."""

from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa

from tests.browser import sign_in
from tests.test_phone_layout import browser_page, check_phone_layout  # noqa: F401  (fixture)
from webapp.extensions import db
from webapp.jobs import demo
from webapp.models import Client, Referral, ReferralStatus
from webapp.timeutil import local_today


def test_the_whole_field_loop_on_a_phone(browser_page):  # noqa: F811
    page = browser_page.page
    with browser_page.app.app_context():
        demo.load()
        db.session.commit()
        today = local_today()

    sign_in(page, "outreach@demo.example", "orange-bicycle-harbour")
    before = page.locator(".today-item").count()
    assert before > 0 and page.locator(".today-item", has_text="Tomás").count() == 0
    check_phone_layout(page, "loop-1-today-before", browser_page.problems)

    # Quick intake: the live check finds José while the worker types.
    page.get_by_role("link", name="New intake").click()
    page.wait_for_url("**/clients/new")
    page.get_by_label("First name, street name or alias").fill("Tomás")
    page.get_by_label("Full legal name").fill("José Núñez")
    page.get_by_label("Or their approximate age").fill("30")
    candidate = page.locator("#duplicate-candidates .candidate", has_text="José")
    candidate.wait_for(timeout=5000)
    assert "Likely match" in candidate.inner_text()
    check_phone_layout(page, "loop-2-intake-duplicate", browser_page.problems)

    page.get_by_label("What is going on").fill("New in town, sleeping at the bus depot.")
    page.get_by_label("What they want help with first").fill("A bed tonight.")
    page.get_by_label("They agreed to us recording their information").check()
    page.get_by_label("First follow-up").fill(today.isoformat())
    page.get_by_role("button", name="Save intake").click()
    # The server's own check asks for an explicit decision; everything typed is still there.
    page.locator("#different_person-error").wait_for()
    assert (
        page.get_by_label("What is going on").input_value()
        == "New in town, sleeping at the bus depot."
    )
    check_phone_layout(page, "loop-3-intake-confirm-different", browser_page.problems)
    page.get_by_label("This is a different person from the matches shown").check()
    page.get_by_label("They agreed to us recording their information").check()
    page.get_by_role("button", name="Save intake").click()
    page.wait_for_url("**/cases/*")
    assert page.get_by_text("Intake saved for Tomás").is_visible()
    case_url = page.url
    check_phone_layout(page, "loop-4-case", browser_page.problems)

    # Today now lists the new client, due today, with the action that clears it.
    page.get_by_role("link", name="Today").click()
    item = page.locator(".today-item", has_text="Tomás")
    assert item.count() == 1 and "due today" in item.inner_text()
    check_phone_layout(page, "loop-5-today-with-new-client", browser_page.problems)

    item.get_by_role("link", name="Log contact").click()
    page.wait_for_url("**/contacts/new?next=/")
    page.get_by_label("Type").select_option("street_outreach")
    page.get_by_label("What happened").fill("Walked with him to the shelter intake desk.")
    page.get_by_label("Hygiene kit").check()
    page.get_by_label("Next follow-up").fill((today + timedelta(days=3)).isoformat())
    check_phone_layout(page, "loop-6-contact-form", browser_page.problems)
    page.get_by_role("button", name="Save contact").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/" and not urlsplit(url).query)
    assert page.locator(".today-item", has_text="Tomás").count() == 0
    check_phone_layout(page, "loop-7-today-after-contact", browser_page.problems)

    # A referral, then its confirmation to "connected".
    page.goto(case_url)
    page.get_by_role("link", name="Make referral").click()
    # The directory narrows to what is typed, without leaving the page.
    page.get_by_label("Find a service").fill("shelter")
    from playwright.sync_api import expect

    expect(page.locator("#service option")).to_have_count(2)  # "Choose a service…" and the match
    assert "1 service matches your search." in page.locator("#service-field").inner_text()
    page.get_by_label("Service", exact=True).select_option(
        page.locator("#service option", has_text="Emergency shelter bed").get_attribute("value")
    )
    page.get_by_label("Why this referral").fill("Needs a bed while ID is replaced.")
    check_phone_layout(page, "loop-8-referral-form", browser_page.problems)
    # The client agrees to share with the provider, recorded in the same form (issue 17, item 2).
    page.get_by_label("The client agrees that we share what this referral needs").check()
    page.get_by_label("How they agreed").select_option("signed")
    page.get_by_role("button", name="Send referral").click()
    # The referral's page, at the provider's link to share (issue 25).
    page.wait_for_url("**/referrals/*#provider-link")
    check_phone_layout(page, "loop-8b-referral-sent-link", browser_page.problems)
    page.get_by_label("What happened").select_option("connected")
    page.get_by_label("How you know").select_option("in_person")
    page.get_by_label("Note").fill("Checked in at 6 pm.")
    check_phone_layout(page, "loop-9-referral-confirm", browser_page.problems)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(case_url)
    assert page.get_by_text(
        "Referral to Harbor Light Shelter: connected (client attended)."
    ).is_visible()
    check_phone_layout(page, "loop-10-case-after-referral", browser_page.problems)

    with browser_page.app.app_context():
        tomas = db.session.scalar(sa.select(Client).where(Client.preferred_name == "Tomás"))
        referral = db.session.scalar(
            sa.select(Referral).where(Referral.case_id == tomas.cases[0].id)
        )
        assert referral.status == ReferralStatus.CONNECTED
        assert [step.status for step in referral.history] == [
            ReferralStatus.SENT,
            ReferralStatus.CONNECTED,
        ]
