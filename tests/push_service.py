"""A push service of the tests' own on 127.0.0.1, and devices that subscribe to it.

It receives the dispatcher's real requests, checks the VAPID token (ES256 signature with the key
in `k=`, audience, expiry) and decrypts the aes128gcm body with the device's private key, as a
browser's push service and the browser would. Answers can be scripted per device.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Device:
    """A browser's subscription: the endpoint, and the keys only the browser holds."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def as_json(self, label: str = "Test phone") -> dict:
        return {
            "endpoint": self.endpoint,
            "keys": {"p256dh": self.p256dh, "auth": self.auth},
            "label": label,
        }


@dataclass
class Received:
    device: str
    headers: dict[str, str]
    claims: dict
    payload: dict
    status: int


@dataclass
class PushService:
    port: int = 0
    received: list[Received] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    devices: dict[str, Device] = field(default_factory=dict)
    # Per device: answers to give before the default 201, e.g. [(429, {"Retry-After": "120"})].
    scripted: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    connections: int = 0  # how many the senders opened
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def new_device(self, name: str | None = None) -> Device:
        name = name or b64url(os.urandom(9))
        device = Device(
            f"{self.origin}/push/{name}", ec.generate_private_key(ec.SECP256R1()), os.urandom(16)
        )
        self.devices[name] = device
        return device

    def answer(self, device: Device, *answers: tuple[int, dict[str, str]]) -> None:
        self.scripted.setdefault(device.endpoint.rsplit("/", 1)[1], []).extend(answers)

    def delivered_to(self, device: Device) -> list[Received]:
        name = device.endpoint.rsplit("/", 1)[1]
        return [item for item in self.received if item.device == name and item.status == 201]

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
        name = path.rsplit("/", 1)[1]
        device = self.devices.get(name)
        if device is None:
            return 404, {}
        claims = self._verify(headers)
        if claims is None:
            return 403, {}
        try:
            plaintext = http_ece.decrypt(
                body,
                private_key=device.private_key,
                auth_secret=device.auth_secret,
                version="aes128gcm",
            )
            payload = json.loads(plaintext)
        except Exception as error:
            self.problems.append(f"cannot decrypt: {error!r}")
            return 400, {}
        with self.lock:
            queue = self.scripted.get(name, [])
            status, extra = queue.pop(0) if queue else (201, {})
            self.received.append(Received(name, headers, claims, payload, status))
        return status, extra

    def _verify(self, headers: dict[str, str]) -> dict | None:
        authorization = headers.get("authorization", "")
        if not authorization.startswith("vapid "):
            self.problems.append("no VAPID authorization")
            return None
        parts = dict(
            part.strip().split("=", 1) for part in authorization[len("vapid ") :].split(",")
        )
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(parts["k"]))
        try:
            claims = jwt.decode(
                parts["t"],
                public,
                algorithms=["ES256"],
                audience=self.origin,
                options={"require": ["exp", "aud", "sub"]},
            )
        except jwt.PyJWTError as error:
            self.problems.append(f"bad VAPID token: {error}")
            return None
        if claims["exp"] > time.time() + 24 * 3600:
            self.problems.append("VAPID token expires more than 24 hours ahead")
            return None
        if not claims["sub"].startswith(("mailto:", "https:")):
            self.problems.append("VAPID subject is not mailto: or https:")
            return None
        return claims


@contextmanager
def running_push_service() -> Iterator[PushService]:
    with running_push_service_on(PushService()) as service:
        yield service


@contextmanager
def running_push_service_on(service: PushService) -> Iterator[PushService]:
    """Serve `service` on its port (0: any free one, then set on it)."""

    class Handler(BaseHTTPRequestHandler):
        # Keep-alive, as browsers' push services speak it: the dispatcher sends many pushes on
        # one connection (every answer says how long its body is).
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            with service.lock:
                service.connections += 1

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status, extra = service.handle(
                self.path, {k.lower(): v for k, v in self.headers.items()}, body
            )
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 256  # a dispatcher's pool connects many at once

    server = Server(("127.0.0.1", service.port), Handler)
    service.port = server.server_port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        thread.join(timeout=10)
