"""/reports in Chromium on the demo organisation: at phone width and at desktop width."""

from tests.browser import sign_in
from tests.test_phone_layout import SCREENSHOTS, browser_page, check_phone_layout  # noqa: F401  (fixture)
from webapp.extensions import db
from webapp.jobs import demo


def test_reports_read_on_a_phone_and_on_a_desk(browser_page):  # noqa: F811
    page = browser_page.page
    with browser_page.app.app_context():
        demo.load()
        db.session.commit()
    sign_in(page, "supervisor@demo.example", "quiet-river-lantern")
    page.goto("/reports")
    charts = page.locator("svg.bar-chart")
    assert charts.count() == 8
    # Each chart fits the phone's width; its figures scroll sideways inside their own panel.
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    for key in ("referrals", "providers"):
        rows = page.locator(f"#{key} .report-table th[scope=row]")
        assert rows.first.inner_text() == "All providers"
    # A table wider than the phone scrolls inside a region a screen reader names and a keyboard
    # can reach, never the page (issue 18, item 15).
    regions = page.locator(".report-table").evaluate_all(
        """tables => tables.map(table => {
          const region = table.parentElement;
          return [region.getAttribute('role'), region.getAttribute('aria-label'),
                  region.tabIndex, region.scrollWidth > region.clientWidth];
        })"""
    )
    assert all(role == "region" and name and tab == 0 for role, name, tab, _ in regions), regions
    assert any(wide for *_, wide in regions), "no table was wider than the phone: nothing checked"
    check_phone_layout(page, "reports-phone", browser_page.problems)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    chart, table = (
        page.locator("#outcomes svg.bar-chart").bounding_box(),
        page.locator("#outcomes .report-table").bounding_box(),
    )
    # On a desk the chart grows with the column (up to a readable size); the figures follow it.
    assert chart["width"] > 400 and table["y"] >= chart["y"] + chart["height"], (chart, table)
    page.screenshot(path=str(SCREENSHOTS / "reports-desktop.png"), full_page=True)

    # A filter mistake is shown beside its field and the rest of the choice is kept.
    page.get_by_label("From", exact=True).fill("2026-06-01")
    page.get_by_label("To", exact=True).fill("2025-06-01")
    page.get_by_label("Cases", exact=True).select_option("closed")
    page.get_by_role("button", name="Show").click()
    assert "The end date is before the start date." in page.locator("#until-field").inner_text()
    assert page.get_by_label("Cases", exact=True).input_value() == "closed"
    assert not browser_page.problems, browser_page.problems
