"""The record of each listed service on the referral form, at phone size, in Spanish (about a
quarter longer than English)."""

from tests.browser import sign_in
from tests.conftest import PASSWORD
from tests.test_phone_layout import SCREENSHOTS, browser_page, check_phone_layout  # noqa: F401  (fixture)
from tests.test_referral_outcomes import histories  # noqa: F401  (fixture)
from webapp.extensions import db


def test_the_services_record_fits_a_phone(browser_page, histories):  # noqa: F811
    from playwright.sync_api import expect

    page = browser_page.page
    # The records were made in the test's own app context, and are changed in it too.
    histories.worker.language = "es"
    db.session.commit()
    email, case_id = histories.worker.email, histories.case.id
    sign_in(page, email, PASSWORD)
    page.goto(f"/cases/{case_id}/referrals/new")
    items = page.locator(".service-record__item")
    assert items.count() == 2
    assert "Acepta 8 de cada 10" in items.nth(1).inner_text()
    check_phone_layout(page, "es-referral-form-record", browser_page.problems)
    page.evaluate("window.scrollBy(0, 250)")
    page.locator("#service-choice").screenshot(path=str(SCREENSHOTS / "es-service-record.png"))
    # Searching narrows the record with the list, in place.
    page.get_by_label("Buscar un servicio").fill("clinic")
    expect(items).to_have_count(1)
    assert "Demasiado pocas" in items.first.inner_text()
    check_phone_layout(page, "es-referral-form-record-search", browser_page.problems)
