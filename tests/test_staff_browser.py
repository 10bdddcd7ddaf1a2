"""Staff accounts in real browsers at 360×740 (issue 21, items 1 and 2): an admin invites a new
outreach worker on their phone; the new colleague opens the set-up link on theirs (not signed in),
chooses a password, signs in and finds their program; the admin adds them to a case's team and
they see the case."""

import pyotp

from tests.browser import PHONE
from tests.conftest import PASSWORD, TOTP_SECRET
from tests.test_phone_layout import browser_page, check_phone_layout  # noqa: F401  (fixture)
from webapp.models import Role

NEW_PASSWORD = "river lantern copper orchard"


def test_an_admin_invites_a_worker_who_sets_up_on_their_phone(
    browser_page,  # noqa: F811
    make_program,
    make_user,
    make_case,
):
    page = browser_page.page
    with browser_page.app.app_context():
        street = make_program("Street Outreach")
        make_program("Housing First")
        make_user(Role.ADMIN, email="priya@agency.test", name="Priya Raman")
        sam = make_user(Role.OUTREACH_WORKER, [street], name="Sam Whitfield")
        case_url = f"/cases/{make_case(street, sam, name='Dee', follow_up_in_days=0).id}"

    # The admin signs in in two steps, and invites Jordan.
    page.goto("/login")
    page.get_by_label("Email").fill("priya@agency.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/login/code")
    page.get_by_label("6-digit code from your authenticator app").fill(
        pyotp.TOTP(TOTP_SECRET).now()
    )
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/")
    page.goto("/admin/users")
    page.get_by_role("link", name="Invite someone").click()
    page.get_by_label("Email").fill("jordan@agency.test")
    page.get_by_label("Name").fill("Jordan Lee")
    page.get_by_label("Role").select_option("outreach_worker")
    page.get_by_label("Street Outreach").check()
    check_phone_layout(page, "staff-1-invite", browser_page.problems)
    page.get_by_role("button", name="Invite").click()
    link = page.locator("#setup-link-url").input_value()
    assert "/welcome/" in link
    check_phone_layout(page, "staff-2-link", browser_page.problems)

    # Jordan, on their own phone.
    origin = link.split("/welcome/")[0]
    jordan = page.context.browser.new_context(viewport=PHONE, base_url=origin).new_page()
    problems: list[str] = []
    jordan.on("pageerror", lambda error: problems.append(str(error)))
    jordan.goto(link)
    assert "jordan@agency.test" in jordan.locator("main").inner_text()
    jordan.get_by_label("Choose a password").fill(NEW_PASSWORD)
    jordan.get_by_label("The same password again").fill(NEW_PASSWORD)
    check_phone_layout(jordan, "staff-3-set-up", problems, staff_page=False)
    jordan.get_by_role("button", name="Set my password").click()
    jordan.wait_for_url("**/login")
    jordan.get_by_label("Email").fill("jordan@agency.test")
    jordan.get_by_label("Password").fill(NEW_PASSWORD)
    jordan.get_by_role("button", name="Sign in").click()
    jordan.wait_for_url("**/")
    jordan.goto("/clients/new")
    assert "Street Outreach" in jordan.locator("main").inner_text()
    check_phone_layout(jordan, "staff-4-first-intake", problems)

    page.goto("/admin/users")
    row = page.locator("#staff-list li", has_text="Jordan Lee").inner_text()
    assert "Waiting for set-up" not in row and "Never signed in" not in row
    check_phone_layout(page, "staff-5-list", browser_page.problems)

    # The admin puts Jordan on Sam's case's team (issue 21, item 2): its follow-up due today is
    # then on Jordan's Today too.
    jordan.goto("/")
    assert "Dee" not in jordan.locator("main").inner_text()
    page.goto(case_url)
    page.get_by_text("Add a colleague to the team").click()
    page.get_by_label("Colleague").select_option(label="Jordan Lee")
    page.get_by_label("Their part on this case").select_option("co_worker")
    page.get_by_role("button", name="Add to the team").click()
    page.get_by_text("Jordan Lee is on this case's team").wait_for()
    assert "Co-worker" in page.locator("#team").inner_text()
    check_phone_layout(page, "staff-6-team", browser_page.problems)
    jordan.goto("/")
    assert "Dee" in jordan.locator("main").inner_text()
    check_phone_layout(jordan, "staff-7-team-members-today", problems)
