"""Reminders in a real browser at 360×740: turning them on from settings (permission asked on a
tap), a real encrypted push from the dispatcher, the service worker showing it, and a tap on the
notification opening the reminders page.

Headless Chromium cannot reach a browser push service here, so `pushManager.subscribe()` is
stubbed to hand out a subscription of the tests' own push service, and the push that service
received (and decrypted) is delivered to the worker over the DevTools protocol."""

import json

import sqlalchemy as sa

from tests.browser import sign_in
from tests.test_phone_layout import browser_page, check_phone_layout  # noqa: F401  (fixture)
from webapp.extensions import db
from webapp.jobs import demo, dispatcher
from webapp.models import PushSubscription, User
from webapp.services import push as push_layer

STUB = """
(() => {
  const device = %s;
  const load = () => localStorage.getItem("test-push-subscription") === "on" ? subscription : null;
  const subscription = {
    endpoint: device.endpoint,
    toJSON: () => ({ endpoint: device.endpoint, expirationTime: null, keys: device.keys }),
    unsubscribe: () => {
      localStorage.removeItem("test-push-subscription");
      return Promise.resolve(true);
    },
  };
  PushManager.prototype.subscribe = function (options) {
    if (!options || !options.userVisibleOnly || !options.applicationServerKey) {
      return Promise.reject(new Error("subscribe needs userVisibleOnly and the server key"));
    }
    localStorage.setItem("test-push-subscription", "on");
    return Promise.resolve(subscription);
  };
  PushManager.prototype.getSubscription = function () { return Promise.resolve(load()); };
})();
"""

NOTIFICATIONS = """() => navigator.serviceWorker.ready.then(r => r.getNotifications()).then(list =>
  list.map(n => ({ title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url })))"""


def poll(page, check, seconds=10):
    for _ in range(seconds * 10):
        if check():
            return
        page.wait_for_timeout(100)
    raise AssertionError("timed out waiting")


def test_turn_on_reminders_receive_a_push_and_open_it(browser_page, push_service):  # noqa: F811
    page = browser_page.page
    with browser_page.app.app_context():
        demo.load()
        db.session.commit()
    device = push_service.new_device("phone")
    context = page.context
    page.goto("/login")
    origin = page.evaluate("() => location.origin")
    context.grant_permissions(["notifications"], origin=origin)
    keys = {"p256dh": device.p256dh, "auth": device.auth}
    context.add_init_script(STUB % json.dumps({"endpoint": device.endpoint, "keys": keys}))
    sign_in(page, "outreach@demo.example", "orange-bicycle-harbour")

    page.goto("/account/settings")
    page.get_by_text("Reminders are off on this device.").wait_for()
    page.get_by_role("button", name="Turn on reminders").click()
    page.get_by_text("Reminders are on for this device.").wait_for()
    assert page.locator(".devices li").count() == 1
    check_phone_layout(page, "push-1-settings-on", browser_page.problems)
    with browser_page.app.app_context():
        subscription = db.session.scalar(sa.select(PushSubscription))
        user = db.session.get(User, subscription.user_id)
        assert (user.email, subscription.endpoint) == ("outreach@demo.example", device.endpoint)

        # The dispatcher sends the worker's digest; the push service decrypts it.
        dispatcher.dispatch_once()
    [push] = push_service.delivered_to(device)
    assert push_service.problems == [] and push.payload["url"] == "/reminders"

    # The worker shows it; the digest's tag makes the next one replace it.
    cdp = context.new_cdp_session(page)
    registrations = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    poll(page, lambda: bool(registrations))
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": origin,
            "registrationId": registrations[0]["registrationId"],
            "data": json.dumps(push.payload),
        },
    )
    poll(page, lambda: len(page.evaluate(NOTIFICATIONS)) == 1)
    [shown] = page.evaluate(NOTIFICATIONS)
    assert shown == {
        "title": push.payload["title"],
        "body": push.payload["body"],
        "tag": "waymark-reminders",
        "url": "/reminders",
    }

    # A tap: the open window goes to the reminders the notification announced.
    page.goto("/clients")
    worker = context.service_workers[0]
    worker.evaluate("""() => self.registration.getNotifications().then(list => {
        try {
            const notification = list[0];
            self.dispatchEvent(new NotificationEvent("notificationclick", { notification }));
        }
        catch (error) { /* waitUntil refuses an event the browser did not send; the handler ran */ }
    })""")
    page.wait_for_url("**/reminders")
    assert page.locator(".today-item").count() > 0
    check_phone_layout(page, "push-2-reminders-after-tap", browser_page.problems)


def test_settings_mark_this_device_and_turning_off_removes_only_it(browser_page, push_service):  # noqa: F811
    page = browser_page.page
    with browser_page.app.app_context():
        demo.load()
        worker = db.session.scalar(sa.select(User).where(User.email == "outreach@demo.example"))
        laptop = push_service.new_device("laptop")
        push_layer.subscribe(
            worker, endpoint=laptop.endpoint, p256dh=laptop.p256dh, auth=laptop.auth, label="Mac"
        )
        db.session.commit()
    phone = push_service.new_device("phone")
    page.goto("/login")
    page.context.grant_permissions(["notifications"], origin=page.evaluate("() => location.origin"))
    keys = {"p256dh": phone.p256dh, "auth": phone.auth}
    page.context.add_init_script(STUB % json.dumps({"endpoint": phone.endpoint, "keys": keys}))
    sign_in(page, "outreach@demo.example", "orange-bicycle-harbour")

    page.goto("/account/settings")
    page.get_by_text("Reminders are off on this device.").wait_for()
    assert page.locator(".devices li").count() == 1
    assert page.get_by_text("This device", exact=True).is_hidden()  # the Mac is another device
    page.get_by_role("button", name="Turn on reminders").click()
    page.get_by_text("Reminders are on for this device.").wait_for()
    this_device = page.locator(".devices li:has([data-this-device]:not([hidden]))")
    this_device.wait_for()
    assert page.locator(".devices li").count() == 2 and this_device.count() == 1
    assert "Linux computer, Chrome" in this_device.inner_text()
    assert (
        page.locator(".devices li", has_text="Mac")
        .get_by_text("This device", exact=True)
        .is_hidden()
    )
    assert phone.endpoint not in page.content() and laptop.endpoint not in page.content()
    check_phone_layout(page, "push-3-this-device", browser_page.problems)

    page.get_by_role("button", name="Turn off on this device").click()
    page.get_by_text("That device will get no more reminders.").wait_for()
    assert page.locator(".devices li").count() == 1
    assert page.get_by_role("button", name="Remove Mac", exact=True).is_visible()
    with browser_page.app.app_context():
        assert db.session.scalars(sa.select(PushSubscription.endpoint)).all() == [laptop.endpoint]
