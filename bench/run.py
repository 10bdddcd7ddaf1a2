"""`make bench`: run every benchmark under bench/ and write docs/benchmarks.md."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import outbox_replay, push_dispatch  # noqa: E402

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    chromium = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True).stdout.strip()
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), "
            f"Python {platform.python_version()}, {chromium or 'Chromium'}")


def main() -> None:
    replay = outbox_replay.run()
    pushes = push_dispatch.run()
    replay_ok = replay["ratio"] <= 2 and replay["duplicates"] == 0 and replay["created_by_second_replay"] == 0
    push_ok = (pushes["first_seconds"] <= 60 and pushes["parallel_seconds"] <= 60
               and pushes["duplicates"] == pushes["missed"] == pushes["second_run_pushes"] == 0
               and pushes["parallel_duplicates"] == pushes["parallel_missed"] == pushes["problems"] == 0)
    ok = replay_ok and push_ok
    report = f"""# Benchmarks

Written by `make bench` ({dt.date.today().isoformat()}). Machine: {machine()}.
Database: SQLite (WAL) under gunicorn with 2 workers, on loopback.

## Outbox replay

{replay['entries']} contact logs for one case, from Chromium at 360×740 using the app's own outbox
code (`static/js/outbox-core.js`): posted online one after another as the form does, then the same
number queued in IndexedDB and drained (`replayAll`: a fresh CSRF token and an `Idempotency-Key`
for each), then the same queue put back and replayed again.

| measure | result | budget |
|---|---|---|
| posting online | {replay['online_ms']} ms | |
| draining the outbox | {replay['drain_ms']} ms | |
| drain ÷ online | {replay['ratio']}× | ≤ 2× |
| records created by the drain | {replay['created_by_drain']} of {replay['entries']} | all |
| duplicates | {replay['duplicates']} | 0 |
| records created by replaying the same outbox again | {replay['created_by_second_replay']} ({replay['second_replay_ms']} ms) | 0 |
| entries left in the outbox | {replay['left_in_outbox']} | 0 |

Within budget: {"yes" if replay_ok else "**no**"}.

Posting online includes following each redirect to the case page, as a browser does; the outbox
asks for JSON instead and fetches `/session` before each entry (a fresh CSRF token, and a check that
the entry belongs to the signed-in user).

## Push dispatch

{pushes['reminders']:,} due reminders for {pushes['users']:,} users (five cases each, every follow-up a
day overdue), one device each, on SQLite. The push service is the tests' own
(`tests/push_service.py`) on loopback, in the same process: it checks every VAPID token and
decrypts every push, so its work is counted in the time too.

| measure | result | budget |
|---|---|---|
| one dispatcher: time | {pushes['first_seconds']} s | ≤ 60 s |
| pushes sent (one digest per user) | {pushes['pushes']:,} | {pushes['users']:,} |
| pushes a second | {pushes['per_second']} | |
| reminders announced | {pushes['reminders_notified']:,} | {pushes['reminders']:,} |
| duplicates / users missed | {pushes['duplicates']} / {pushes['missed']} | 0 / 0 |
| a second run the same day: pushes (time) | {pushes['second_run_pushes']} ({pushes['second_seconds']} s) | 0 |
| three dispatchers at once: time | {pushes['parallel_seconds']} s | ≤ 60 s |
| three dispatchers at once: pushes, duplicates, missed | {pushes['parallel_pushes']:,}, {pushes['parallel_duplicates']}, {pushes['parallel_missed']} | {pushes['users']:,}, 0, 0 |
| tokens or payloads the push service refused | {pushes['problems']} | 0 |

Within budget: {"yes" if push_ok else "**no**"}.

Most of a user's time is working out their reminders (Today's queries), then encrypting and
signing. A run has to end within its minute when cron starts one a minute: at this rate one
dispatcher covers about {round(pushes['users'] / pushes['second_seconds'] * 60):,} users with devices a minute. On SQLite the three dispatchers take turns (each user's transaction takes the write lock
first); on PostgreSQL they claim different users with `FOR UPDATE SKIP LOCKED`
(`tests/test_push.py` runs three at once on both databases).
"""
    DOCS.write_text(report)
    print(report)
    if not ok:
        sys.exit("a benchmark is outside its budget")


if __name__ == "__main__":
    main()
