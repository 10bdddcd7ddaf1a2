"""Push dispatch at scale: 10,000 due reminders for 2,000 users, each with one device, sent to
a loopback push service that checks every VAPID token and decrypts every push.

Measures one dispatcher's run (time, pushes a second, duplicates), a second run the same day
(which must send nothing), and three dispatchers at once on freshly due reminders, on SQLite and
(where it answers) PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from bench.server_load import database  # noqa: E402
from tests.push_service import running_push_service as push_service  # noqa: E402
from webapp import create_app, web_push  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.jobs import dispatcher  # noqa: E402
from webapp.models import Case, CaseModel, PushSubscription, ReminderState, Role, User  # noqa: E402
from webapp.models.types import utcnow  # noqa: E402
from webapp.services import accounts, clients, programs  # noqa: E402
from webapp.timeutil import local_today  # noqa: E402

USERS = 2000
CASES_PER_USER = 5


def run(kind: str = "sqlite", users: int = USERS, cases_per_user: int = CASES_PER_USER) -> dict:
    with database(kind) as url, push_service() as service, tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "bench-only",
                "PASSWORD_HASH_PROFILE": "CHEAPEST",
                "PUSH_INSECURE_HOSTS": ("127.0.0.1",),
            },
            instance_path=folder,
        )
        with app.app_context():
            upgrade()
            devices = _organisation(service, users, cases_per_user)
            with app.test_request_context():
                started = time.perf_counter()
                first = dispatcher.dispatch_once()
                first_seconds = time.perf_counter() - started
                # The next minute's run, when nothing new is due: every user is worked out again.
                started = time.perf_counter()
                second = dispatcher.dispatch_once(utcnow() + timedelta(minutes=1))
                second_seconds = time.perf_counter() - started
            delivered = [len(service.delivered_to(device)) for device in devices]
            # Three dispatchers at once, on reminders due again (as on the next day).
            db.session.execute(sa.delete(ReminderState))
            db.session.execute(sa.update(PushSubscription).values(checked_at=None))
            db.session.commit()
            before = len(service.received)
            started = time.perf_counter()
            _three_at_once(app, url)
            parallel_seconds = time.perf_counter() - started
            per_device = [len(service.delivered_to(device)) for device in devices]
            db.session.remove()
            db.engine.dispose()  # PostgreSQL's database is dropped next: no connection may stay
        parallel = [after - once for after, once in zip(per_device, delivered, strict=True)]
        return {
            "users": users,
            "reminders": users * cases_per_user,
            "first_seconds": round(first_seconds, 2),
            "pushes": sum(delivered),
            "per_second": round(sum(delivered) / first_seconds),
            "reminders_notified": first.items,
            "duplicates": sum(max(0, n - 1) for n in delivered),
            "missed": sum(1 for n in delivered if n == 0),
            "second_run_pushes": sum(second.outcomes.values()),
            "second_seconds": round(second_seconds, 2),
            "parallel_seconds": round(parallel_seconds, 2),
            "parallel_pushes": len(service.received) - before,
            "parallel_duplicates": sum(max(0, n - 1) for n in parallel),
            "parallel_missed": sum(1 for n in parallel if n == 0),
            "problems": len(service.problems),
        }


def _organisation(service, users: int, cases_per_user: int) -> list:
    program = programs.create_program(name="Bench", model=CaseModel.GENERALIST)
    password_hash = accounts.hash_password("bench-password-not-real")
    db.session.execute(
        sa.insert(User),
        [
            {
                "email": f"worker{n}@bench.test",
                "display_name": f"Worker {n}",
                "password_hash": password_hash,
                "role": Role.OUTREACH_WORKER,
                "active": True,
                "session_version": 1,
            }
            for n in range(users)
        ],
    )
    workers = db.session.scalars(sa.select(User).order_by(User.id)).all()
    due = local_today() - timedelta(days=1)
    devices = []
    rows = []
    subscriptions = []
    for number, worker in enumerate(workers):
        client = clients.create_client(
            clients.ClientDetails(preferred_name=f"Client {number}"), created_by=None
        )
        rows += [
            {
                "client_id": client.id,
                "program_id": program.id,
                "model": CaseModel.GENERALIST,
                "primary_worker_id": worker.id,
                "next_follow_up_on": due,
            }
            for _ in range(cases_per_user)
        ]
        device = service.new_device(f"device{number}")
        devices.append(device)
        subscriptions.append(
            {
                "user_id": worker.id,
                "endpoint": device.endpoint,
                "p256dh": device.p256dh,
                "auth": device.auth,
                "device_label": "Bench phone",
            }
        )
    db.session.execute(sa.insert(Case), rows)
    db.session.execute(sa.insert(PushSubscription), subscriptions)
    db.session.commit()
    return devices


def _three_at_once(app, url: str) -> None:
    """Three `flask reminders dispatch` processes started together, as three hosts' cron jobs would
    be."""
    with app.app_context():
        keys = web_push.vapid_keys()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-only",
        "WAYMARK_VAPID_PRIVATE_KEY": json.dumps(keys.private_pem.decode()),
        "WAYMARK_VAPID_PUBLIC_KEY": json.dumps(keys.public_pem.decode()),
        "WAYMARK_PUSH_INSECURE_HOSTS": json.dumps(["127.0.0.1"]),
    }
    command = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "reminders", "dispatch"]
    processes = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        for _ in range(3)
    ]
    for process in processes:
        _, errors = process.communicate(timeout=600)
        if process.returncode != 0:
            raise RuntimeError(f"a dispatcher failed: {errors.decode()[-2000:]}")


if __name__ == "__main__":
    print(
        run(
            sys.argv[1] if len(sys.argv) > 1 else "sqlite",
            int(sys.argv[2]) if len(sys.argv) > 2 else 200,
        )
    )
