"""The ordinary bad days of offline work, at phone size: the app opened offline, a deploy, a slow
link, two workers on one phone, a form refused twice. The forms stay, and nothing typed is lost."""

from __future__ import annotations

import re
import threading
import time
from urllib.parse import urlsplit

import sqlalchemy as sa

from tests.browser import sign_in
from tests.test_offline import (  # noqa: F401  (fixtures)
    SHELLS_KEPT,
    outreach_on_demo,
    queue_contact_offline,
    replaceable_worker,
    sign_in_as_outreach,
    wait_until,
    waiting_count,
)
from tests.test_phone_layout import browser_page, check_phone_layout  # noqa: F401  (fixture)
from webapp.extensions import db
from webapp.models import Case, Client, ContactLog, User

CASELOAD_KEPT = "() => WaymarkOutbox.kvGet('caseload').then(c => !!c && c.cases.length > 0)"


def test_opening_the_app_offline_keeps_the_forms_and_leads_to_them(outreach_on_demo):  # noqa: F811
    """Finding 1: the home-screen icon opens `/`; offline that is the offline page, which knew no
    user and wiped the shells and the caseload as if the worker had signed out."""
    page = outreach_on_demo.page
    queue_contact_offline(page, "Saw her at the library steps.")
    page.goto("/")  # still offline: what the home-screen icon opens
    page.get_by_role("heading", name="You are offline").wait_for()
    page.locator("#offline-waiting").get_by_text("1 saved on this phone").wait_for()
    check_phone_layout(page, "offline-days-1-opened-offline", outreach_on_demo.problems)
    assert page.evaluate(SHELLS_KEPT) and page.evaluate(CASELOAD_KEPT)

    page.get_by_role("link", name="Log a contact").click()
    page.get_by_label("What happened").wait_for()
    page.wait_for_function("() => document.querySelectorAll('#case-picker option').length > 1")
    page.goto("/")
    page.get_by_role("link", name="New intake").click()
    page.get_by_label("First name, street name or alias").wait_for()
    page.goto("/")
    page.get_by_role("link", name="Saved on this phone").click()
    page.locator("#outbox-list li").first.wait_for()
    assert waiting_count(page) == 1
    assert page.evaluate(SHELLS_KEPT) and page.evaluate(CASELOAD_KEPT)


def test_after_a_deploy_a_phone_opened_offline_still_has_its_forms(
    replaceable_worker,  # noqa: F811
    outreach_on_demo,  # noqa: F811
):
    """Finding 2: the new worker's activation deleted the old shells and nothing refilled them."""
    page = outreach_on_demo.page
    replaceable_worker.write_text(
        replaceable_worker.read_text().replace('var VERSION = "', 'var VERSION = "deploy-')
    )
    page.evaluate("() => navigator.serviceWorker.getRegistration().then(r => r.update())")
    page.locator("#update-banner").wait_for(state="visible")
    page.context.set_offline(True)  # the signal goes before the new version is first used
    page.locator("#update-banner").get_by_role("button", name="Reload").click()
    wait_until(
        page,
        "() => caches.keys().then(names =>"
        " names.some(n => /^waymark-shells-[0-9a-f]+-deploy-/.test(n))"
        " && !names.some(n => /^waymark-shells-[0-9a-f]+-\\d+$/.test(n)))",
    )
    page.goto("/forms/intake")
    page.get_by_label("First name, street name or alias").wait_for()
    page.goto("/cases/1/contacts/new")
    page.get_by_label("What happened").wait_for()
    assert page.evaluate(SHELLS_KEPT) and page.evaluate(CASELOAD_KEPT)


class SlowLink:
    """A server whose answers to some pages take `delay` seconds: what a 4.5 s link does to a
    navigation, as the service worker meets it (browser throttling does not slow the worker)."""

    def __init__(self, app):
        self.wsgi_app, self.paths, self.delay = app.wsgi_app, set(), 4.5
        self.in_flight = 0
        self.lock = threading.Lock()
        app.wsgi_app = self

    def __call__(self, environ, start_response):
        with self.lock:
            self.in_flight += 1
        try:
            if environ.get("PATH_INFO") in self.paths:
                time.sleep(self.delay)
            return self.wsgi_app(environ, start_response)
        finally:
            with self.lock:
                self.in_flight -= 1

    def settle(self, seconds: float = 15) -> None:
        """No more delays, and every late answer finished: the test's clean-up must not meet a
        request still reading the database."""
        self.paths = set()
        deadline = time.monotonic() + seconds
        while self.in_flight and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.in_flight == 0, "a slow request never finished"


def test_a_slow_link_shows_the_page_when_it_comes_never_a_false_offline(outreach_on_demo):  # noqa: F811
    """Finding 3: after 4 s every page was "You are offline", and the phone's data was wiped."""
    page = outreach_on_demo.page
    slow = SlowLink(outreach_on_demo.app)
    slow.paths = {"/", "/reminders", "/clients/new"}
    page.goto("/reminders", timeout=20_000)
    assert page.get_by_role("heading", name="You are offline").count() == 0
    page.get_by_role("heading", name="Reminders").wait_for()
    page.goto("/", timeout=20_000)
    assert page.get_by_role("heading", name="You are offline").count() == 0
    page.get_by_role("heading", name="Today").wait_for()
    # A field form on a slow link shows its kept form at once rather than nothing.
    started = time.monotonic()
    page.goto("/clients/new", timeout=20_000)
    page.get_by_label("First name, street name or alias").wait_for()
    assert page.get_by_role("heading", name="You are offline").count() == 0
    assert time.monotonic() - started < 4.4 + 1.5
    assert page.evaluate(SHELLS_KEPT) and page.evaluate(CASELOAD_KEPT)
    slow.settle()  # the answer the kept form stood in for is still on its way


class Unavailable:
    """A server that answers POSTs to some paths with 503 (a deploy, a database restart) until
    told otherwise: the outbox keeps those entries waiting."""

    def __init__(self, app, fragment):
        self.wsgi_app, self.fragment, self.on = app.wsgi_app, fragment, True
        app.wsgi_app = self

    def __call__(self, environ, start_response):
        if (
            self.on
            and environ["REQUEST_METHOD"] == "POST"
            and self.fragment in environ["PATH_INFO"]
        ):
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"Back in a minute."]
        return self.wsgi_app(environ, start_response)


def _sign_out(page, *, send_first: bool, anyway: bool) -> None:
    answers = iter([send_first, anyway])

    def answer(dialog):
        dialog.accept() if next(answers, True) else dialog.dismiss()

    page.on("dialog", answer)
    page.goto("/")
    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    page.remove_listener("dialog", answer)


def test_on_a_shared_phone_one_workers_sign_out_keeps_anothers_unsent_entries(outreach_on_demo):  # noqa: F811
    """Finding 4: worker B's sign-out deleted worker A's entries, after A was told they stay."""
    page = outreach_on_demo.page
    down = Unavailable(outreach_on_demo.app, "/contacts/")
    queue_contact_offline(page, "Left the food bank flyer with her.")
    page.context.set_offline(False)
    _sign_out(page, send_first=True, anyway=True)  # it cannot be sent: A keeps it on the phone
    assert waiting_count(page) == 1

    sign_in(page, "outreach2@demo.example", "winter-garden-pathway")  # B, on the same phone
    with outreach_on_demo.app.app_context():
        b_id = db.session.scalar(sa.select(User.id).where(User.email == "outreach2@demo.example"))
    # User switch: the phone now keeps B's caseload, never A's; A's entries stay, unseen.
    wait_until(
        page, f"() => WaymarkOutbox.kvGet('caseload').then(c => !!c && c.user_id === {b_id})"
    )
    assert page.locator("#outbox-badge").is_hidden()  # B sees nothing of A's
    _sign_out(page, send_first=True, anyway=True)
    assert waiting_count(page) == 1

    down.on = False
    sign_in_as_outreach(page)  # A again: the entry is sent, as A
    wait_until(page, "() => WaymarkOutbox.all().then(entries => entries.length === 0)")
    with outreach_on_demo.app.app_context():
        logged = db.session.scalar(
            sa.select(ContactLog).where(ContactLog.note == "Left the food bank flyer with her.")
        )
        author = db.session.get(User, logged.recorded_by_id)
        assert author.email == "outreach@demo.example"


def test_an_entry_refused_again_while_being_fixed_stays_on_the_phone(outreach_on_demo):  # noqa: F811
    """Finding 5: "Open and fix" refused a second time deleted the entry."""
    page = outreach_on_demo.page
    queue_contact_offline(page, "")  # no note: refused
    page.context.set_offline(False)
    page.goto("/outbox")
    page.get_by_role("button", name="Send now").click()
    page.get_by_text("Not accepted: What happened: Write a short note").wait_for()
    page.get_by_role("link", name="Open and fix").click()
    page.get_by_text("Fixing an entry saved on this phone").wait_for()
    page.get_by_role("button", name="Save contact").click()  # still no note
    page.locator("#note-error").wait_for()
    assert waiting_count(page) == 1
    page.get_by_label("What happened").fill("Phoned the clinic for her.")
    page.get_by_role("button", name="Save contact").click()
    page.wait_for_url("**/cases/*")
    assert waiting_count(page) == 0
    with outreach_on_demo.app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(ContactLog)
                .where(ContactLog.note == "Phoned the clinic for her.")
            )
            == 1
        )


def test_signing_out_offline_ends_the_phones_session_now_and_the_servers_on_reconnect(
    outreach_on_demo,  # noqa: F811
):
    """Finding 6: offline, Sign out showed the browser's "No internet" page after the phone's data
    was wiped, and the server's session stayed alive."""
    page = outreach_on_demo.page
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/")
    page.context.set_offline(True)
    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Signed out on this phone").wait_for()
    check_phone_layout(page, "offline-days-6-signed-out-offline", outreach_on_demo.problems)
    left = page.evaluate(
        "async () => ({caseload: (await WaymarkOutbox.kvGet('caseload')) || null,"
        " shells: (await caches.keys()).filter(n => n.startsWith('waymark-shells-'))})"
    )
    assert left == {"caseload": None, "shells": []}
    with outreach_on_demo.app.app_context():
        worker = db.session.scalar(sa.select(User).where(User.email == "outreach@demo.example"))
        version = worker.session_version

    page.context.set_offline(False)
    page.goto("/")  # the first page online: the server's session ends before it is shown
    page.wait_for_url(re.compile(r"/login(\?|$)"))
    assert page.get_by_label("Password").is_visible()
    with outreach_on_demo.app.app_context():
        worker = db.session.scalar(sa.select(User).where(User.email == "outreach@demo.example"))
        assert worker.session_version == version + 1  # every session of the worker ended


def test_the_outbox_says_who_each_entry_is_for_and_names_the_refused_field(outreach_on_demo):  # noqa: F811
    """Finding 8: the outbox did not say who an entry was for, nor which field was refused."""
    page = outreach_on_demo.page
    with outreach_on_demo.app.app_context():
        jose = db.session.scalar(
            sa.select(Case).join(Case.client).where(Client.preferred_name == "José")
        )
        jose_case = jose.id
    page.context.set_offline(True)
    page.goto(f"/cases/{jose_case}/contacts/new")
    page.wait_for_function(
        "() => (document.querySelector('#case-picker option:checked') || {}).textContent"
        "?.includes('José')"
    )
    page.get_by_role("button", name="Save contact").click()  # no note: it will be refused
    page.get_by_text("Saved on this phone").wait_for()
    page.context.set_offline(False)
    page.goto("/outbox")
    page.get_by_role("button", name="Send now").click()
    page.get_by_text("Contact log: José").wait_for()
    page.get_by_text("Not accepted: What happened: Write a short note").wait_for()
    # The badge says so in words too, not only in red.
    wait_until(
        page, "() => !document.querySelector('#outbox-badge [data-refused]').hasAttribute('hidden')"
    )


def test_a_kept_form_is_dated_now_not_when_it_was_kept(outreach_on_demo):  # noqa: F811
    """Finding 8: the offline "When" held the moment the form was cached."""
    page = outreach_on_demo.page
    page.context.set_offline(True)
    page.clock.install(time="2031-03-04T05:06:00")
    page.goto("/forms/contact")
    shown = page.get_by_label("When").input_value()
    expected = page.evaluate(
        "() => { const d = new Date(); d.setMinutes(d.getMinutes() - d.getTimezoneOffset());"
        " return d.toISOString().slice(0, 16); }"
    )
    assert shown == expected and shown.startswith("2031-03-0")


def test_a_failing_server_keeps_entries_waiting_and_says_how_often_it_tried(outreach_on_demo):  # noqa: F811
    """Finding 8: "waiting to send" after many failed tries, and no retry while online."""
    page = outreach_on_demo.page
    down = Unavailable(outreach_on_demo.app, "/contacts/")
    queue_contact_offline(page, "Dropped off the bus pass.")
    page.context.set_offline(False)
    page.goto("/outbox")
    page.get_by_role("button", name="Send now").click()
    tried = page.get_by_text(re.compile(r"the server could not take it \(503\), tried \d+ times?"))
    tried.wait_for()
    before = int(re.search(r"tried (\d+)", tried.inner_text()).group(1))
    page.get_by_role("button", name="Send now").click()
    page.get_by_text(re.compile(rf"tried ({before + 1}|{before + 2}) times")).wait_for()
    down.on = False
    page.get_by_role("button", name="Send now").click()
    wait_until(page, "() => WaymarkOutbox.all().then(entries => entries.length === 0)")


def test_after_a_session_ends_every_entry_asks_to_sign_in_and_the_login_page_counts_them(
    outreach_on_demo,  # noqa: F811
):
    """Finding 8: after a session expiry only the first entry said "Sign in again", and the
    login page did not mention what waits."""
    page = outreach_on_demo.page
    queue_contact_offline(page, "First of two.")
    page.get_by_label("Who").select_option(index=1)
    page.get_by_label("What happened").fill("Second of two.")
    page.get_by_role("button", name="Save contact").click()
    page.get_by_text("Saved on this phone").wait_for()
    with outreach_on_demo.app.app_context():
        from webapp.services import accounts

        worker = db.session.scalar(sa.select(User).where(User.email == "outreach@demo.example"))
        accounts.end_sessions(worker)
        db.session.commit()
    page.context.set_offline(False)
    page.evaluate("() => WaymarkOutbox.replayAll()")  # what coming online starts
    wait_until(
        page,
        "() => WaymarkOutbox.all().then(es => es.length === 2"
        " && es.every(e => e.message === 'Sign in again to send it.'))",
    )
    page.goto("/login")
    page.get_by_text("2 saved on this phone and not sent yet").wait_for()
    # Expiry: what the phone kept for the worker goes; what they typed stays, theirs alone.
    wait_until(page, "() => WaymarkOutbox.kvGet('caseload').then(c => c === undefined)")
    assert not page.evaluate(SHELLS_KEPT) and waiting_count(page) == 2


def _put_entry(page, url, fields, label):
    """An entry as the outbox keeps it, for the signed-in worker."""
    return page.evaluate(
        """async ([url, fields, label]) => {
      const userId = Number(document.querySelector('meta[name="user-id"]').content);
      const id = crypto.randomUUID();
      await WaymarkOutbox.put({id, url, fields, userId, created: Date.now(), label, name: "",
                               state: "waiting", message: ""});
      return id;
    }""",
        [url, fields, label],
    )


def test_a_confirmation_for_a_referral_finished_meanwhile_says_why_and_can_be_discarded(
    outreach_on_demo,  # noqa: F811
):
    """Finding 7: "The server did not accept this entry" hid the reason, and "Open and fix" led to a
    page without a form: the entry could be neither fixed nor removed."""
    page = outreach_on_demo.page
    with outreach_on_demo.app.app_context():
        from webapp.models import ConfirmationMethod, Referral, ReferralStatus
        from webapp.services import referrals

        worker = db.session.scalar(sa.select(User).where(User.email == "outreach@demo.example"))
        referral = db.session.scalar(
            sa.select(Referral)
            .join(Referral.case)
            .where(Case.primary_worker_id == worker.id, Referral.status == ReferralStatus.SENT)
        )
        referral_id = referral.id
        referrals.change_status(  # the office closed it while the phone was offline
            referral, ReferralStatus.CANCELLED, confirmed_by=None, method=ConfirmationMethod.PHONE
        )
        db.session.commit()
    page.goto("/outbox")
    key = _put_entry(
        page,
        f"/referrals/{referral_id}",
        [["status", "acknowledged"], ["method", "phone"], ["occurred_at", "2026-12-01T10:00"]],
        "Referral confirmation",
    )
    page.get_by_role("button", name="Send now").click()
    page.get_by_text("This referral is finished; nothing more can be recorded on it.").wait_for()
    entry = page.locator("#outbox-list li")
    assert entry.get_by_role("link", name="Open and fix").count() == 0
    check_phone_layout(page, "offline-days-7-finished-referral", outreach_on_demo.problems)
    page.once("dialog", lambda dialog: dialog.accept())
    entry.get_by_role("button", name="Discard").click()
    page.get_by_text("Discarded: Referral confirmation.").wait_for()
    assert waiting_count(page) == 0
    with outreach_on_demo.app.app_context():
        from webapp.models import AuditAction, AuditEvent

        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == AuditAction.DISCARD)
        )
        assert (event.record_type, event.record_id, event.path) == (
            "outbox_entry",
            key,
            "/outbox/discarded",
        )


def test_a_contact_whose_person_is_not_found_is_aimed_at_someone_else_under_the_same_key(
    outreach_on_demo,  # noqa: F811
):
    """Finding 7: a contact queued for an offline intake that turned out to be a known person was
    "Not found", with no way to move it to the existing client."""
    page = outreach_on_demo.page
    page.goto("/outbox")
    key = _put_entry(
        page,
        "/clients/ZZZZ-ZZZZ-Z/contacts/new",
        [["contact_type", "phone"], ["note", "Gave her the clinic card."]],
        "Contact log",
    )
    page.get_by_role("button", name="Send now").click()
    page.get_by_text("choose who this contact is for").wait_for()
    page.get_by_role("link", name="Choose who it is for").click()
    page.get_by_text("Fixing an entry saved on this phone").wait_for()
    assert page.get_by_label("What happened").input_value() == "Gave her the clinic card."
    page.get_by_label("Who").select_option(
        label=page.locator("#case-picker option", has_text="José").inner_text()
    )
    page.get_by_role("button", name="Save contact").click()
    page.wait_for_url("**/cases/*")
    assert waiting_count(page) == 0
    with outreach_on_demo.app.app_context():
        logged = db.session.scalar(
            sa.select(ContactLog).where(ContactLog.note == "Gave her the clinic card.")
        )
        assert logged.case.client.preferred_name == "José"
    assert key  # the entry kept its key: a replay of it cannot log the contact twice


def test_the_workers_caseload_can_be_read_offline_and_goes_at_sign_out(outreach_on_demo):  # noqa: F811
    """Deliver: the card a worker needs before walking up to someone, kept on the phone."""
    page = outreach_on_demo.page
    page.context.set_offline(True)
    page.goto("/")
    page.get_by_role("link", name="My caseload").click()
    cards = page.locator("#caseload-cards li")
    cards.first.wait_for()
    with outreach_on_demo.app.app_context():
        worker = db.session.scalar(sa.select(User).where(User.email == "outreach@demo.example"))
        open_cases = [case for case in worker_cases(worker) if case.closed_at is None]
        names = {case.client.preferred_name for case in open_cases}
    assert cards.count() == len(open_cases)
    first = cards.first.inner_text()
    assert any(name in first for name in names) and "Next:" in first
    check_phone_layout(page, "offline-days-8-caseload", outreach_on_demo.problems)
    page.context.set_offline(False)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/")
    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login"))
    assert page.evaluate("() => WaymarkOutbox.kvGet('caseload')") is None


def worker_cases(worker):
    return db.session.scalars(sa.select(Case).where(Case.primary_worker_id == worker.id)).all()


def test_an_online_submit_costs_one_request_not_two(outreach_on_demo):  # noqa: F811
    """Finding 8: every send asked /session first; the page's own token and the server's own
    user check make that round trip needless."""
    page = outreach_on_demo.page
    with outreach_on_demo.app.app_context():
        jose = db.session.scalar(
            sa.select(Case).join(Case.client).where(Client.preferred_name == "José")
        )
        jose_case = jose.id
    page.goto(f"/cases/{jose_case}/contacts/new")
    page.wait_for_timeout(300)  # the page has kept its token
    asked: list[str] = []
    page.on("request", lambda request: asked.append(urlsplit(request.url).path))
    page.get_by_label("What happened").fill("Walked with him to the clinic.")
    page.get_by_role("button", name="Save contact").click()
    page.wait_for_url(f"**/cases/{jose_case}")
    assert "/session" not in asked and asked.count(f"/cases/{jose_case}/contacts/new") == 1


def test_a_refused_kept_token_is_replaced_and_the_entry_sent_once(make_app):
    """With CSRF protection on, as in production: a token from an earlier session is refused,
    the outbox fetches a fresh one and sends again, and one record is made."""
    from playwright.sync_api import sync_playwright

    from tests.browser import LAUNCH_ARGS, PHONE, live_server, require_chromium
    from webapp.jobs import demo

    require_chromium()
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        demo.load()
        db.session.commit()
        jose_case = db.session.scalar(
            sa.select(Case).join(Case.client).where(Client.preferred_name == "José")
        ).id
    with live_server(app) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        page = browser.new_context(viewport=PHONE, base_url=base_url).new_page()
        try:
            sign_in(page, "outreach@demo.example", "orange-bicycle-harbour")
            page.wait_for_timeout(300)
            asked: list[str] = []
            page.on("request", lambda request: asked.append(urlsplit(request.url).path))
            left = page.evaluate(
                """async (url) => {
              const userId = Number(document.querySelector('meta[name="user-id"]').content);
              await WaymarkOutbox.kvSet('csrf', {userId, token: 'IjBhZDY.stale.token'});
              await WaymarkOutbox.put({id: crypto.randomUUID(), url, userId, created: Date.now(),
                fields: [['contact_type', 'phone'], ['note', 'Sent with a fresh token.'],
                         ['occurred_at', new Date(Date.now() - new Date().getTimezoneOffset()
                           * 60000).toISOString().slice(0, 16)]],
                label: 'Contact log', name: '', state: 'waiting', message: ''});
              await WaymarkOutbox.replayAll();
              return WaymarkOutbox.all();
            }""",
                f"/cases/{jose_case}/contacts/new",
            )
        finally:
            browser.close()
    assert left == [] and asked.count("/session") == 1
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(ContactLog)
                .where(ContactLog.note == "Sent with a fresh token.")
            )
            == 1
        )


def test_an_appointment_booked_offline_reaches_today_when_back_online(outreach_on_demo):  # noqa: F811
    """The referral confirmation kept on the phone asks for the appointment like the live page,
    its place starting as the provider's address from the kept caseload."""
    page = outreach_on_demo.page
    with outreach_on_demo.app.app_context():
        from webapp.models import Referral, ReferralStatus
        from webapp.timeutil import local_today

        worker = db.session.scalar(sa.select(User).where(User.email == "outreach@demo.example"))
        referral = db.session.scalar(
            sa.select(Referral)
            .join(Referral.case)
            .where(Case.primary_worker_id == worker.id, Referral.status == ReferralStatus.SENT)
        )
        referral.service.provider.address = "99 Harbour Road"
        db.session.commit()
        referral_id, today = referral.id, local_today()
    # The kept caseload is fetched again (as after any send) and carries the address.
    page.evaluate(
        "() => WaymarkOutbox.kvGet('caseload').then(c => { c.fetched = 0; "
        "return WaymarkOutbox.kvSet('caseload', c); })"
    )
    page.reload()
    wait_until(
        page,
        "() => WaymarkOutbox.kvGet('caseload').then(c => c.cases.some(k => k.referrals.some("
        "r => r.address === '99 Harbour Road')))",
    )

    page.context.set_offline(True)
    page.goto(f"/referrals/{referral_id}")  # the kept form, with this referral picked
    page.wait_for_function(
        "() => (document.querySelector('#referral-picker option:checked') || {}).value"
        f" === '/referrals/{referral_id}'"
    )
    appointment = page.locator("#appointment-fields")
    assert appointment.is_hidden()
    page.get_by_label("What happened").select_option("scheduled")
    appointment.wait_for()
    assert page.get_by_label("Appointment place").input_value() == "99 Harbour Road"
    page.get_by_label("Appointment date").fill(today.isoformat())
    page.get_by_label("Appointment time").fill("09:15")
    page.get_by_label("How you know").select_option("phone")
    check_phone_layout(page, "offline-days-8-appointment-kept-form", outreach_on_demo.problems)
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved on this phone").wait_for()

    page.context.set_offline(False)
    page.goto("/outbox")
    page.get_by_role("button", name="Send now").click()
    wait_until(page, "() => WaymarkOutbox.all().then(entries => entries.length === 0)")
    page.goto("/")
    assert "09:15, 99 Harbour Road" in page.locator(".today-item--appointment").inner_text()
    # The card kept for offline reading says so too, once fetched again.
    page.evaluate(
        "() => WaymarkOutbox.kvGet('caseload').then(c => { c.fetched = 0; "
        "return WaymarkOutbox.kvSet('caseload', c); })"
    )
    page.reload()
    wait_until(
        page,
        "() => WaymarkOutbox.kvGet('caseload').then(c => c.cases.some(k => k.referrals.some("
        "r => r.appointment.includes('09:15'))))",
    )
    page.context.set_offline(True)
    page.goto("/caseload")
    page.locator("#caseload-cards li").first.wait_for()
    assert "09:15, 99 Harbour Road" in page.locator("#caseload-cards").inner_text()
    page.context.set_offline(False)
    with outreach_on_demo.app.app_context():
        from datetime import timedelta

        from webapp.models import Referral

        referral = db.session.get(Referral, referral_id)
        assert (referral.appointment_on, referral.follow_up_on) == (
            today,
            today + timedelta(days=1),
        )
    # Offline again, the kept form offers to move the appointment (not a no-show first).
    page.context.set_offline(True)
    page.goto(f"/referrals/{referral_id}")
    page.wait_for_function(
        "() => (document.querySelector('#referral-picker option:checked') || {}).value"
        f" === '/referrals/{referral_id}'"
    )
    choices = page.get_by_label("What happened").locator("option").all_inner_texts()
    assert "Appointment moved to another day or time" in choices
    assert "Appointment scheduled" not in choices
    page.context.set_offline(False)


def test_sending_the_outbox_marks_the_kept_caseload_for_fetching_again(outreach_on_demo):  # noqa: F811
    """A contact sent from the outbox (coming back online, or "Send now"; not from its form)
    changed the case: the caseload kept for offline reading is fetched again on the next page,
    not left as it was for minutes."""
    page = outreach_on_demo.page
    wait_until(page, CASELOAD_KEPT)
    queue_contact_offline(page, "Met at the library steps.")
    before = page.evaluate("() => WaymarkOutbox.kvGet('caseload').then(c => c.fetched)")
    assert before > 0
    page.context.set_offline(False)
    page.goto("/outbox")
    # Coming back online may already be sending it; the worker presses "Send now" as well (a
    # second replay joins the one running: nothing goes twice).
    send_now = page.get_by_role("button", name="Send now")
    if send_now.is_visible():
        send_now.click(timeout=5000, no_wait_after=True)
    wait_until(page, "() => WaymarkOutbox.all().then(entries => entries.length === 0)")
    wait_until(
        page, f"() => WaymarkOutbox.kvGet('caseload').then(c => !!c && c.fetched !== {before})"
    )
