"""Page weight: bytes on the wire (compressed, headers excluded) for a cold load of the quick
intake, Today and a case page, measured in Chromium at 360×740 through the DevTools protocol; and a
first visit (the login page opened cold, the service worker allowed to install and activate)
counted on the wire by a loopback proxy, the worker's own fetches included."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server_load import environment, gunicorn  # noqa: E402
from tests.browser import LAUNCH_ARGS, PHONE, NetworkLog, sign_in  # noqa: E402

PAGES = {"quick intake": "/clients/new", "today": "/", "case": None}
KIND = {
    "Document": "html",
    "Stylesheet": "css",
    "Script": "js",
    "Image": "icons",
    "Other": "other",
    "Fetch": "other",
    "Manifest": "other",
    "XHR": "other",
}


ACTIVATED = (
    "() => navigator.serviceWorker.getRegistration()"
    ".then(r => !!(r && r.active && r.active.state === 'activated'))"
)


class WireCount:
    """Bytes the server sent, headers included, as a loopback TCP proxy in front of it passed them
    on: every request the browser made, the service worker's script (which the DevTools protocol
    counts without its body) and its imports included."""

    def __init__(self) -> None:
        self.received = 0
        self._lock = threading.Lock()

    def add(self, count: int) -> None:
        with self._lock:
            self.received += count


@contextmanager
def counting_proxy(base: str):
    upstream = urlsplit(base)
    listener = socket.create_server(("127.0.0.1", 0))
    count = WireCount()

    def pump(source: socket.socket, target: socket.socket, counted: bool) -> None:
        try:
            while data := source.recv(65536):
                if counted:
                    count.add(len(data))
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def serve() -> None:
        while True:
            try:
                browser_side, _ = listener.accept()
            except OSError:
                return
            server_side = socket.create_connection((upstream.hostname, upstream.port))
            for args in ((browser_side, server_side, False), (server_side, browser_side, True)):
                threading.Thread(target=pump, args=args, daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", count
    finally:
        listener.close()


def first_visit(browser, base: str) -> dict:
    """The login page opened cold, with the service worker allowed, until it is active and the
    network is quiet: what a phone downloads the first time Waymark is opened."""
    with counting_proxy(base) as (proxied, wire):
        context = browser.new_context(viewport=PHONE, base_url=proxied)
        page = context.new_page()
        log = NetworkLog(context, page)
        page.goto("/login", wait_until="load")
        page.wait_for_function(ACTIVATED)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
        context.close()
    paths: dict[str, int] = defaultdict(int)
    for entry in log.fetched():
        paths[urlsplit(entry["url"]).path] += 1
    page_bytes = sum(e["bytes"] for e in log.requests.values() if e["target"] == "page")
    return {
        "path": "/login",
        "page": page_bytes,
        "worker": wire.received - page_bytes,
        "total": wire.received,
        "fetched": len(log.fetched()),
        "fetched_paths": sorted(urlsplit(e["url"]).path for e in log.fetched()),
        "revalidated": sorted(urlsplit(e["url"]).path for e in log.revalidated()),
        "twice": sorted(path for path, times in paths.items() if times > 1),
    }


def run() -> dict:
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'weight.sqlite3'}"
        env = environment(url)
        flask = [str(bin_dir / "flask"), "--app", "wsgi"]
        subprocess.run(
            [*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        subprocess.run([*flask, "demo", "load"], cwd=ROOT, env=env, check=True, capture_output=True)
        import sqlite3

        with sqlite3.connect(Path(folder) / "weight.sqlite3") as connection:
            case_id = connection.execute(
                "SELECT cases.id FROM cases JOIN users ON users.id = cases.primary_worker_id "
                "WHERE users.email = 'outreach@demo.example' AND cases.closed_at IS NULL "
                "ORDER BY cases.id"
            ).fetchone()[0]
        PAGES["case"] = f"/cases/{case_id}"
        with gunicorn(url) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=LAUNCH_ARGS
            )
            results = {"first visit": first_visit(browser, base)}
            for name, path in PAGES.items():
                # A fresh context for each: nothing cached, no service worker yet (a first visit).
                context = browser.new_context(
                    viewport=PHONE, base_url=base, service_workers="block"
                )
                page = context.new_page()
                sign_in(page, "outreach@demo.example", "orange-bicycle-harbour")
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                types: dict[str, str] = {}
                sizes: dict[str, int] = defaultdict(int)
                encodings: dict[str, str] = {}
                cdp.on(
                    "Network.responseReceived",
                    lambda event, types=types, encodings=encodings: (
                        types.__setitem__(event["requestId"], KIND.get(event["type"], "other")),
                        encodings.__setitem__(
                            event["requestId"],
                            event["response"]
                            .get("headers", {})
                            .get(
                                "content-encoding",
                                event["response"].get("headers", {}).get("Content-Encoding", ""),
                            ),
                        ),
                    ),
                )
                cdp.on(
                    "Network.loadingFinished",
                    lambda event, sizes=sizes: sizes.__setitem__(
                        event["requestId"], event["encodedDataLength"]
                    ),
                )
                page.goto(path, wait_until="networkidle")
                by_kind: dict[str, int] = defaultdict(int)
                for request_id, size in sizes.items():
                    by_kind[types.get(request_id, "other")] += size
                html_encoding = next(
                    (encodings[r] for r, kind in types.items() if kind == "html"), ""
                )
                results[name] = {
                    "path": path,
                    **{
                        kind: by_kind.get(kind, 0)
                        for kind in ("html", "css", "js", "icons", "other")
                    },
                    "total": sum(by_kind.values()),
                    "html_encoding": html_encoding,
                }
                context.close()
            browser.close()
    return results


if __name__ == "__main__":
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    print(run())
