"""The provider form on a phone (360×740): the address in parts fits without scrolling sideways,
and a website that is not a web address is refused beside the field."""

from __future__ import annotations

import pyotp
import sqlalchemy as sa

from tests.browser import CHROMIUM, LAUNCH_ARGS, PHONE, live_server, require_chromium
from tests.conftest import PASSWORD, TOTP_SECRET
from webapp.extensions import db
from webapp.models import Provider, Role


def test_the_provider_form_on_a_phone(app, make_user, tmp_path):
    sync_playwright = require_chromium()
    admin = make_user(Role.ADMIN)
    with live_server(app) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        page = browser.new_context(viewport=PHONE, base_url=base).new_page()
        page.goto("/login")
        page.get_by_label("Email").fill(admin.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_label("6-digit code from your authenticator app").fill(
            pyotp.TOTP(TOTP_SECRET).now()
        )
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url("**/")
        page.goto("/admin/providers/new")
        page.get_by_label("Organisation name").fill("Harbor Light Shelter")
        page.get_by_label("Website").fill("https://harbor.example/beds|meals")
        page.get_by_label("Street address").fill("12 Quay Street")
        page.get_by_label("Town or city").fill("Portside")
        page.get_by_label("State, province or region").fill("CA")
        page.get_by_label("Postal code").fill("94000")
        page.get_by_label("Country").fill("US")
        page.get_by_role("button", name="Save").click()
        error = page.locator("#website-error")
        error.wait_for()
        assert "A web address cannot have “|”." in error.inner_text()
        # What was typed is kept.
        assert page.get_by_label("Street address").input_value() == "12 Quay Street"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=str(tmp_path / "provider-form.png"), full_page=True)
        page.get_by_label("Website").fill("https://harbor.example/beds")
        page.get_by_role("button", name="Save").click()
        page.wait_for_url("**/admin/providers")
        browser.close()
    db.session.rollback()  # what the server committed, not this session's older snapshot
    provider = db.session.scalar(sa.select(Provider))
    assert provider.address == "12 Quay Street, Portside, CA, 94000"
    assert provider.country == "US"
