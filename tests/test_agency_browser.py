"""One person across the agency in a real browser at 360×740 (issue 17, items 3 and 4): an
outreach worker registers someone; a Housing First case manager types the same name at quick
intake, sees "known to the agency" and asks for a referral; the outreach worker sees the request
on Today and refers them internally with a sharing consent; the case manager accepts from the
intake queue and reads the intake without retyping it."""

from tests.browser import sign_in
from tests.conftest import PASSWORD
from tests.test_phone_layout import browser_page, check_phone_layout  # noqa: F401  (fixture)
from webapp.models import Role
from webapp.timeutil import local_today


def sign_out(page) -> None:
    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")


def test_found_across_the_agency_referred_and_accepted_on_a_phone(
    browser_page,  # noqa: F811
    make_program,
    make_user,
):
    page = browser_page.page
    with browser_page.app.app_context():
        outreach = make_program("Street Outreach")
        housing = make_program("Housing First")
        make_user(Role.OUTREACH_WORKER, [outreach], email="sam@agency.test", name="Sam Whitfield")
        make_user(Role.CASE_MANAGER, [housing], email="ana@agency.test", name="Ana Torres")
        today = local_today()

    # Street Outreach registers Maria.
    sign_in(page, "sam@agency.test", PASSWORD)
    page.get_by_role("link", name="New intake").click()
    page.wait_for_url("**/clients/new")
    page.get_by_label("First name, street name or alias").fill("Maria")
    page.get_by_label("Full legal name").fill("Maria Lopez")
    page.get_by_label("Or their approximate age").fill("42")
    page.get_by_label("Phone").fill("555-0134")
    page.get_by_label("What is going on").fill("Sleeping behind the library since March.")
    page.get_by_label("What they want help with first").fill("A room of her own.")
    page.get_by_label("Strengths and supports they bring").fill("Her sister visits weekly.")
    page.get_by_label("They agreed to us recording their information").check()
    page.get_by_label("First follow-up").fill(today.isoformat())
    page.get_by_role("button", name="Save intake").click()
    page.wait_for_url("**/cases/*")
    outreach_case = page.url
    client_id = page.locator(".breadcrumb").inner_text().split("·")[-1].strip()
    sign_out(page)

    # Housing First types the same name at quick intake: known to the agency, never the record.
    sign_in(page, "ana@agency.test", PASSWORD)
    page.get_by_role("link", name="New intake").click()
    page.wait_for_url("**/clients/new")
    page.get_by_label("First name, street name or alias").fill("Maria")
    page.get_by_label("Full legal name").fill("Maria Lopez")
    page.get_by_label("What is going on").fill("Came to the drop-in asking about housing.")
    card = page.locator("#agency-card")
    card.wait_for(timeout=5000)
    text = card.inner_text()
    assert "Known to the agency" in text and "Street Outreach" in text
    assert "Sam Whitfield" in text and "same name" in text
    assert client_id not in page.content() and "555" not in text
    check_phone_layout(page, "agency-1-known-to-the-agency", browser_page.problems)
    card.get_by_role("button", name="Ask for a referral").click()
    page.get_by_text("Asked. Your request is on Sam Whitfield's Today.").wait_for()
    # Still on the intake form, with what was typed.
    assert (
        page.get_by_label("What is going on").input_value()
        == "Came to the drop-in asking about housing."
    )
    check_phone_layout(page, "agency-2-asked", browser_page.problems)
    sign_out(page)

    # Street Outreach sees the request on Today and refers Maria with her consent.
    sign_in(page, "sam@agency.test", PASSWORD)
    item = page.locator(".today-item", has_text="asks you to refer")
    assert (
        "Ana Torres (Housing First) asks you to refer someone matching \u2018Maria Lopez\u2019"
        in item.inner_text()
    )
    assert "Maria" in item.inner_text()
    check_phone_layout(page, "agency-3-request-on-today", browser_page.problems)
    item.get_by_role("link", name="Refer").click()
    page.wait_for_url("**/referrals/new*")
    section = page.locator("#internal-referral")
    assert section.get_by_label("Program", exact=True).input_value() != "0"  # Housing First chosen
    section.get_by_label("What the program should know").fill("Ready for a Housing First flat.")
    section.get_by_label(
        "The client agrees that we share their intake and assessment with this program"
    ).check()
    section.get_by_label("How the client gave it").select_option("verbal")
    section.get_by_label("Who else heard it").fill("Lee Lead")
    check_phone_layout(page, "agency-4-internal-referral-form", browser_page.problems)
    section.get_by_role("button", name="Send to the program").click()
    page.wait_for_url(outreach_case)
    assert page.get_by_text("Referral to Housing First sent").is_visible()
    listed = page.locator("#internal-referrals").inner_text()
    assert "Housing First" in listed and "Waiting for the program's decision" in listed
    assert page.locator(".today-item", has_text="asks you to refer").count() == 0
    check_phone_layout(page, "agency-5-referring-case", browser_page.problems)
    sign_out(page)

    # Housing First accepts from the intake queue, which Today leads to: a case on the same
    # client, intake carried.
    sign_in(page, "ana@agency.test", PASSWORD)
    decide = page.locator(".today-item", has_text="Referred by Street Outreach, as you asked")
    assert "Maria" in decide.inner_text()
    check_phone_layout(page, "agency-6-today-referral-to-decide", browser_page.problems)
    decide.get_by_role("link", name="Decide").click()
    page.wait_for_url("**/intake-queue/internal/*")
    page.get_by_role("link", name="Intake queue").click()
    page.locator("#internal-referrals").get_by_role("link", name="Maria").click()
    page.wait_for_url("**/intake-queue/internal/*")
    assert "Sleeping behind the library since March." in page.locator("#snapshot").inner_text()
    check_phone_layout(page, "agency-7-intake-queue-referral", browser_page.problems)
    page.get_by_role("button", name="Accept and open a case").click()
    page.wait_for_url("**/cases/*")
    assert page.url != outreach_case
    assert page.get_by_text("Came by referral from Street Outreach").is_visible()
    intake = page.locator("section", has_text="Intake").last.inner_text()
    assert "Sleeping behind the library since March." in intake
    assert "A room of her own." in intake and "Her sister visits weekly." in intake
    assert client_id in page.locator(".breadcrumb").inner_text()  # the same persistent ID
    check_phone_layout(page, "agency-8-accepted-case", browser_page.problems)
    sign_out(page)

    # Street Outreach sees it accepted.
    sign_in(page, "sam@agency.test", PASSWORD)
    page.goto(outreach_case)
    assert "Accepted" in page.locator("#internal-referrals").inner_text()
