"""Merging at 360×740 on the demo (issue 17): an outreach worker suggests a merge, the supervisor
finds it on Today, compares, merges, and the old ID opens the survivor."""

import sqlalchemy as sa

from tests.browser import PHONE, sign_in
from tests.test_phone_layout import browser_page, check_phone_layout  # noqa: F401  (fixture)
from webapp.extensions import db
from webapp.jobs import demo
from webapp.models import Client


def test_a_suggested_duplicate_is_merged_and_its_old_id_opens_the_survivor(browser_page):  # noqa: F811
    page = browser_page.page
    with browser_page.app.app_context():
        demo.load()
        db.session.commit()
        jose = db.session.scalar(sa.select(Client).where(Client.preferred_name == "José"))
        second = db.session.scalar(sa.select(Client).where(Client.preferred_name == "Jose"))
        jose_id, second_id = jose.display_id, second.display_id

    # The demo's outreach worker already suggested it; the supervisor finds it on Today.
    sign_in(page, "supervisor@demo.example", "quiet-river-lantern")
    item = page.locator(".today-item", has_text="are one person")
    assert f"{second_id} and {jose_id} (José)" in item.inner_text()
    item.get_by_role("link", name="Compare").click()
    page.wait_for_url(f"**/clients/{second_id}/merge?other={jose_id}")
    assert page.get_by_text("Same phone number").is_visible()
    check_phone_layout(page, "merge-1-compare", browser_page.problems)

    # Keep José's full record: merge the second record into it instead.
    page.get_by_role("link", name=f"Keep {jose_id} instead").click()
    page.wait_for_url(f"**/clients/{jose_id}/merge?other={second_id}")
    page.get_by_role("button", name=f"Merge into {jose_id}").click()
    # Refused without the tick, and the choices are kept.
    page.locator("#confirm-error").wait_for()
    page.get_by_label("These two records are the same person").check()
    page.get_by_role("button", name=f"Merge into {jose_id}").click()
    page.wait_for_url(f"**/clients/{jose_id}")
    assert page.get_by_text(f"Merged: {second_id} now leads to this record.").is_visible()
    assert "Jose Nunez" in page.locator(".facts").inner_text()  # the other's names are aliases
    # Two open cases in one program now: each button says whose it is.
    assert page.get_by_role("link", name="Log contact: Street Outreach (Ngozi Eze)").is_visible()
    check_phone_layout(page, "merge-2-merged", browser_page.problems)

    # The old ID opens the survivor, typed or searched; the suggestion has left Today.
    page.goto(f"/clients/{second_id}")
    page.wait_for_url(f"**/clients/{jose_id}")
    page.goto(f"/clients?q={second_id}")
    assert page.locator(f"a[href='/clients/{jose_id}']").count() >= 1
    page.goto("/")
    assert page.locator(".today-item", has_text="are one person").count() == 0
    assert not browser_page.problems, browser_page.problems

    # Two cases now hang on José's one record, each in its own program's list.
    second_page = page.context.browser.new_context(viewport=PHONE, base_url=page.url.rstrip("/"))
    worker = second_page.new_page()
    sign_in(worker, "outreach2@demo.example", "winter-garden-pathway")
    worker.goto(f"/clients/{second_id}")
    worker.wait_for_url(f"**/clients/{jose_id}")
    second_page.close()
