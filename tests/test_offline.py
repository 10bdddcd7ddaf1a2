"""Offline entry in a real browser at phone size: forms kept on the phone, sent once when the
signal returns, refusals kept with the server's words, nothing left behind at sign-out."""

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import Error as PlaywrightError

from tests.browser import sign_in
from tests.test_phone_layout import BrowserPage, browser_page, check_phone_layout  # noqa: F401  (fixture)
from webapp.extensions import db
from webapp.forms.cases import local_now
from webapp.jobs import demo
from webapp.models import Case, Client, ContactLog, User

SHELLS_KEPT = """async () => {
  for (const name of await caches.keys()) {
    if (!name.startsWith('waymark-shells-')) continue;
    const cache = await caches.open(name);
    if (await cache.match('/forms/intake') && await cache.match('/forms/contact')) return true;
  }
  return false;
}"""
LEFT_BEHIND = """async () => {
  const cached = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      cached.push(name + ' ' + new URL(request.url).pathname);
    }
  }
  return {
    cached,
    outbox: await WaymarkOutbox.all(),
    caseload: (await WaymarkOutbox.kvGet('caseload')) || null,
    localStorage: Object.keys(localStorage),
    htmxHistory: sessionStorage.getItem('htmx-history-cache'),
  };
}"""


def wait_until(page, script, seconds=15):
    """Poll an async page function until it yields true (wait_for_function takes a Promise as
    truthy)."""
    for _ in range(seconds * 10):
        try:
            if page.evaluate(script):
                return
        except PlaywrightError as error:  # the page is reloading: ask again once it is back
            if "context was destroyed" not in str(error):
                raise
        page.wait_for_timeout(100)
    state = page.evaluate(
        "() => navigator.serviceWorker.getRegistration().then(r => r ? "
        "[r.installing && r.installing.state, r.waiting && r.waiting.state, r.active && "
        "r.active.state,"
        " r.active && r.active.scriptURL] : 'no registration')"
    )
    raise AssertionError(f"never became true: {script} (service worker: {state})")


def waiting_count(page):
    return page.evaluate("() => WaymarkOutbox.all().then(entries => entries.length)")


def test_forms_filled_offline_are_sent_once_when_back_online(browser_page):  # noqa: F811
    page = browser_page.page
    with browser_page.app.app_context():
        demo.load()
        db.session.commit()
        jose_case = db.session.scalar(
            sa.select(Case).join(Case.client).where(Client.preferred_name == "José")
        )
        jose_case_id = jose_case.id
        contacts_before = db.session.scalar(sa.select(sa.func.count()).select_from(ContactLog))
    page.on("dialog", lambda dialog: dialog.accept())
    context = page.context

    sign_in_as_outreach(page)

    # Offline: a quick intake, a contact for the client just made, and one for a known client.
    context.set_offline(True)
    page.goto("/clients/new")
    page.get_by_label("First name, street name or alias").fill("Nadia")
    page.get_by_label("What is going on").fill("Sleeping in a car by the river.")
    page.get_by_label("They agreed to us recording their information").check()
    page.get_by_role("button", name="Save intake").click()
    page.get_by_text("Saved on this phone — it will be sent when you are online.").wait_for()
    assert page.locator("#outbox-badge [data-count]").inner_text() == "1"
    check_phone_layout(page, "offline-1-intake-saved", browser_page.problems)

    page.goto("/forms/contact")
    page.get_by_label("Who").select_option(
        label=page.locator("#case-picker option", has_text="Nadia").inner_text()
    )
    page.get_by_label("What happened").fill("Brought a blanket and water.")
    page.get_by_role("button", name="Save contact").click()
    page.get_by_text("Saved on this phone").wait_for()

    page.goto(
        f"/cases/{jose_case_id}/contacts/new"
    )  # the shell, with José's case picked from the caseload
    page.wait_for_function(
        "() => (document.querySelector('#case-picker option:checked') || {}).textContent"
        "?.includes('José')"
    )
    page.get_by_label("What happened").fill("Checked in by phone about the clinic.")
    page.get_by_role("button", name="Save contact").click()
    page.get_by_text("Saved on this phone").wait_for()
    check_phone_layout(page, "offline-2-contact-saved", browser_page.problems)

    page.reload()  # still offline: the form and the queue are still there
    assert page.get_by_label("What happened").is_visible()
    assert waiting_count(page) == 3
    page.goto("/outbox")
    page.locator("#outbox-list li").nth(2).wait_for()
    assert page.locator("#outbox-list li").count() == 3
    check_phone_layout(page, "offline-3-outbox", browser_page.problems)
    queued = page.evaluate("() => WaymarkOutbox.all()")

    # Back online: everything is sent, in order, exactly once.
    context.set_offline(False)
    page.get_by_role("button", name="Send now").click()
    wait_until(page, "() => WaymarkOutbox.all().then(entries => entries.length === 0)")
    page.get_by_text("Everything is sent.").wait_for()
    # The same outbox replayed again creates nothing more.
    page.evaluate(
        "entries => Promise.all(entries.map(e => WaymarkOutbox.put(e))).then(() => "
        "WaymarkOutbox.replayAll())",
        queued,
    )
    assert waiting_count(page) == 0
    with browser_page.app.app_context():
        nadia = db.session.scalars(sa.select(Client).where(Client.preferred_name == "Nadia")).all()
        assert len(nadia) == 1
        assert nadia[0].persistent_id == queued[0]["fields"][
            [f[0] for f in queued[0]["fields"]].index("persistent_id")
        ][1].replace("-", "")
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(ContactLog))
            == contacts_before + 2
        )
        assert len(nadia[0].cases[0].contacts) == 1

    # A refused entry is kept, with the server's words, until it is fixed.
    context.set_offline(True)
    page.goto(f"/cases/{jose_case_id}/contacts/new")
    page.get_by_role("button", name="Save contact").click()  # no note
    page.get_by_text("Saved on this phone").wait_for()
    context.set_offline(False)
    page.goto("/outbox")
    page.get_by_role("button", name="Send now").click()
    page.get_by_text("Not accepted: What happened: Write a short note").wait_for()
    check_phone_layout(page, "offline-4-refused-kept", browser_page.problems)
    page.get_by_role("link", name="Open and fix").click()
    page.get_by_text("Fixing an entry saved on this phone").wait_for()
    page.get_by_label("What happened").fill("Left a message with the shelter desk.")
    page.get_by_role("button", name="Save contact").click()
    page.wait_for_url(f"**/cases/{jose_case_id}")
    assert waiting_count(page) == 0

    # Signing out leaves no client data on the phone.
    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    left = page.evaluate(LEFT_BEHIND)
    assert left["outbox"] == [] and left["caseload"] is None and left["localStorage"] == []
    assert not left["htmxHistory"]
    assert all(entry.split(" ")[0].startswith("waymark-static-") for entry in left["cached"]), left[
        "cached"
    ]
    assert browser_page.problems == []


def sign_in_as_outreach(page):
    sign_in(page, "outreach@demo.example", "orange-bicycle-harbour")
    # A page that loaded while the new worker was still activating is only controlled from its
    # next navigation, as on a real phone; take that next step here.
    wait_until(
        page, "() => navigator.serviceWorker.ready.then(r => r.active.state === 'activated')"
    )
    if not page.evaluate("() => !!navigator.serviceWorker.controller"):
        page.reload()
    wait_until(page, "() => !!navigator.serviceWorker.controller")
    wait_until(page, SHELLS_KEPT)
    wait_until(page, "() => WaymarkOutbox.kvGet('caseload').then(c => !!c && c.cases.length > 0)")


def queue_contact_offline(page, note):
    page.context.set_offline(True)
    page.goto("/forms/contact")
    page.get_by_label("Who").select_option(index=1)
    page.get_by_label("What happened").fill(note)
    page.get_by_role("button", name="Save contact").click()
    page.get_by_text("Saved on this phone").wait_for()


@pytest.fixture
def outreach_on_demo(browser_page) -> BrowserPage:  # noqa: F811
    """The demo organisation, and its outreach worker signed in with the service worker in
    control."""
    with browser_page.app.app_context():
        demo.load()
        db.session.commit()
    sign_in_as_outreach(browser_page.page)
    return browser_page


def test_background_sync_sends_the_outbox_with_no_page_open(outreach_on_demo):
    page = outreach_on_demo.page
    origin = page.evaluate("() => location.origin")
    queue_contact_offline(page, "Sent by the service worker alone.")
    page.goto("about:blank")  # no page code runs from here on
    page.context.set_offline(False)

    cdp = page.context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if registrations:
            break
        page.wait_for_timeout(100)
    registration = next(r for r in registrations if r["scopeURL"].startswith(origin))
    cdp.send(
        "ServiceWorker.dispatchSyncEvent",
        {
            "origin": origin,
            "registrationId": registration["registrationId"],
            "tag": "waymark-outbox",
            "lastChance": False,
        },
    )
    for _ in range(100):
        with outreach_on_demo.app.app_context():
            if db.session.scalar(
                sa.select(ContactLog).where(ContactLog.note == "Sent by the service worker alone.")
            ):
                break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("the sync event did not send the queued contact")


def test_signing_out_warns_about_unsent_entries(outreach_on_demo):
    page = outreach_on_demo.page
    queue_contact_offline(page, "")  # no note: the server will refuse it
    page.context.set_offline(False)
    page.goto("/outbox")
    page.get_by_role("button", name="Send now").click()
    page.get_by_text("Not accepted").wait_for()

    asked: list[str] = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept() if len(asked) == 1 else dialog.dismiss()

    page.on("dialog", answer)
    page.goto("/")
    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    for _ in range(50):
        if len(asked) == 2:
            break
        page.wait_for_timeout(100)
    assert "1 saved on this phone and not sent yet" in asked[0]
    assert "could not be sent yet" in asked[1]
    assert urlsplit(page.url).path == "/"  # still signed in: the worker chose to stay
    assert waiting_count(page) == 1


@pytest.fixture
def replaceable_worker(tmp_path, monkeypatch):
    """A copy of sw.js the test can change, served at /sw.js."""
    from webapp.routes import pwa

    worker = tmp_path / "sw.js"
    worker.write_text(pwa.SERVICE_WORKER.read_text())
    monkeypatch.setattr(pwa, "SERVICE_WORKER", worker)
    return worker


def test_a_new_version_of_the_app_is_offered_with_a_reload(replaceable_worker, outreach_on_demo):
    worker = replaceable_worker
    page = outreach_on_demo.page
    worker.write_text(worker.read_text().replace('var VERSION = "', 'var VERSION = "next-'))
    page.evaluate("() => navigator.serviceWorker.getRegistration().then(r => r.update())")
    page.locator("#update-banner").wait_for(state="visible")
    check_phone_layout(page, "offline-5-update-offered", outreach_on_demo.problems)
    page.locator("#update-banner").get_by_role("button", name="Reload").click()
    # Cache names are "waymark-static-<static files' hash>-<VERSION>" (routes/pwa.py).
    wait_until(
        page,
        "() => caches.keys().then(names => names.some(n => "
        "/^waymark-static-[0-9a-f]+-next-/.test(n)) "
        "&& !names.some(n => /^waymark-static-[0-9a-f]+-\\d+$/.test(n)))",
    )


def test_a_replayed_intake_still_moves_its_queued_contacts_to_the_reissued_id(outreach_on_demo):
    """The server saved an intake whose phone-made ID was taken, but its answer never reached the
    phone: the replay is all the phone hears, and the contact queued under the phone-made ID must
    follow the new one, not land on the client who already held it."""
    page = outreach_on_demo.page
    key = page.evaluate("() => crypto.randomUUID()")
    with outreach_on_demo.app.app_context():
        worker = db.session.scalar(sa.select(User).where(User.email == "outreach@demo.example"))
        jose = db.session.scalar(sa.select(Client).where(Client.preferred_name == "José"))
        taken, jose_id, worker_id = jose.display_id, jose.id, worker.id
        intake = [
            ["preferred_name", "Odessa Quill"],
            ["program", str(worker.programs[0].id)],
            ["consent_given", "y"],
            ["consent_method", "verbal"],
            ["different_person", "y"],
            ["persistent_id", taken],
            ["presenting_circumstances", "Met at the bus station."],
        ]
        contact = [
            ["occurred_at", local_now().strftime("%Y-%m-%dT%H:%M")],
            ["contact_type", "phone"],
            ["note", "Queued after Odessa's intake."],
        ]
        first = (
            outreach_on_demo.app.test_client(user=worker)
            .post(
                "/clients/new",
                data=dict(intake),
                headers={"Idempotency-Key": key, "X-Waymark-Outbox": "background"},
            )
            .get_json()
        )
        assert first["client_id_reissued"].split(" ")[0] == taken  # the answer that was lost

    left = page.evaluate(
        """async ([key, intake, contact, taken, userId]) => {
      const created = Date.now();
      await WaymarkOutbox.put({id: key, url: "/clients/new", fields: intake, userId, created,
                               label: "Intake", state: "waiting", message: ""});
      await WaymarkOutbox.put({id: crypto.randomUUID(), url: "/clients/" + taken + "/contacts/new",
                               fields: contact, userId, created: created + 1, label: "Contact",
                               state: "waiting", message: ""});
      await WaymarkOutbox.replayAll();
      return WaymarkOutbox.all();
    }""",
        [key, intake, contact, taken, worker_id],
    )
    assert left == []
    with outreach_on_demo.app.app_context():
        logged = db.session.scalar(
            sa.select(ContactLog).where(ContactLog.note == "Queued after Odessa's intake.")
        )
        odessa = db.session.scalars(
            sa.select(Client).where(Client.preferred_name == "Odessa Quill")
        ).one()
        assert logged.case.client_id == odessa.id != jose_id
        assert odessa.display_id == first["client_id_reissued"].split(" ")[1]
    assert outreach_on_demo.problems == []


def test_a_caseload_arriving_late_on_a_slow_line_is_not_kept_after_sign_out(outreach_on_demo):
    """A bad day: the kept caseload is being refreshed on a slow line when the worker signs out.
    Its answer must not land on the phone after sign-out cleared it (it names every client)."""
    page = outreach_on_demo.page
    page.evaluate(
        "() => WaymarkOutbox.kvGet('caseload').then(c => { c.fetched = 0; "
        "return WaymarkOutbox.kvSet('caseload', c); })"
    )
    held: dict[str, list] = {"caseload": [], "logout": []}
    page.route("**/offline/caseload.json", lambda route: held["caseload"].append(route))
    page.route("**/logout", lambda route: held["logout"].append(route))
    page.goto("/")
    for _ in range(100):
        if held["caseload"]:
            break
        page.wait_for_timeout(100)
    assert held["caseload"], "the caseload refresh never started"
    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    for _ in range(100):
        if held["logout"]:
            break
        page.wait_for_timeout(100)
    assert held["logout"], "sign-out never reached the server"
    # The phone is cleared and the sign-out is on its way; now the slow caseload arrives.
    held["caseload"][0].continue_()
    page.wait_for_timeout(1000)
    assert page.evaluate("() => WaymarkOutbox.kvGet('caseload')") is None
    held["logout"][0].continue_()
    page.wait_for_url("**/login")
    left = page.evaluate(LEFT_BEHIND)
    assert left["caseload"] is None
