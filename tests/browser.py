"""Helpers for browser tests: the app on a loopback port, and Debian's Chromium at phone size."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import IN_CI

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 360, "height": 740}
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = (
    "browser tests need Debian's Chromium at /usr/bin/chromium: apt-get install -y chromium"
)


def require_chromium() -> Any:
    """Playwright's sync API, or a skip (a failure in CI) that says what to install."""
    problem = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        problem = (
            "browser tests need Playwright for Python: make test installs it (pip install -e "
            "'.[test]')"
        )
    if problem is None and not CHROMIUM.exists():
        problem = INSTALL_HINT
    if problem:
        if IN_CI:
            pytest.fail(problem)
        pytest.skip(problem)
    return sync_playwright


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def sign_in(page: Any, email: str, password: str) -> None:
    """Sign in through the login form and wait for Today."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


class NetworkLog:
    """Every request a page and the workers it starts (its service worker included) make, as the
    DevTools protocol's Network domain reports them; the page's CDP session auto-attaches to each
    worker (non-flattened: Playwright has no session object for a service worker's target)."""

    def __init__(self, context: Any, page: Any) -> None:
        self.requests: dict[str, dict] = {}
        self._targets: dict[str, str] = {}
        self._cdp = context.new_cdp_session(page)
        self._ids = iter(range(1, 1_000_000))
        self._cdp.on("Target.attachedToTarget", self._attached)
        self._cdp.on(
            "Target.receivedMessageFromTarget",
            lambda event: self._message(event["targetId"], json.loads(event["message"])),
        )
        for method in (
            "requestWillBeSent",
            "responseReceived",
            "responseReceivedExtraInfo",
            "loadingFinished",
        ):
            self._cdp.on(
                f"Network.{method}",
                lambda params, method=method: self._event("page", f"Network.{method}", params),
            )
        self._cdp.send("Network.enable")
        self._cdp.send(
            "Target.setAutoAttach",
            {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": False},
        )

    def _send(self, session_id: str, method: str) -> None:
        message = {"id": next(self._ids), "method": method, "params": {}}
        self._cdp.send(
            "Target.sendMessageToTarget", {"sessionId": session_id, "message": json.dumps(message)}
        )

    def _attached(self, event: dict) -> None:
        info = event["targetInfo"]
        self._targets[info["targetId"]] = info["type"]
        self._send(event["sessionId"], "Network.enable")
        self._send(event["sessionId"], "Runtime.runIfWaitingForDebugger")

    def _message(self, target_id: str, message: dict) -> None:
        if message.get("method", "").startswith("Network."):
            self._event(
                self._targets.get(target_id, "worker"), message["method"], message["params"]
            )

    def _event(self, target: str, method: str, params: dict) -> None:
        entry = self.requests.setdefault(
            f"{target}:{params['requestId']}", {"target": target, "bytes": 0}
        )
        if method == "Network.requestWillBeSent":
            entry["url"] = params["request"]["url"]
        elif method == "Network.responseReceived":
            response = params["response"]
            entry.update(
                url=response["url"],
                type=params.get("type", "Other"),
                status=response["status"],
                encoding=response.get("headers", {}).get("content-encoding", ""),
                # Answered without the network: the HTTP cache, or the service worker (whose
                # own fetch, if it made one, is a request of its target).
                local=bool(
                    response.get("fromDiskCache")
                    or response.get("fromServiceWorker")
                    or response.get("fromPrefetchCache")
                    or response.get("fromEarlyHints")
                ),
            )
        elif method == "Network.responseReceivedExtraInfo":
            entry["wire_status"] = params["statusCode"]  # as the server sent it: 304 stays 304
        elif method == "Network.loadingFinished":
            entry["bytes"] = params["encodedDataLength"]

    def fetched(self) -> list[dict]:
        """The responses whose body came over the network: not from the HTTP cache or the service
        worker, and not a 304 (the HTTP cache checked its copy and kept it)."""
        return [
            entry
            for entry in self.requests.values()
            if "status" in entry and not entry["local"] and entry.get("wire_status") != 304
        ]

    def revalidated(self) -> list[dict]:
        """The requests answered 304: headers only, the body from the HTTP cache."""
        return [
            entry
            for entry in self.requests.values()
            if "url" in entry and entry.get("wire_status") == 304
        ]
