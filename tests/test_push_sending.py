"""Sending one push: the encryption a browser can read, and the kept-alive connections the
dispatcher's threads send on (reused, replaced when the push service closes one, never a lost or
doubled push); and recording what was announced."""

import socket
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import current_app

from webapp import database, web_push
from webapp.extensions import db
from webapp.models import PushAttempt, PushSubscription, ReminderState, Role
from webapp.services import push as push_layer

PAYLOAD = {"title": "1 reminder due", "body": "1 follow-up", "url": "/reminders", "count": 1}


@pytest.fixture
def sender(app):
    with app.app_context(), web_push.Sender.from_app() as sender:
        yield sender


def send(sender, device, payload=PAYLOAD):
    return sender.send(device.endpoint, device.p256dh, device.auth, payload)


def test_pushes_from_one_thread_go_over_one_kept_connection(push_service, sender):
    devices = [push_service.new_device(f"phone{number}") for number in range(5)]
    assert [send(sender, device).status for device in devices] == [201] * 5
    assert push_service.problems == []
    assert [push_service.delivered_to(device)[0].payload for device in devices] == [PAYLOAD] * 5
    assert push_service.connections == 1


def test_each_sending_thread_keeps_its_own_connection(push_service, sender):
    devices = [push_service.new_device(f"phone{number}") for number in range(6)]
    threads = [
        threading.Thread(target=lambda pair=pair: [send(sender, d) for d in pair])
        for pair in (devices[0:2], devices[2:4], devices[4:6])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [len(push_service.delivered_to(device)) for device in devices] == [1] * 6
    assert push_service.connections == 3


def test_a_connection_the_service_says_it_closes_is_not_used_again(push_service, sender):
    first, second = push_service.new_device("first"), push_service.new_device("second")
    push_service.answer(first, (201, {"Connection": "close"}))
    assert send(sender, first).status == 201
    assert send(sender, second).status == 201
    assert len(push_service.delivered_to(first)) == len(push_service.delivered_to(second)) == 1
    assert push_service.connections == 2


class OneAnswerPerConnection:
    """A push service that answers one request per connection (201, keep-alive announced) and
    then closes it without saying so, as one closing an idle connection does."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.requests = self.connections = 0
        self.closed = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            with connection:
                received = b""
                while b"\r\n\r\n" not in received:
                    received += connection.recv(65536)
                head, _, body = received.partition(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                while len(body) < length:
                    body += connection.recv(65536)
                self.requests += 1
                connection.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
            self.closed.set()


@pytest.mark.parametrize("noticed", [True, False])
def test_a_kept_connection_the_service_closed_is_replaced_and_the_push_sent_once(
    push_service, sender, monkeypatch, noticed
):
    """Noticed: the closed connection is seen before the push (it reads as ready). Not noticed
    (the service closes it while the push is on its way): sending on it fails before any answer,
    and the push goes once more on a new connection."""
    service = OneAnswerPerConnection()
    device = push_service.new_device("phone")
    endpoint = f"http://127.0.0.1:{service.port}/push/phone"
    try:
        assert sender.send(endpoint, device.p256dh, device.auth, PAYLOAD).status == 201
        assert service.closed.wait(timeout=10)
        if not noticed:
            monkeypatch.setattr(web_push, "_closed_by_peer", lambda sock: False)
        assert sender.send(endpoint, device.p256dh, device.auth, PAYLOAD).status == 201
    finally:
        service.listener.close()
    assert (service.requests, service.connections) == (2, 2)


def test_a_push_service_that_refuses_the_connection_is_an_answer_to_retry(push_service, sender):
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]  # nothing listens there once it is closed
    device = push_service.new_device("phone")
    result = sender.send(
        f"http://127.0.0.1:{port}/push/phone",
        device.p256dh,
        device.auth,
        PAYLOAD,
    )
    assert result.status is None and result.detail


def test_keys_that_are_not_a_point_on_the_curve_are_refused(push_service, sender):
    device = push_service.new_device("phone")
    not_a_point = "BA" + "A" * 85  # 65 bytes starting 0x04, not on P-256
    with pytest.raises(web_push.PushError):
        sender.send(device.endpoint, not_a_point, device.auth, PAYLOAD)
    assert push_service.received == []


def test_a_one_off_push_a_test_notification_arrives(push_service, app):
    device = push_service.new_device("phone")
    with app.test_request_context():
        assert current_app.config["PUSH_INSECURE_HOSTS"]
        assert web_push.send(device.endpoint, device.p256dh, device.auth, PAYLOAD).status == 201
    assert push_service.delivered_to(device)[0].payload == PAYLOAD


def test_marking_reminders_announced_keeps_what_the_user_set_meanwhile(
    app, make_program, make_user
):
    """A page may snooze a reminder while its push is out: recording the push sets only the day
    it was announced, and states the user has none of yet are made."""
    worker = make_user(Role.OUTREACH_WORKER, [make_program()])
    other = make_user(Role.OUTREACH_WORKER, [worker.programs[0]])
    later = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    db.session.add_all(
        [
            ReminderState(
                user_id=worker.id, item_key="follow_up:1:2026-12-07", snoozed_until=later
            ),
            ReminderState(
                user_id=other.id, item_key="follow_up:2:2026-12-07", notified_on=date(2026, 12, 6)
            ),
        ]
    )
    db.session.commit()
    today = date(2026, 12, 7)
    with database.writes():
        push_layer.mark_notified_of(
            [
                (worker.id, ["follow_up:1:2026-12-07", "plan_task:3:2026-12-07"], today),
                (other.id, ["follow_up:2:2026-12-07"], today),
            ]
        )
        db.session.commit()
    states = db.session.execute(
        sa.select(
            ReminderState.user_id,
            ReminderState.item_key,
            ReminderState.snoozed_until,
            ReminderState.notified_on,
        ).order_by(ReminderState.user_id, ReminderState.item_key)
    ).all()
    assert [tuple(row) for row in states] == [
        (worker.id, "follow_up:1:2026-12-07", later, today),
        (worker.id, "plan_task:3:2026-12-07", None, today),
        (other.id, "follow_up:2:2026-12-07", None, today),
    ]


def test_recording_many_pushes_marks_each_subscription_as_answered(
    app, push_service, make_program, make_user
):
    """Delivered ones in one statement (one removed while its push was out keeps no link), the
    others one by one: gone deleted, a busy service backed off."""
    worker = make_user(Role.OUTREACH_WORKER, [make_program()])
    subscriptions = []
    for name in ("ok", "removed", "gone", "busy"):
        device = push_service.new_device(name)
        subscriptions.append(
            push_layer.subscribe(
                worker, endpoint=device.endpoint, p256dh=device.p256dh, auth=device.auth, label=name
            )
        )
    subscriptions[0].failures = 2
    db.session.commit()
    ok, removed, gone, busy = (push_layer.Device.of(s) for s in subscriptions)
    db.session.delete(subscriptions[1])
    db.session.commit()
    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    with database.writes():
        outcomes = push_layer.record_many(
            [
                (ok, web_push.PushResult(201), False, 3),
                (removed, web_push.PushResult(201), False, 3),
                (gone, web_push.PushResult(410, None, "Gone"), True, 3),
                (busy, web_push.PushResult(429, 120, "Too Many Requests"), False, 3),
            ],
            now,
        )
        db.session.commit()
    assert outcomes == ["sent", "sent", "gone", "retry"]
    left = {s.id: s for s in db.session.scalars(sa.select(PushSubscription))}
    assert set(left) == {ok.id, busy.id}
    assert (left[ok.id].last_success_at, left[ok.id].failures, left[ok.id].retry_at) == (
        now,
        0,
        None,
    )
    assert left[busy.id].failures == 1 and left[busy.id].retry_at >= now + timedelta(seconds=120)
    attempts = db.session.execute(
        sa.select(
            PushAttempt.outcome, PushAttempt.subscription_id, PushAttempt.item_count
        ).order_by(PushAttempt.id)
    ).all()
    assert [tuple(a) for a in attempts] == [
        ("sent", ok.id, 3),
        ("sent", None, 3),
        ("gone", None, 3),
        ("retry", busy.id, 3),
    ]
