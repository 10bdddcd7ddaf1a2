"""Helpers for browser tests: the app on a loopback port, and Debian's Chromium at phone size."""

from __future__ import annotations

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
