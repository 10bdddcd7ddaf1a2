"""The closed loop in real browsers at 360×740 (issue 25): a worker sends a referral and has the
provider's link to share; the provider, in a second browser that is not signed in, accepts with
what they will do, books the appointment and confirms attendance; each step is on the worker's
Today and in the referral's history "confirmed by the provider"; the client's slip is looked at,
on screen and as printed."""

from datetime import timedelta

import sqlalchemy as sa

from tests.browser import PHONE, sign_in
from tests.conftest import PASSWORD
from tests.test_phone_layout import SCREENSHOTS, browser_page, check_phone_layout  # noqa: F401
from webapp.extensions import db
from webapp.models import Provider, Referral, ReferralStatus, Role, Service, User
from webapp.timeutil import local_today


def test_a_referral_answered_by_the_provider_on_their_link(
    browser_page,  # noqa: F811
    make_program,
    make_user,
    make_case,
):
    page = browser_page.page
    with browser_page.app.app_context():
        program = make_program("Street Outreach")
        sam = make_user(
            Role.OUTREACH_WORKER, [program], email="sam@agency.test", name="Sam Whitfield"
        )
        db.session.get(User, sam.id).work_phone = "555-0150"
        case = make_case(program, sam, name="Mai Tran", legal_name="Mai Thi Tran")
        db.session.add(
            Service(
                name="Walk-in primary care",
                category="health",
                hours="Mon–Fri 8:30–17:00",
                what_to_bring="Any medication you take.",
                provider=Provider(
                    name="Riverside Clinic", phone="555-0112", address="41 River Rd, Suite 2"
                ),
            )
        )
        db.session.commit()
        case_url = f"/cases/{case.id}"
        today = local_today()

    sign_in(page, "sam@agency.test", PASSWORD)
    page.goto(case_url)
    page.get_by_role("link", name="Make referral").click()
    page.get_by_label("Service", exact=True).select_option(
        page.locator("#service option", has_text="Walk-in primary care").get_attribute("value")
    )
    page.get_by_label("Why this referral").fill("A cough for three weeks.")
    page.get_by_label("The client agrees that we share what this referral needs").check()
    page.get_by_label("How they agreed").select_option("signed")
    page.get_by_role("button", name="Send referral").click()
    page.wait_for_url("**/referrals/*#provider-link")
    referral_url = page.url.split("#")[0]
    link = page.locator("#provider-link-url").input_value()
    assert "/r/" in link and "555-0112" in page.locator("#provider-contacts").inner_text()
    check_phone_layout(page, "provider-1-referral-sent", browser_page.problems)

    # The provider opens the link on their own phone: not signed in, no account.
    browser = page.context.browser
    provider_context = browser.new_context(viewport=PHONE)
    provider = provider_context.new_page()
    provider_problems: list[str] = []
    provider.on("pageerror", lambda error: provider_problems.append(str(error)))
    provider.goto(link)
    text = provider.locator("main").inner_text()
    assert "Mai" in text and "Tran" not in text and "A cough for three weeks." in text
    assert "Sam Whitfield" in text and "555-0150" in text
    check_phone_layout(provider, "provider-2-page", provider_problems, staff_page=False)

    provider.locator("#answer-accept summary").click()
    provider.get_by_label("What you will do").fill("See her at the walk-in desk")
    provider.get_by_label("By when").fill((today + timedelta(days=2)).isoformat())
    provider.locator("#answer-accept").get_by_role("button", name="Accept the referral").click()
    provider.get_by_text("Thank you: the worker has your answer.").wait_for()
    assert "See her at the walk-in desk" in provider.locator("#commitment").inner_text()

    provider.locator("#answer-schedule summary").click()
    provider.locator("#answer-schedule").get_by_label("Date").fill(today.isoformat())
    provider.locator("#answer-schedule").get_by_label("Time").fill("09:30")
    check_phone_layout(provider, "provider-3-booking", provider_problems, staff_page=False)
    provider.locator("#answer-schedule").get_by_role("button", name="Book an appointment").click()
    provider.get_by_text("Thank you: the worker has your answer.").wait_for()

    provider.locator("#answer-attended summary").click()
    provider.locator("#answer-attended").get_by_label("Note for the worker").fill(
        "Seen by Dr Okafor."
    )
    provider.locator("#answer-attended").get_by_role("button", name="They came").click()
    provider.get_by_text("Thank you: the worker has your answer.").wait_for()
    assert "Connected" in provider.locator("#status").inner_text()
    check_phone_layout(provider, "provider-4-after-attendance", provider_problems, staff_page=False)

    # The worker's Today has each answer, confirmed by the provider.
    page.goto("/")
    answers = page.locator(".today-item", has_text="Confirmed by Riverside Clinic")
    assert answers.count() == 1  # one item per referral, saying the latest answer
    assert "connected (client attended) (3 answers to read)" in answers.first.inner_text()
    check_phone_layout(page, "provider-5-today", browser_page.problems)
    answers.first.get_by_role("link", name="Read").click()
    page.wait_for_url(lambda url: "/referrals/" in url)
    history = page.locator("#history-heading + ol").inner_text()
    assert history.count("Confirmed by the provider") == 3
    assert "Seen by Dr Okafor." in history and "09:30" in history
    check_phone_layout(page, "provider-6-history", browser_page.problems)
    page.goto("/")
    assert page.locator(".today-item", has_text="Confirmed by Riverside Clinic").count() == 0

    # The slip the client carries: where, when, what to bring; nothing of the case.
    page.goto(referral_url + "/slip")
    slip = page.locator("main").inner_text()
    assert "41 River Rd, Suite 2" in slip and "Mon–Fri 8:30–17:00" in slip
    assert "Any medication you take." in slip and "cough" not in slip and "Mai" not in slip
    check_phone_layout(page, "provider-7-slip", browser_page.problems, staff_page=False)
    page.emulate_media(media="print")
    page.screenshot(path=str(SCREENSHOTS / "provider-8-slip-printed.png"), full_page=True)
    assert not page.locator(".topbar").is_visible()
    page.emulate_media(media="screen")

    with browser_page.app.app_context():
        referral = db.session.scalar(sa.select(Referral))
        assert [step.status for step in referral.history] == [
            ReferralStatus.SENT,
            ReferralStatus.ACKNOWLEDGED,
            ReferralStatus.SCHEDULED,
            ReferralStatus.CONNECTED,
        ]
    provider_context.close()
