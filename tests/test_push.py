"""Push reminders end to end: real encrypted pushes to the tests' own push service, decrypted
with the device's private key; what the dispatcher sends, when, how often, and to whom."""

import threading
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import current_app

from tests.lifecycle import a_service, planned_case, refer
from webapp.extensions import db
from webapp.jobs import dispatcher
from webapp.models import (
    ConfirmationMethod,
    PushAttempt,
    PushSubscription,
    ReferralStatus,
    ReminderState,
    RiskLevel,
    Role,
    TaskOwner,
    User,
)
from webapp.services import plans, referrals
from webapp.services import push as push_service_layer
from webapp.timeutil import local_today, today_for, zone_of


@pytest.fixture
def sam(make_program, make_user):
    program = make_program()
    return make_user(Role.OUTREACH_WORKER, [program], name="Sam Worker")


def subscribe(user, device, label="Sam's phone"):
    subscription = push_service_layer.subscribe(
        user, endpoint=device.endpoint, p256dh=device.p256dh, auth=device.auth, label=label
    )
    db.session.commit()
    return subscription


def dispatch(now=None):
    with current_app.test_request_context():
        report = dispatcher.dispatch_once(now)
    db.session.rollback()
    return report


def test_a_due_follow_up_arrives_as_an_encrypted_digest_without_names(push_service, sam, make_case):
    make_case(sam.programs[0], sam, name="Secretname Clientson", follow_up_in_days=-1)
    device = push_service.new_device()
    subscribe(sam, device)
    report = dispatch()
    assert push_service.problems == []
    [push] = push_service.delivered_to(device)
    assert push.payload == {
        "title": "1 reminder due",
        "body": "1 follow-up",
        "url": "/reminders",
        "tag": "waymark-reminders",
        "count": 1,
    }
    assert "Secretname" not in str(push.payload) and "Clientson" not in str(push.payload)
    assert push.headers["ttl"] == "86400" and push.headers["urgency"] == "normal"
    assert (
        push.headers["topic"] == "waymark-reminders"
        and push.headers["content-encoding"] == "aes128gcm"
    )
    assert push.claims["aud"] == push_service.origin and push.claims["sub"].startswith("mailto:")
    assert report.outcomes["sent"] == 1 and report.items == 1
    attempt = db.session.scalar(sa.select(PushAttempt))
    assert (attempt.outcome, attempt.status_code, attempt.item_count, attempt.push_host) == (
        "sent",
        201,
        1,
        "127.0.0.1",
    )
    assert db.session.scalar(sa.select(PushSubscription)).last_success_at is not None


def test_appointments_and_plan_tasks_are_counted_in_the_digest_without_names(
    push_service, sam, make_case
):
    case, goal = planned_case(make_case, sam.programs[0], sam, name="Secretname Clientson")
    plans.add_task(
        case,
        goal,
        description="Secret task words",
        responsible=TaskOwner.CLIENT,
        due_on=local_today(),
        user=sam,
    )
    referral = refer(case, a_service(), created_by=sam, today=local_today())
    referrals.change_status(
        referral,
        ReferralStatus.SCHEDULED,
        confirmed_by=sam,
        method=ConfirmationMethod.PHONE,
        appointment=referrals.Appointment(local_today(), time(9, 0), "Secret Street"),
    )
    db.session.commit()
    device = push_service.new_device()
    subscribe(sam, device)
    dispatch()
    [push] = push_service.delivered_to(device)
    assert push.payload["title"] == "2 reminders due"
    assert sorted(push.payload["body"].split(", ")) == ["1 appointment today", "1 plan task due"]
    assert not any(
        word in str(push.payload) for word in ("Secretname", "Clientson", "Secret task", "Street")
    )


def test_urgent_reminders_are_sent_with_high_urgency(push_service, sam, make_case):
    case = make_case(sam.programs[0], sam, follow_up_in_days=0)
    case.risk_level = RiskLevel.URGENT
    db.session.commit()
    device = push_service.new_device()
    subscribe(sam, device)
    dispatch()
    [push] = push_service.delivered_to(device)
    assert push.headers["urgency"] == "high" and push.payload["title"] == "1 reminder due, 1 urgent"


def test_each_reminder_is_pushed_at_most_once_a_day(push_service, sam, make_case):
    make_case(sam.programs[0], sam, follow_up_in_days=-2)
    device = push_service.new_device()
    subscribe(sam, device)
    # Eight in the morning where Sam is, so that four hours on is still the same day: from
    # the real clock, a run after 8 pm crossed midnight and the test failed in the evening.
    now = datetime.combine(today_for(sam), time(8, 0), tzinfo=zone_of(sam)).astimezone(UTC)
    dispatch(now)
    assert dispatch(now + timedelta(minutes=1)).outcomes == {}
    assert dispatch(now + timedelta(hours=3)).outcomes == {}
    assert len(push_service.delivered_to(device)) == 1
    # A new reminder the same day is announced, with the digest counting both.
    make_case(sam.programs[0], sam, follow_up_in_days=0)
    dispatch(now + timedelta(hours=4))
    assert [p.payload["count"] for p in push_service.delivered_to(device)] == [1, 2]
    # The next day, what is still due is announced again.
    dispatch(now + timedelta(days=1))
    assert len(push_service.delivered_to(device)) == 3


def test_the_cron_command_sends_outside_any_request(push_service, sam, make_case, app):
    """`flask reminders dispatch` runs from cron, with no request: reminders still get worked
    out."""
    make_case(sam.programs[0], sam, follow_up_in_days=-1)
    device = push_service.new_device()
    subscribe(sam, device)
    result = app.test_cli_runner().invoke(args=["reminders", "dispatch"])
    assert result.exit_code == 0, result.output
    assert "1 notified about 1 reminders" in result.output
    assert len(push_service.delivered_to(device)) == 1
    assert db.session.scalar(sa.select(PushAttempt.outcome)) == "sent"


def test_a_user_is_looked_at_by_one_dispatcher_a_minute(push_service, sam, make_case):
    """Dispatchers started by the same minute's cron skip a user another has just worked out."""
    make_case(sam.programs[0], sam, follow_up_in_days=-1)
    device = push_service.new_device()
    subscribe(sam, device)
    now = datetime.now(UTC)
    assert dispatch(now).outcomes == {"sent": 1}
    make_case(sam.programs[0], sam, follow_up_in_days=0)  # something new is due at once …
    assert (
        dispatch(now + timedelta(seconds=20)).outcomes == {}
    )  # … but this minute has been looked at
    assert dispatch(now + timedelta(seconds=61)).outcomes == {
        "sent": 1
    }  # the next minute's run has it
    assert [push.payload["count"] for push in push_service.delivered_to(device)] == [1, 2]


def test_every_device_of_the_user_gets_it_and_nobody_else_does(
    push_service, sam, make_case, make_user
):
    make_case(sam.programs[0], sam, follow_up_in_days=0)
    phone, tablet, other = (push_service.new_device() for _ in range(3))
    subscribe(sam, phone)
    subscribe(sam, tablet, "Tablet")
    colleague = make_user(Role.OUTREACH_WORKER, sam.programs)
    subscribe(colleague, other)
    dispatch()
    assert len(push_service.delivered_to(phone)) == len(push_service.delivered_to(tablet)) == 1
    assert push_service.delivered_to(other) == []  # nothing is due for the colleague


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_subscription_is_deleted(push_service, sam, make_case, status):
    make_case(sam.programs[0], sam, follow_up_in_days=0)
    device = push_service.new_device()
    subscribe(sam, device)
    push_service.answer(device, (status, {}))
    report = dispatch()
    assert report.outcomes == {"gone": 1}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PushSubscription)) == 0
    assert db.session.scalar(sa.select(PushAttempt.outcome)) == "gone"


def test_429_is_retried_after_the_retry_after_delay_and_not_before(push_service, sam, make_case):
    make_case(sam.programs[0], sam, follow_up_in_days=0)
    device = push_service.new_device()
    subscribe(sam, device)
    push_service.answer(device, (429, {"Retry-After": "600"}))
    now = datetime.now(UTC)
    assert dispatch(now).outcomes == {"retry": 1}
    subscription = db.session.scalar(sa.select(PushSubscription))
    assert subscription.retry_at >= now + timedelta(seconds=600) and subscription.failures == 1
    assert db.session.scalar(sa.select(ReminderState)) is None  # not announced yet
    assert dispatch(now + timedelta(minutes=5)).outcomes == {}  # still waiting
    assert dispatch(now + timedelta(minutes=11)).outcomes == {"sent": 1}
    assert len(push_service.delivered_to(device)) == 1
    assert db.session.scalar(sa.select(PushSubscription)).failures == 0


def test_server_errors_back_off_and_a_dead_service_is_an_error_not_a_crash(
    push_service, sam, make_case
):
    make_case(sam.programs[0], sam, follow_up_in_days=0)
    device = push_service.new_device()
    subscribe(sam, device)
    push_service.answer(device, (503, {}), (500, {}))
    now = datetime.now(UTC)
    assert dispatch(now).outcomes == {"retry": 1}
    first = db.session.scalar(sa.select(PushSubscription)).retry_at
    assert first >= now + timedelta(minutes=2)
    assert dispatch(first + timedelta(seconds=1)).outcomes == {"retry": 1}
    assert db.session.scalar(sa.select(PushSubscription)).retry_at >= first + timedelta(minutes=4)


def test_quiet_hours_hold_a_reminder_back_in_the_users_time_zone(push_service, sam, make_case):
    make_case(sam.programs[0], sam, follow_up_in_days=-1)
    user = db.session.get(User, sam.id)
    user.time_zone, user.quiet_from, user.quiet_until = "America/Chicago", time(21, 0), time(7, 0)
    db.session.commit()
    device = push_service.new_device()
    subscribe(sam, device)
    day = today_for(user)
    late = datetime.combine(day, time(23, 30)).replace(tzinfo=ZoneInfo("America/Chicago"))
    report = dispatch(late.astimezone(UTC))
    assert report.quiet == 1 and push_service.received == []
    morning = datetime.combine(day + timedelta(days=1), time(7, 5)).replace(
        tzinfo=ZoneInfo("America/Chicago")
    )
    assert dispatch(morning.astimezone(UTC)).outcomes == {"sent": 1}


def test_snoozed_and_done_reminders_are_not_pushed(push_service, sam, make_case, as_user):
    make_case(sam.programs[0], sam, name="Alpha", follow_up_in_days=0)
    make_case(sam.programs[0], sam, name="Beta", follow_up_in_days=0)
    device = push_service.new_device()
    subscribe(sam, device)
    client = as_user(sam)
    page = client.get("/reminders").get_data(as_text=True)
    keys = sorted(set(part.split('"')[0] for part in page.split('name="key" value="')[1:]))
    assert len(keys) == 2
    assert client.post("/reminders/snooze", data={"key": keys[0], "for": "1d"}).status_code == 302
    assert client.post("/reminders/done", data={"key": keys[1]}).status_code == 302
    assert dispatch().outcomes == {}
    today = client.get("/").get_data(as_text=True)
    assert "Alpha" not in today and "Beta" not in today  # Today shows the same items
    # Tomorrow morning the snooze is over and that reminder comes back; the one marked done does
    # not.
    zone = zone_of(sam)
    tomorrow = datetime.now(UTC).astimezone(zone).date() + timedelta(days=1)
    morning = datetime.combine(tomorrow, time(8, 5), tzinfo=zone).astimezone(UTC)
    assert dispatch(morning).outcomes == {"sent": 1}
    assert push_service.delivered_to(device)[-1].payload["count"] == 1


def test_three_dispatchers_at_once_send_each_reminder_exactly_once(
    push_service, make_program, make_user, make_case
):
    program = make_program()
    devices = []
    for number in range(12):
        worker = make_user(Role.OUTREACH_WORKER, [program])
        make_case(program, worker, follow_up_in_days=0)
        device = push_service.new_device(f"worker{number}")
        subscribe(worker, device)
        devices.append(device)
    app = current_app._get_current_object()
    start = threading.Barrier(3)
    errors = []

    def run():
        try:
            with app.app_context(), app.test_request_context():
                start.wait(timeout=10)
                dispatcher.dispatch_once()
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and push_service.problems == []
    assert [len(push_service.delivered_to(device)) for device in devices] == [1] * 12
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PushAttempt)) == 12


def test_processes_starting_together_make_one_vapid_key_pair(app):
    """Gunicorn workers or dispatchers started at once used to pair one's private key with another's
    public key, and pushes were refused as 'bad VAPID token'."""
    from cryptography.hazmat.primitives import serialization

    from webapp import web_push

    start = threading.Barrier(6)
    pairs, errors = [], []

    def first_use():
        try:
            with app.app_context():
                start.wait(timeout=10)
                pairs.append(web_push.vapid_keys())
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=first_use) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == [] and len(pairs) == 6 and len(set(pairs)) == 1
    private = serialization.load_pem_private_key(pairs[0].private_pem, password=None)
    assert (
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        == pairs[0].public_pem
    )
