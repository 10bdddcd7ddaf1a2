"""The reminder pages and settings: who may use them, and what bad input gets."""

import hashlib
from datetime import time
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import PushSubscription, ReminderState, Role, User
from webapp.services import push as push_layer


@pytest.fixture
def sam(make_program, make_user):
    return make_user(Role.OUTREACH_WORKER, [make_program()], name="Sam Worker")


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_signed_out_scripts_get_401_and_pages_a_login(client):
    assert client.get("/reminders").status_code == 302
    assert client.get("/account/settings").status_code == 302
    assert client.post("/account/push-subscriptions", json={}).status_code == 401


def test_a_device_subscribes_with_its_keys(as_user, sam, push_service):
    device = push_service.new_device()
    response = as_user(sam).post(
        "/account/push-subscriptions", json=device.as_json("Android phone, Chrome")
    )
    assert response.status_code == 201
    subscription = db.session.scalar(sa.select(PushSubscription))
    assert (subscription.user_id, subscription.endpoint, subscription.device_label) == (
        sam.id,
        device.endpoint,
        "Android phone, Chrome",
    )
    page = as_user(sam).get("/account/settings").get_data(as_text=True)
    assert "Android phone, Chrome" in page and "Send me a test" in page
    # The page shows the endpoint's digest, for the browser to find itself; never the endpoint.
    assert f'data-device="{hashlib.sha256(device.endpoint.encode()).hexdigest()}"' in page
    assert device.endpoint not in page and urlsplit(device.endpoint).path not in page


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.update(endpoint="https://push.evil.example/x"), "not one Waymark sends to"),
        (lambda d: d.update(endpoint="http://fcm.googleapis.com/fcm/send/x"), "must use HTTPS"),
        (lambda d: d["keys"].update(p256dh="c2hvcnQ"), "P-256"),
        (lambda d: d["keys"].update(auth="!!notbase64!!"), "base64url"),
        (lambda d: d.pop("keys"), "Send the subscription as JSON"),
        (lambda d: d.update(endpoint=["not", "text"]), "not in the expected form"),
        (
            lambda d: d.update(endpoint="https://fcm.googleapis.com/" + "x" * 1200),
            "not in the expected form",
        ),
    ],
)
def test_unusable_subscriptions_are_refused(as_user, sam, push_service, mutate, message):
    body = push_service.new_device().as_json()
    mutate(body)
    response = as_user(sam).post("/account/push-subscriptions", json=body)
    assert response.status_code == 400 and message in response.get_json()["error"]
    assert _count(PushSubscription) == 0


def test_a_body_that_is_not_json_is_refused(as_user, sam):
    response = as_user(sam).post(
        "/account/push-subscriptions",
        data="endpoint=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400


def test_people_remove_their_own_devices_only(as_user, sam, push_service, make_user):
    device = push_service.new_device()
    as_user(sam).post("/account/push-subscriptions", json=device.as_json())
    subscription_id = db.session.scalar(sa.select(PushSubscription.id))
    other = make_user(Role.CASE_MANAGER, sam.programs)
    assert (
        as_user(other).post(f"/account/push-subscriptions/{subscription_id}/delete").status_code
        == 404
    )
    assert _count(PushSubscription) == 1
    assert (
        as_user(sam).post(f"/account/push-subscriptions/{subscription_id}/delete").status_code
        == 302
    )
    assert _count(PushSubscription) == 0


def test_signing_out_removes_this_devices_subscription(as_user, sam, push_service):
    device = push_service.new_device()
    client = as_user(sam)
    client.post("/account/push-subscriptions", json=device.as_json())
    assert client.post("/logout", data={"push_endpoint": device.endpoint}).status_code == 302
    assert _count(PushSubscription) == 0


def test_a_shared_phone_moves_the_subscription_to_whoever_turned_reminders_on(
    as_user, sam, push_service, make_user
):
    device = push_service.new_device()
    as_user(sam).post("/account/push-subscriptions", json=device.as_json())
    ngozi = make_user(Role.OUTREACH_WORKER, sam.programs)
    as_user(ngozi).post("/account/push-subscriptions", json=device.as_json())
    assert db.session.scalars(sa.select(PushSubscription.user_id)).all() == [ngozi.id]


def test_send_me_a_test_reaches_each_device(as_user, sam, push_service):
    phone = push_service.new_device()
    as_user(sam).post("/account/push-subscriptions", json=phone.as_json("Phone"))
    response = as_user(sam).post("/account/push-test", follow_redirects=True)
    assert "Phone: test sent." in response.get_data(as_text=True)
    [push] = push_service.delivered_to(phone)
    assert push.payload["title"] == "Waymark test"


def test_settings_keep_the_time_zone_and_quiet_hours(as_user, sam):
    client = as_user(sam)
    response = client.post(
        "/account/settings",
        data={
            "time_zone": "Europe/Lisbon",
            "quiet_from": "22:00",
            "quiet_until": "06:30",
            "work_phone": " +1 (415) 555-0100 ",
        },
    )
    assert response.status_code == 302
    user = db.session.get(User, sam.id)
    assert (user.time_zone, user.quiet_from, user.quiet_until, user.work_phone) == (
        "Europe/Lisbon",
        time(22),
        time(6, 30),
        "+1 (415) 555-0100",
    )
    assert "+1 (415) 555-0100" in client.get("/account/settings").get_data(as_text=True)


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "Not a valid choice"),
        ({"quiet_from": "22:00"}, "quiet_until", "Give both times, or neither."),
        ({"quiet_from": "25:99", "quiet_until": "06:00"}, "quiet_from", "Not a valid time value."),
        ({"work_phone": "<script>"}, "work_phone", "Digits, spaces and + ( ) - only."),
        ({"work_phone": "1" * 41}, "work_phone", "Field cannot be longer than 40 characters."),
    ],
)
def test_bad_settings_are_refused_beside_the_field(as_user, sam, data, field, message):
    response = as_user(sam).post("/account/settings", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and f'id="{field}-error">' in page and message in page
    assert db.session.get(User, sam.id).time_zone is None


def test_reminders_list_only_my_items_and_refuse_bad_input(as_user, sam, make_case, make_user):
    make_case(sam.programs[0], sam, name="Mine", follow_up_in_days=0)
    other = make_user(Role.OUTREACH_WORKER, sam.programs)
    make_case(sam.programs[0], other, name="Theirs", follow_up_in_days=0)
    client = as_user(sam)
    page = client.get("/reminders").get_data(as_text=True)
    assert "Mine" in page and "Theirs" not in page
    key = page.split('name="key" value="')[1].split('"')[0]
    assert client.post("/reminders/snooze", data={"key": key, "for": "forever"}).status_code == 400
    assert client.post("/reminders/snooze", data={"key": "", "for": "1d"}).status_code == 400
    assert client.post("/reminders/done", data={"key": "x" * 500}).status_code == 400
    # Somebody else's reminder, or one that is not due, is not mine to set aside.
    theirs = page_of(as_user(other)).split('name="key" value="')[1].split('"')[0]
    for not_mine in (theirs, "follow_up:999999:2020-01-01"):
        response = client.post("/reminders/done", data={"key": not_mine}, follow_redirects=True)
        assert "no longer due" in response.get_data(as_text=True)
    assert _count(ReminderState) == 0


def page_of(client) -> str:
    return client.get("/reminders").get_data(as_text=True)


def test_the_cli_shows_keys_sends_tests_and_dispatches(app, sam, push_service, make_case):
    runner = app.test_cli_runner()
    keys = runner.invoke(args=["push", "keys"])
    assert keys.exit_code == 0 and "Public key (applicationServerKey): B" in keys.output
    device = push_service.new_device()
    push_layer.subscribe(
        sam, endpoint=device.endpoint, p256dh=device.p256dh, auth=device.auth, label="Phone"
    )
    db.session.commit()
    make_case(sam.programs[0], sam, follow_up_in_days=0)
    test = runner.invoke(args=["push", "test", sam.email])
    assert test.exit_code == 0 and "Phone: sent" in test.output
    run = runner.invoke(args=["reminders", "dispatch"])
    assert run.exit_code == 0 and "1 notified about 1 reminders" in run.output
    assert len(push_service.delivered_to(device)) == 2
    rotate = runner.invoke(args=["push", "keys", "--rotate"], input="y\n")
    assert rotate.exit_code == 0 and "1 subscriptions removed" in rotate.output
    assert (
        rotate.output.split("applicationServerKey): ")[1]
        != keys.output.split("applicationServerKey): ")[1]
    )


def test_snoozing_for_days_ends_in_the_morning_of_that_day_where_the_person_is(
    as_user, make_program, make_user
):
    """ "Tomorrow" chosen at 23:30 is tomorrow morning, not 23:30 tomorrow; chosen at 00:30 it is
    the next calendar day's morning; a person's own time zone and the end of their quiet hours
    decide the morning."""
    from datetime import UTC, datetime, time
    from zoneinfo import ZoneInfo

    from webapp.services.reminders import snooze_until

    sam = make_user(programs=[make_program()])
    sam.time_zone = "America/Chicago"
    chicago = ZoneInfo("America/Chicago")

    def at(day, hour, minute, zone=chicago):
        return datetime(2026, 3, day, hour, minute, tzinfo=zone).astimezone(UTC)

    assert snooze_until("1d", sam, at(5, 23, 30)) == at(6, 8, 0)
    assert snooze_until("1d", sam, at(6, 0, 30)) == at(7, 8, 0)
    assert snooze_until("3d", sam, at(5, 23, 30)) == at(8, 8, 0)
    # Across the change to daylight saving time (8 March 2026 in Chicago): 8:00 there, still.
    assert snooze_until("3d", sam, at(6, 12, 0)) == at(9, 8, 0)
    assert snooze_until("1h", sam, at(5, 23, 30)) == at(6, 0, 30)
    assert snooze_until("4h", sam, at(5, 23, 30)) == at(6, 3, 30)
    sam.quiet_until = time(7, 0)
    assert snooze_until("1d", sam, at(5, 23, 30)) == at(6, 7, 0)
    for odd in ("", "2d", "forever", "1D"):
        assert snooze_until(odd, sam, at(5, 12, 0)) is None
