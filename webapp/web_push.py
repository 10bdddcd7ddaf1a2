"""Web push: VAPID keys, allowed push services, and sending one encrypted message.

The `webpush` package encrypts the payload (aes128gcm, RFC 8291), one package instance for a
sender's run. We build the request ourselves: a real TTL, the `Urgency` and `Topic` headers it
does not set, a size check, and a VAPID token whose audience is the push service's origin
including any port (RFC 8292; the package drops the port), signed once per origin. Requests go
over a kept-alive HTTP/1.1 connection per sending thread and origin.
"""

from __future__ import annotations

import base64
import fcntl
import http.client
import json
import os
import re
import select
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from flask import current_app
from webpush import VAPID, WebPush, WebPushSubscription

from webapp.text import without_controls

MAX_PLAINTEXT = 3993  # one aes128gcm record of 4096 bytes, less the header and padding
# A kept connection the push service closed fails at once; within this many seconds the push is
# sent again on a new connection (so a push may take this long plus two timeouts).
STALE_CONNECTION_GRACE = 1.0
TOPIC = "waymark-reminders"
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+=*")


@dataclass(frozen=True)
class VapidKeys:
    private_pem: bytes
    public_pem: bytes

    @property
    def application_server_key(self) -> str:
        """The public key as the browser's pushManager.subscribe() wants it: base64url, raw
        point."""
        public = serialization.load_pem_public_key(self.public_pem)
        raw = public.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _key_paths() -> tuple[Path, Path]:
    folder = Path(current_app.instance_path)
    return folder / "vapid_private.pem", folder / "vapid_public.pem"


def vapid_keys() -> VapidKeys:
    """From the environment, else from the instance folder, made there on first use (mode 0600)."""
    config = current_app.config
    if config.get("VAPID_PRIVATE_KEY") and config.get("VAPID_PUBLIC_KEY"):
        return VapidKeys(config["VAPID_PRIVATE_KEY"].encode(), config["VAPID_PUBLIC_KEY"].encode())
    private_path, public_path = _key_paths()
    if not (private_path.exists() and public_path.exists()):
        # Several processes (gunicorn workers, dispatchers started together) may get here at once:
        # one makes the pair, under a lock, so nobody signs with one process's private key while
        # another's public key is published.
        with _keys_locked():
            if not (private_path.exists() and public_path.exists()):
                _write_keys()
    return VapidKeys(private_path.read_bytes(), public_path.read_bytes())


@contextmanager
def _keys_locked() -> Iterator[None]:
    lock_path = Path(current_app.instance_path) / "vapid.lock"
    fd = os.open(lock_path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def write_new_keys() -> VapidKeys:
    with _keys_locked():
        return _write_keys()


def _write_keys() -> VapidKeys:
    private_pem, public_pem, _ = VAPID.generate_keys()
    private_path, public_path = _key_paths()
    for path, content in ((private_path, private_pem), (public_path, public_pem)):
        temporary = path.with_suffix(".new")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        temporary.replace(path)
    return VapidKeys(private_pem, public_pem)


class PushError(ValueError):
    """A subscription we will not send to; the message says why."""


def check_endpoint(
    endpoint: str,
    hosts: tuple[str, ...] | None = None,
    insecure_hosts: tuple[str, ...] | None = None,
) -> None:
    """Only the browsers' push services (configurable, or as given), over HTTPS."""
    if hosts is None or insecure_hosts is None:
        hosts = tuple(current_app.config["PUSH_HOSTS"])
        insecure_hosts = tuple(current_app.config["PUSH_INSECURE_HOSTS"])
    if without_controls(endpoint) != endpoint:
        raise PushError("A push endpoint is a plain web address.")
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    insecure = host in insecure_hosts
    if parts.scheme != "https" and not (parts.scheme == "http" and insecure):
        raise PushError("A push endpoint must use HTTPS.")
    allowed = (*hosts, *insecure_hosts)
    if not any(host == name or (name.startswith(".") and host.endswith(name)) for name in allowed):
        raise PushError("This push service is not one Waymark sends to.")


def _b64decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def check_keys(p256dh: str, auth: str) -> None:
    # The decoder skips characters outside base64url, so a NUL would pass it and reach the database.
    if not (_BASE64URL.fullmatch(p256dh) and _BASE64URL.fullmatch(auth)):
        raise PushError("The subscription's keys are not base64url.")
    try:
        point, secret = _b64decode(p256dh), _b64decode(auth)
    except ValueError as error:
        raise PushError("The subscription's keys are not base64url.") from error
    if len(point) != 65 or point[0] != 4 or len(secret) != 16:
        raise PushError("The subscription's keys are not a P-256 key and a 16-byte secret.")


def _origin(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    default = {"https": 443, "http": 80}[parts.scheme]
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def vapid_header(
    keys: VapidKeys, endpoint: str, *, now: float | None = None, subject: str | None = None
) -> str:
    token = jwt.encode(
        {
            "aud": _origin(endpoint),
            "exp": int(now or time.time()) + 12 * 60 * 60,
            "sub": subject or current_app.config["VAPID_SUBJECT"],
        },
        keys.private_pem,
        algorithm="ES256",
    )
    return f"vapid t={token},k={keys.application_server_key}"


@dataclass(frozen=True)
class PushResult:
    status: int | None  # None: no answer (connection failed, timed out)
    retry_after: int | None = None
    detail: str = ""


def send(
    endpoint: str, p256dh: str, auth: str, payload: dict, *, urgent: bool = False
) -> PushResult:
    """Encrypt `payload` for one subscription and POST it to its push service."""
    with Sender.from_app() as sender:
        return sender.send(endpoint, p256dh, auth, payload, urgent=urgent)


class Sender:
    """What sending needs from the app (keys, settings), taken once on the app's thread, so that
    pushes can be encrypted and sent from a pool of threads with no app context and no database
    session. A VAPID token is signed once per push service origin (it is good for 12 hours; a
    sender lives for one dispatcher run). Each sending thread keeps one connection open to each
    push service origin (HTTP/1.1 keep-alive: a dispatcher sends thousands of pushes to a handful
    of services); `close()` (or leaving `with`) closes them all."""

    def __init__(
        self,
        keys: VapidKeys,
        *,
        subject: str,
        ttl: int,
        timeout: float,
        hosts: tuple[str, ...],
        insecure_hosts: tuple[str, ...],
    ) -> None:
        self.keys, self.subject, self.ttl, self.timeout = keys, subject, ttl, timeout
        self.hosts, self.insecure_hosts = hosts, insecure_hosts
        self._tokens: dict[str, str] = {}
        self._lock = threading.Lock()
        # The package encrypts (aes128gcm, RFC 8291). One instance for the run: it parses our
        # PEM keys when made, and `get` changes nothing on it when given no per-call settings,
        # so the sending threads share it. The VAPID token it also signs is not the one sent:
        # ours names the push service's port in its audience (RFC 8292) and is signed once per
        # origin.
        self._package = WebPush(
            private_key=keys.private_pem,
            public_key=keys.public_pem,
            subscriber=subject.removeprefix("mailto:"),
            ttl=ttl,
        )
        self._local = threading.local()
        self._opened: list[http.client.HTTPConnection] = []
        self._tls: ssl.SSLContext | None = None
        # As urllib did: a proxy from the environment is honoured (those pushes go through urllib,
        # a connection each).
        self._proxies = urllib.request.getproxies()

    @classmethod
    def from_app(cls) -> Sender:
        config = current_app.config
        return cls(
            vapid_keys(),
            subject=config["VAPID_SUBJECT"],
            ttl=config["PUSH_TTL_SECONDS"],
            timeout=config["PUSH_TIMEOUT_SECONDS"],
            hosts=tuple(config["PUSH_HOSTS"]),
            insecure_hosts=tuple(config["PUSH_INSECURE_HOSTS"]),
        )

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close every kept connection (call once the sending threads are done)."""
        with self._lock:
            opened, self._opened = self._opened, []
        for connection in opened:
            connection.close()

    def _authorization(self, endpoint: str) -> str:
        origin = _origin(endpoint)
        with self._lock:
            if origin not in self._tokens:
                self._tokens[origin] = vapid_header(self.keys, endpoint, subject=self.subject)
            return self._tokens[origin]

    def send(
        self, endpoint: str, p256dh: str, auth: str, payload: dict, *, urgent: bool = False
    ) -> PushResult:
        """Encrypt `payload` for one subscription and POST it to its push service. Raises
        PushError for a subscription or message we will not send."""
        check_endpoint(endpoint, self.hosts, self.insecure_hosts)
        body = json.dumps(payload, separators=(",", ":")).encode()
        if len(body) > MAX_PLAINTEXT:
            raise PushError("The message is too large for one push.")
        encrypted = self._encrypt(endpoint, body, p256dh, auth)
        headers = {
            "Content-Type": "application/octet-stream",
            "Content-Encoding": "aes128gcm",
            "TTL": str(self.ttl),
            "Urgency": "high" if urgent else "normal",
            "Topic": TOPIC,
            "Authorization": self._authorization(endpoint),
        }
        parts = urlsplit(endpoint)
        if self._proxies.get(parts.scheme) and not urllib.request.proxy_bypass(parts.hostname):
            return self._post_through_urllib(endpoint, encrypted, headers)
        return self._post(parts, encrypted, headers)

    def _encrypt(self, endpoint: str, body: bytes, p256dh: str, auth: str) -> bytes:
        """`body` as one aes128gcm record only the subscription's browser can read."""
        try:
            return self._package.get(
                body,
                WebPushSubscription(endpoint=endpoint, keys={"p256dh": p256dh, "auth": auth}),
            ).encrypted
        except (ValueError, TypeError) as error:  # pydantic's ValidationError is a ValueError
            raise PushError(
                "The subscription's keys are not a P-256 key and a 16-byte secret."
            ) from error

    def _post(self, parts, body: bytes, headers: dict[str, str]) -> PushResult:
        """POST on this thread's connection to the origin. The timeout bounds each blocking step
        (connecting, sending, each read), so a slow push service holds one of the dispatcher's
        sending threads for a few of these at most."""
        target = parts.path or "/"
        if parts.query:
            target += f"?{parts.query}"
        connection, reused = self._connection(parts)
        started = time.monotonic()
        try:
            connection.request("POST", target, body=body, headers=headers)
            response = connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as error:
            self._drop(parts)
            if not reused or time.monotonic() - started > STALE_CONNECTION_GRACE:
                return PushResult(None, None, str(error)[:200] or type(error).__name__)
            # The service closed a kept connection it had left idle, as the push went out, and
            # did not take it. Once more on a new connection (were it taken after all, the Topic
            # makes the second replace the first on the device). A failure after a wait is the
            # service's answer: retried on a later run, not now.
            return self._post(parts, body, headers)
        except (OSError, http.client.HTTPException) as error:
            self._drop(parts)
            return PushResult(None, None, str(error)[:200] or type(error).__name__)
        try:
            # Push services answer with an empty or short body: read it so the connection can
            # carry the next push, and drop a connection that answers with more.
            response.read(64 * 1024)
        except (OSError, http.client.HTTPException):
            self._drop(parts)
        else:
            if response.will_close or not response.isclosed():
                self._drop(parts)
        if 200 <= response.status < 300:
            return PushResult(response.status)
        return PushResult(
            response.status, _retry_after(response.getheader("Retry-After")), response.reason or ""
        )

    def _connection(self, parts) -> tuple[http.client.HTTPConnection, bool]:
        """This thread's connection to the endpoint's origin, and whether it carried a push
        before."""
        kept = self._local.__dict__.setdefault("connections", {})
        key = (parts.scheme, parts.hostname, parts.port)
        connection = kept.get(key)
        if connection is not None:
            if connection.sock is not None and not _closed_by_peer(connection.sock):
                return connection, True
            connection.close()
        if parts.scheme == "https":
            with self._lock:
                if self._tls is None:
                    self._tls = ssl.create_default_context()
            connection = http.client.HTTPSConnection(
                parts.hostname, parts.port, timeout=self.timeout, context=self._tls
            )
        else:
            connection = http.client.HTTPConnection(
                parts.hostname, parts.port, timeout=self.timeout
            )
        kept[key] = connection
        with self._lock:
            self._opened.append(connection)
        return connection, False

    def _drop(self, parts) -> None:
        connection = self._local.__dict__.get("connections", {}).pop(
            (parts.scheme, parts.hostname, parts.port), None
        )
        if connection is not None:
            connection.close()

    def _post_through_urllib(self, endpoint: str, body: bytes, headers: dict[str, str]):
        request = urllib.request.Request(endpoint, data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return PushResult(response.status)
        except urllib.error.HTTPError as error:
            return PushResult(
                error.code, _retry_after(error.headers.get("Retry-After")), error.reason or ""
            )
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            return PushResult(None, None, str(getattr(error, "reason", error))[:200])


def _closed_by_peer(sock) -> bool:
    """An idle kept connection the other end has closed (or sent something unasked on) reads as
    ready: it is not used for another request."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _retry_after(value: str | None) -> int | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return int(value)
    from email.utils import parsedate_to_datetime

    try:
        return max(0, int(parsedate_to_datetime(value).timestamp() - time.time()))
    except (TypeError, ValueError):
        return None
