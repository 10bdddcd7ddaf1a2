"""Page weight: bytes on the wire (compressed, headers excluded) for a cold load of the quick
intake, Today and a case page, measured in Chromium at 360×740 through the DevTools protocol."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server_load import environment, gunicorn  # noqa: E402
from tests.browser import LAUNCH_ARGS, PHONE, sign_in  # noqa: E402

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
        with gunicorn(url, workers=2) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=LAUNCH_ARGS
            )
            results = {}
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
