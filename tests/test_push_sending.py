"""Sending one push: the encryption a browser can read, and the kept-alive connections the
dispatcher's threads send on (reused, replaced when the push service closes one, never a lost or
doubled push)."""

import socket
import threading

import pytest
from flask import current_app

from webapp import web_push

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
