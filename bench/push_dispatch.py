"""Push dispatch at scale: 10,000 users with devices in an organisation of 100,000 clients.

The organisation is `flask demo generate`'s (clients, cases with their contacts, referrals,
assessments, plans). Every generated staff member gets a device (every tenth a second one), and
more workers join the programs, each on the team of a few open cases, until 10,000 users have a
device. The push service is the tests' own (`tests/push_service.py`) on loopback, in a process of
its own (as a browser vendor's is on another host): it checks every VAPID token and decrypts every
push.

Measures one dispatcher's first run of the day (everything new), the next minute's run (nothing
new: every user is worked out again), and three dispatchers at once on freshly due reminders, on
SQLite and (where it answers) PostgreSQL; then checks every user due something got exactly one
digest per device."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from bench.server_load import PG_ADMIN, SIZES, free_port  # noqa: E402
from bench.server_load import database as bench_database  # noqa: E402
from tests.push_service import PushService, running_push_service_on  # noqa: E402
from webapp import create_app, web_push  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.jobs import dispatcher, generate  # noqa: E402
from webapp.models import (  # noqa: E402
    Case,
    CaseTeamMember,
    PushSubscription,
    ReminderState,
    Role,
    TeamRole,
    User,
    program_memberships,
)
from webapp.models.types import utcnow  # noqa: E402
from webapp.queries.reminders import due_reminders_for  # noqa: E402

USERS = int(os.environ.get("BENCH_PUSH_USERS", "10000"))
CLIENTS = int(os.environ.get("BENCH_PUSH_CLIENTS", str(SIZES["large"][0])))
CONTACTS = int(os.environ.get("BENCH_PUSH_CONTACTS", str(SIZES["large"][1])))
TEAM_CASES = 8  # open cases each added worker is on the team of
# A PostgreSQL database of its own, when set (a helper's, or one beside another benchmark's).
OWN_DATABASE = os.environ.get("BENCH_PUSH_DATABASE")


@contextmanager
def database(kind: str):
    if kind == "sqlite" or not OWN_DATABASE:
        with bench_database(kind) as url:
            yield url
        return
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{OWN_DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{OWN_DATABASE}"')
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{OWN_DATABASE}"


def run(
    kind: str = "sqlite", users: int = USERS, clients: int = CLIENTS, contacts: int = CONTACTS
) -> dict:
    with database(kind) as url, tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "bench-only",
                "PASSWORD_HASH_PROFILE": "CHEAPEST",
                "PUSH_INSECURE_HOSTS": ("127.0.0.1",),
                "TIMEZONE": "UTC",
            },
            instance_path=folder,
        )
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            generate.generate(clients=clients, contacts=contacts)
            db.session.commit()
            generate_seconds = time.perf_counter() - started
            service = PushService(port=free_port())
            devices = _devices(service, users)
            with _service_process(service) as ask:
                with app.test_request_context():
                    now = utcnow()
                    started = time.perf_counter()
                    first = dispatcher.dispatch_once(now)
                    first_seconds = time.perf_counter() - started
                    # The next minute's run, when nothing new is due: every user is worked out
                    # again.
                    started = time.perf_counter()
                    second = dispatcher.dispatch_once(now + timedelta(minutes=1))
                    second_seconds = time.perf_counter() - started
                    expected = _expected(now)
                delivered = ask("delivered")
                # Three dispatchers at once, on reminders due again (as on the next day).
                db.session.execute(sa.delete(ReminderState))
                db.session.execute(sa.update(PushSubscription).values(checked_at=None))
                db.session.commit()
                started = time.perf_counter()
                _three_at_once(app, url)
                parallel_seconds = time.perf_counter() - started
                after = ask("delivered")
                problems = ask("problems")
            db.session.remove()
            db.engine.dispose()  # PostgreSQL's database is dropped next: no connection may stay
        parallel = {name: after.get(name, 0) - delivered.get(name, 0) for name in after}
        due_devices = [name for user_id in expected for name in devices[user_id]]
        return {
            "clients": clients,
            "contacts": contacts,
            "generate_seconds": round(generate_seconds, 1),
            "users": len(devices),
            "devices": sum(len(names) for names in devices.values()),
            "users_due": len(expected),
            "reminders": sum(expected.values()),
            "first_seconds": round(first_seconds, 2),
            "first_per_minute": round(len(devices) / first_seconds * 60),
            "pushes": sum(delivered.values()),
            "per_second": round(sum(delivered.values()) / first_seconds),
            "notified_users": first.notified_users,
            "reminders_notified": first.items,
            "deferred": first.deferred + second.deferred,
            "duplicates": sum(max(0, n - 1) for n in delivered.values()),
            "missed": sum(1 for name in due_devices if delivered.get(name, 0) == 0),
            "unexpected": sum(delivered.values()) - sum(1 for _ in due_devices),
            "second_run_pushes": sum(second.outcomes.values()),
            "second_seconds": round(second_seconds, 2),
            "second_per_minute": round(len(devices) / second_seconds * 60),
            "parallel_seconds": round(parallel_seconds, 2),
            "parallel_pushes": sum(parallel.values()),
            "parallel_duplicates": sum(max(0, n - 1) for n in parallel.values()),
            "parallel_missed": sum(1 for name in due_devices if parallel.get(name, 0) == 0),
            "problems": len(problems),
            "batch_users": app.config["REMINDER_BATCH_USERS"],
            "concurrency": app.config["PUSH_CONCURRENCY"],
        }


def _devices(service: PushService, users: int) -> dict[int, list[str]]:
    """Devices for every generated staff member, and added workers (each on the team of a few open
    cases of their program) until `users` people have one. By user id: their devices' names."""
    rng = random.Random(11)
    staff = db.session.scalars(sa.select(User.id).where(User.active).order_by(User.id)).all()
    members = db.session.execute(sa.select(program_memberships)).all()
    program_ids = sorted({program_id for _, program_id in members})
    open_cases: dict[int, list[int]] = {program_id: [] for program_id in program_ids}
    for case_id, program_id in db.session.execute(
        sa.select(Case.id, Case.program_id).where(Case.closed_at.is_(None))
    ):
        open_cases[program_id].append(case_id)
    added = max(0, users - len(staff))
    first_id = (db.session.scalar(sa.select(sa.func.max(User.id))) or 0) + 1
    password_hash = db.session.scalar(sa.select(User.password_hash).limit(1))
    rows, memberships, teams = [], [], []
    for number in range(added):
        user_id = first_id + number
        program_id = program_ids[number % len(program_ids)]
        rows.append(
            {
                "id": user_id,
                "email": f"teamworker{user_id}@{generate.EMAIL_DOMAIN}",
                "display_name": f"Team Worker {user_id}",
                "password_hash": password_hash,
                "role": Role.OUTREACH_WORKER,
                "active": True,
                "session_version": 1,
            }
        )
        memberships.append({"user_id": user_id, "program_id": program_id})
        for case_id in rng.sample(open_cases[program_id], TEAM_CASES):
            teams.append({"case_id": case_id, "user_id": user_id, "role": TeamRole.CO_WORKER})
    if rows:
        db.session.execute(sa.insert(User), rows)
        db.session.execute(program_memberships.insert(), memberships)
        db.session.execute(sa.insert(CaseTeamMember), teams)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT setval('users_id_seq', (SELECT max(id) FROM users))"))
    devices: dict[int, list[str]] = {}
    subscriptions = []
    for user_id in [*staff[:users], *(row["id"] for row in rows)]:
        for copy in range(2 if user_id % 10 == 0 else 1):
            name = f"u{user_id}d{copy}"
            device = service.new_device(name)
            devices.setdefault(user_id, []).append(name)
            subscriptions.append(
                {
                    "user_id": user_id,
                    "endpoint": device.endpoint,
                    "p256dh": device.p256dh,
                    "auth": device.auth,
                    "device_label": "Bench phone",
                }
            )
    db.session.execute(sa.insert(PushSubscription), subscriptions)
    db.session.commit()
    return devices


def _expected(now) -> dict[int, int]:
    """By user id: how many reminders each user with a device has showing (those with none are
    sent nothing). Worked out after the timed runs, with the engine the pages use."""
    ids = db.session.scalars(sa.select(PushSubscription.user_id).distinct()).all()
    due: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        users = db.session.scalars(sa.select(User).where(User.id.in_(ids[start : start + 500])))
        for user_id, items in due_reminders_for(list(users), now).items():
            if items:
                due[user_id] = len(items)
        db.session.expunge_all()
    db.session.rollback()
    return due


def _serve(service: PushService, connection) -> None:
    """The push service's own process: serve until told to stop, answering questions."""

    with running_push_service_on(service):
        connection.send("ready")
        while True:
            question = connection.recv()
            if question == "stop":
                return
            if question == "delivered":
                counts: dict[str, int] = {}
                for item in service.received:
                    if item.status == 201:
                        counts[item.device] = counts.get(item.device, 0) + 1
                connection.send(counts)
            elif question == "problems":
                connection.send(list(service.problems))


class _service_process:
    def __init__(self, service: PushService) -> None:
        self.service = service

    def __enter__(self):
        context = multiprocessing.get_context("fork")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(self.service, child), daemon=True)
        self.process.start()
        if self.connection.recv() != "ready":
            raise RuntimeError("the push service did not start")

        def ask(question: str):
            self.connection.send(question)
            return self.connection.recv()

        return ask

    def __exit__(self, *exc) -> None:
        self.connection.send("stop")
        self.process.join(timeout=30)


def _three_at_once(app, url: str) -> None:
    """Three `flask reminders dispatch` processes started together, as three hosts' cron jobs would
    be."""
    with app.app_context():
        keys = web_push.vapid_keys()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-only",
        "WAYMARK_TIMEZONE": "UTC",
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
        _, errors = process.communicate(timeout=1800)
        if process.returncode != 0:
            raise RuntimeError(f"a dispatcher failed: {errors.decode()[-2000:]}")


if __name__ == "__main__":
    print(
        run(
            sys.argv[1] if len(sys.argv) > 1 else "sqlite",
            int(sys.argv[2]) if len(sys.argv) > 2 else USERS,
            int(sys.argv[3]) if len(sys.argv) > 3 else CLIENTS,
            int(sys.argv[4]) if len(sys.argv) > 4 else CONTACTS,
        )
    )
