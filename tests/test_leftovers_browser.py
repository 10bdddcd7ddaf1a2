"""Taking someone off a waiting list without a case, and withdrawing an internal referral
(leftovers), in a real browser at 360×740: the worker opens "Take off the list without a case",
is told a note is needed for "Other", takes the person off, and reads what happened on the entry
and on the client's record; then withdraws the demo's pending referral from the referring case."""

from datetime import timedelta

import sqlalchemy as sa

from tests.test_offline import sign_in_as_outreach
from tests.test_phone_layout import browser_page, check_phone_layout  # noqa: F401  (fixture)
from webapp.extensions import db
from webapp.jobs import demo
from webapp.models import (
    IntakeScreening,
    InternalReferral,
    InternalReferralStatus,
    Program,
    ScreeningOutcome,
    User,
    WaitPriority,
)
from webapp.services import clients
from webapp.timeutil import local_today


def test_off_the_list_without_a_case_and_a_referral_withdrawn_at_phone_size(
    browser_page,  # noqa: F811
):
    page = browser_page.page
    with browser_page.app.app_context():
        demo.load()
        housing = db.session.scalar(sa.select(Program).where(Program.name == demo.HOUSING))
        outreach = db.session.scalar(sa.select(User).where(User.email == "outreach@demo.example"))
        outreach.programs.append(housing)
        housing.intake_closed = True
        client = clients.create_client(
            clients.ClientDetails(preferred_name="Lena Okafor"), created_by=outreach
        )
        lena = IntakeScreening(
            program=housing,
            client=client,
            answers=[],
            qualified=True,
            priority=WaitPriority.NORMAL,
            outcome=ScreeningOutcome.WAITING,
            intake={"presenting_circumstances": "Waiting for a flat."},
            waiting_since=local_today() - timedelta(days=20),
            next_check_in_on=local_today(),
            holding_worker_id=outreach.id,
        )
        db.session.add(lena)
        db.session.commit()
        housing_id, lena_id, display_id = housing.id, lena.id, client.display_id
        referral = db.session.scalar(sa.select(InternalReferral))
        referral_id, from_case_id = referral.id, referral.from_case_id
    sign_in_as_outreach(page)

    # Off the list: "Other" needs a note, said beside it.
    page.goto(f"/waiting/{lena_id}")
    page.get_by_text("Take off the list without a case").click()
    page.get_by_label("Why they come off the list").select_option("other")
    page.get_by_role("button", name="Take off the list", exact=True).click()
    page.locator("#note-error").wait_for()
    assert page.locator("#leave").get_attribute("open") is not None
    check_phone_layout(page, "leftovers-1-leave-needs-a-note", browser_page.problems)
    page.get_by_label("Note").fill("In hospital for months; will call when out.")
    page.get_by_role("button", name="Take off the list", exact=True).click()
    page.wait_for_url(f"**/waiting/{lena_id}")
    text = page.locator("main").inner_text()
    assert "Lena Okafor is off the waiting list" in text
    assert f"Taken off the {demo.HOUSING} waiting list on" in text and "other — by" in text
    assert "In hospital for months" in text
    check_phone_layout(page, "leftovers-2-left-the-list", browser_page.problems)
    page.goto(f"/waiting/programs/{housing_id}")
    assert "Lena Okafor" not in page.locator("main").inner_text()
    page.goto(f"/clients/{display_id}")
    assert (
        f"Taken off the {demo.HOUSING} waiting list on" in page.locator("#screenings").inner_text()
    )
    page.locator("#screenings").scroll_into_view_if_needed()
    check_phone_layout(page, "leftovers-3-client-record", browser_page.problems)

    # The demo's referral of Tyrell to Housing First, withdrawn from his case.
    page.goto(f"/cases/{from_case_id}#internal-referrals")
    page.get_by_role("link", name="Withdraw this referral").click()
    page.get_by_role("button", name="Withdraw the referral").click()
    page.locator("#reason-error").wait_for()
    page.get_by_label("Why it is withdrawn").fill("Tyrell wants to stay with his brother for now.")
    check_phone_layout(page, "leftovers-4-withdraw", browser_page.problems)
    page.get_by_role("button", name="Withdraw the referral").click()
    page.wait_for_url(f"**/cases/{from_case_id}#internal-referrals")
    section = page.locator("#internal-referrals")
    assert "Withdrawn on" in section.inner_text()
    assert "Tyrell wants to stay with his brother for now." in section.inner_text()
    section.scroll_into_view_if_needed()
    check_phone_layout(page, "leftovers-5-case-shows-withdrawal", browser_page.problems)
    with browser_page.app.app_context():
        referral = db.session.get(InternalReferral, referral_id)
        assert referral.status == InternalReferralStatus.WITHDRAWN and referral.snapshot == {}
