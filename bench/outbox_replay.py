"""Outbox replay benchmark: 500 contact logs posted online vs queued on the phone and drained.

Runs the real pieces: gunicorn (2 workers) on a fresh SQLite database with the demo organisation,
Debian's Chromium driven by Playwright, and the page's own outbox code (outbox-core.js). Budget
(PRODUCT.md): draining 500 queued entries takes at most 2× posting them online, with 0 duplicates,
and replaying the same outbox again creates nothing.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ENTRIES = 500
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

POST_ONLINE = """async ([url, count]) => {
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const body = new URLSearchParams({
      occurred_at: new Date(Date.now() - 3600e3).toISOString().slice(0, 16),
      contact_type: 'phone', note: 'Online ' + i,
    });
    const response = await fetch(url, {method: 'POST', body, headers: {'X-CSRFToken': token}});
    if (!response.ok) throw new Error('online post failed: ' + response.status);
  }
  return performance.now() - started;
}"""
QUEUE = """async ([url, count, userId]) => {
  const entries = [];
  for (let i = 0; i < count; i++) {
    entries.push({id: crypto.randomUUID(), url, userId, created: Date.now() + i,
      label: 'Contact log', name: '', state: 'waiting', message: '',
      fields: [['occurred_at', new Date(Date.now() - 3600e3).toISOString().slice(0, 16)],
               ['contact_type', 'phone'], ['note', 'Queued ' + i]]});
  }
  for (const entry of entries) await WaymarkOutbox.put(entry);
  return entries;
}"""
DRAIN = """async () => {
  const started = performance.now();
  await WaymarkOutbox.replayAll();
  return {ms: performance.now() - started, left: (await WaymarkOutbox.all()).length};
}"""
REQUEUE = """async (entries) => { for (const e of entries) await WaymarkOutbox.put(e); }"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def contact_count(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT count(*) FROM contact_logs").fetchone()[0]


def run() -> dict:
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{database}",
            "SECRET_KEY": "bench-only",
            "WAYMARK_TIMEZONE": "UTC",
        }
        flask = [str(bin_dir / "flask"), "--app", "wsgi"]
        subprocess.run(
            [*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        subprocess.run([*flask, "demo", "load"], cwd=ROOT, env=env, check=True, capture_output=True)
        with sqlite3.connect(database) as connection:
            case_id, user_id = connection.execute(
                "SELECT cases.id, users.id FROM cases "
                "JOIN users ON users.id = cases.primary_worker_id "
                "WHERE users.email = 'outreach@demo.example' AND cases.closed_at IS NULL "
                "ORDER BY cases.id"
            ).fetchone()
        port = free_port()
        server = subprocess.Popen(
            [
                str(bin_dir / "gunicorn"),
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--access-logfile",
                "/dev/null",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            return measure(
                f"http://127.0.0.1:{port}", f"/cases/{case_id}/contacts/new", user_id, database
            )
        finally:
            server.terminate()
            server.wait(timeout=20)


def measure(base: str, url: str, user_id: int, database: Path) -> dict:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        page = browser.new_context(base_url=base, viewport={"width": 360, "height": 740}).new_page()
        page.goto("/login")
        page.fill("#email", "outreach@demo.example")
        page.fill("#password", "orange-bicycle-harbour")
        page.click("button[type=submit]")
        page.wait_for_url("**/")
        start = contact_count(database)
        online_ms = page.evaluate(POST_ONLINE, [url, ENTRIES])
        after_online = contact_count(database)
        entries = page.evaluate(QUEUE, [url, ENTRIES, user_id])
        drained = page.evaluate(DRAIN)
        after_drain = contact_count(database)
        page.evaluate(REQUEUE, entries)
        again = page.evaluate(DRAIN)
        after_again = contact_count(database)
        browser.close()
    return {
        "entries": ENTRIES,
        "online_ms": round(online_ms),
        "drain_ms": round(drained["ms"]),
        "ratio": round(drained["ms"] / online_ms, 2),
        "created_online": after_online - start,
        "created_by_drain": after_drain - after_online,
        "left_in_outbox": drained["left"],
        "duplicates": (after_drain - after_online) - ENTRIES,
        "created_by_second_replay": after_again - after_drain,
        "second_replay_ms": round(again["ms"]),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
