"""Server latency against the floor, query counts, and concurrent writers, at two data sizes and on
both databases (PostgreSQL when it answers on 127.0.0.1:5432).

For each database and size: a fresh database, migrated, filled by `flask demo generate`, served by
gunicorn as README runs it (its default worker count); 20 signed-in workers at once request Today,
a search, one of their case pages and a contact-log POST, and a trivial route (`/healthz`) in the
same run is the floor.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
USERS = 20
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
WRITE_SECONDS = int(os.environ.get("BENCH_WRITE_SECONDS", "30"))
SIZES = {
    "small": (
        int(os.environ.get("BENCH_SMALL_CLIENTS", "1000")),
        int(os.environ.get("BENCH_SMALL_CONTACTS", "10000")),
    ),
    "large": (
        int(os.environ.get("BENCH_LARGE_CLIENTS", "100000")),
        int(os.environ.get("BENCH_LARGE_CONTACTS", "1000000")),
    ),
}
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
# README's default (gunicorn.conf.py): what a newcomer's `make run` serves with.
WORKERS = int(os.environ.get("WEB_CONCURRENCY", "2"))
ROUTES = ("floor", "today", "search", "case", "contact_post")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_available() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
        return True
    except OSError:
        return False


@contextmanager
def database(kind: str):
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        return
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS waymark_bench")
        admin.execute("CREATE DATABASE waymark_bench")
    try:
        yield "postgresql+psycopg://postgres@127.0.0.1:5432/waymark_bench"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute("DROP DATABASE IF EXISTS waymark_bench WITH (FORCE)")


def environment(url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-only",
        "WAYMARK_TIMEZONE": "UTC",
        "WAYMARK_PASSWORD_HASH_PROFILE": '"CHEAPEST"',
    }


def prepare(url: str, clients: int, contacts: int) -> float:
    env = environment(url)
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    started = time.perf_counter()
    subprocess.run(
        [*flask, "demo", "generate", "--clients", str(clients), "--contacts", str(contacts)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


@contextmanager
def gunicorn(url: str):
    """Waymark served as README says (`gunicorn --config gunicorn.conf.py`), with its default
    worker count (WEB_CONCURRENCY, 2 unless set); only the access log goes nowhere."""
    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=environment(url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One signed-in worker: a cookie jar, no redirects followed (a 302 is the answer)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def open(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def csrf(self, path: str) -> str:
        _, page = self.open(path)
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    def sign_in(self, email: str, password: str, totp_secret: str | None = None) -> None:
        token = self.csrf("/login")
        status, _ = self.open("/login", {"csrf_token": token, "email": email, "password": password})
        assert status == 302, status
        if totp_secret is not None:  # an admin: the second step, with the authenticator's code
            import pyotp

            token = self.csrf("/login/code")
            code = pyotp.TOTP(totp_secret).now()
            status, _ = self.open("/login/code", {"csrf_token": token, "code": code})
            assert status == 302, status


def workers_and_cases(url: str) -> list[tuple[str, int, str]]:
    """(email, one of their open case ids, a client's full name to search for) for USERS workers."""
    import sqlalchemy as sa

    engine = sa.create_engine(url.replace("postgresql+psycopg", "postgresql+psycopg"))
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT users.email, MIN(cases.id), MIN(clients.legal_name) FROM users "
                "JOIN cases ON cases.primary_worker_id = users.id AND cases.closed_at IS NULL "
                "JOIN clients ON clients.id = cases.client_id "
                "WHERE users.role IN ('case_manager', 'outreach_worker') "
                f"GROUP BY users.email ORDER BY users.email LIMIT {USERS}"
            )
        ).all()
    engine.dispose()
    return [(email, case_id, name) for email, case_id, name in rows]


def richest_case(url: str) -> tuple[str, int, str]:
    """A worker and an open case with a plan and referrals: the case page at its fullest, so query
    counts compare like with like at both sizes."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        row = connection.execute(
            sa.text(
                "SELECT users.email, cases.id, clients.legal_name FROM cases "
                "JOIN users ON users.id = cases.primary_worker_id "
                "JOIN clients ON clients.id = cases.client_id "
                "WHERE cases.closed_at IS NULL "
                "AND EXISTS (SELECT 1 FROM service_plans WHERE case_id = cases.id) "
                "AND EXISTS (SELECT 1 FROM referrals WHERE case_id = cases.id) "
                "AND EXISTS (SELECT 1 FROM contact_logs WHERE case_id = cases.id) "
                "ORDER BY cases.id LIMIT 1"
            )
        ).one()
    engine.dispose()
    return row[0], row[1], row[2]


def contact(token: str, number: int) -> dict:
    return {
        "csrf_token": token,
        "occurred_at": time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() - 120)),
        "contact_type": "phone",
        "note": f"Benchmark call {number}",
        "duration_minutes": "5",
    }


def latency(base: str, people: list[tuple[str, int, str]]) -> dict[str, list[float]]:
    from webapp.jobs.generate import PASSWORD

    timings: dict[str, list[float]] = {route: [] for route in ROUTES}
    lock = threading.Lock()
    errors: list[str] = []
    start = threading.Barrier(len(people))

    def one(email: str, case_id: int, name: str) -> None:
        browser = Browser(base)
        browser.sign_in(email, PASSWORD)
        token = browser.csrf(f"/cases/{case_id}/contacts/new")
        query = urllib.parse.quote(name)
        start.wait()
        for number in range(ROUNDS):
            for route, path, data, expected in (
                ("floor", "/healthz", None, 200),
                ("today", "/", None, 200),
                ("search", f"/clients?q={query}", None, 200),
                ("case", f"/cases/{case_id}", None, 200),
                ("contact_post", f"/cases/{case_id}/contacts/new", contact(token, number), 302),
            ):
                began = time.perf_counter()
                status, _ = browser.open(path, data)
                spent = time.perf_counter() - began
                with lock:
                    timings[route].append(spent)
                    if status != expected:
                        errors.append(f"{route} {status}")

    threads = [threading.Thread(target=one, args=person) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    timings["errors"] = errors  # type: ignore[assignment]
    return timings


def staff_email(url: str, role: str) -> str | None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        email = connection.execute(
            sa.text("SELECT email FROM users WHERE role = :role AND active ORDER BY id LIMIT 1"),
            {"role": role},
        ).scalar()
    engine.dispose()
    return email


# Pages people meet, by who meets them: field pages against an anonymous page through the same
# stack (`/login`), overview pages against the floor.
FIELD_PAGES = ("today", "search", "search_2", "search_3", "case", "reminders")
OVERVIEW_PAGES = ("supervision", "reports")


def one_at_a_time(base: str, url: str, person: tuple[str, int, str]) -> dict:
    """Each page requested alone, right after the floor, ROUNDS times: no queueing inflates either.
    Returns per page its median, its median ÷ the floor's, and its compressed size."""
    import gzip

    from webapp.jobs.generate import ADMIN_TOTP_SECRET, PASSWORD

    email, case_id, name = person
    worker = Browser(base)
    worker.sign_in(email, PASSWORD)
    pages: list[tuple[str, Browser, str]] = [
        ("today", worker, "/"),
        ("search", worker, f"/clients?q={urllib.parse.quote(name)}"),
        ("search_2", worker, f"/clients?q={urllib.parse.quote(name[:2])}"),
        ("search_3", worker, f"/clients?q={urllib.parse.quote(name[:3])}"),
        ("case", worker, f"/cases/{case_id}"),
        ("reminders", worker, "/reminders"),
        ("login", Browser(base), "/login"),
        # The least a signed-in request costs (its user read, the session renewed, a CSRF
        # token): how much of a field page is being signed in, not the page.
        ("session", worker, "/session"),
    ]
    for role in ("supervisor", "admin"):
        who = staff_email(url, role)
        if who is None:
            raise RuntimeError(f"the generated organisation has no {role}")
        browser = Browser(base)
        browser.sign_in(who, PASSWORD, ADMIN_TOTP_SECRET if role == "admin" else None)
        for page in OVERVIEW_PAGES:
            pages.append((f"{page} ({role})", browser, f"/{page}"))
        # Two letters as someone who sees every client of their programs (or all) types them.
        pages.append((f"search_2 ({role})", browser, f"/clients?q={urllib.parse.quote(name[:2])}"))
    floor: list[float] = []
    timings: dict[str, list[float]] = {name: [] for name, _, _ in pages}
    sizes: dict[str, int] = {}
    errors: list[str] = []
    for _ in range(ROUNDS):
        for page, browser, path in pages:
            began = time.perf_counter()
            browser.open("/healthz")
            floor.append(time.perf_counter() - began)
            began = time.perf_counter()
            status, body = browser.open(path)
            timings[page].append(time.perf_counter() - began)
            if status != 200:
                errors.append(f"{page} {status}")
            sizes[page] = len(gzip.compress(body.encode()))
    floor_ms = statistics.median(floor) * 1000
    login_ms = statistics.median(timings["login"]) * 1000
    return {
        "floor_ms": round(floor_ms, 1),
        "errors": errors,
        "pages": {
            page: {
                "median_ms": round(statistics.median(values) * 1000, 1),
                "floor_ratio": round(statistics.median(values) * 1000 / floor_ms, 1),
                "login_ratio": round(statistics.median(values) * 1000 / login_ms, 1),
                "gzip_kb": round(sizes[page] / 1024, 1),
            }
            for page, values in timings.items()
        },
    }


def summary(values: list[float]) -> dict:
    values = sorted(values)
    return {
        "median_ms": round(statistics.median(values) * 1000, 1),
        "p95_ms": round(values[int(len(values) * 0.95) - 1] * 1000, 1),
    }


def query_counts(url: str, person: tuple[str, int, str]) -> dict[str, int]:
    """SQL statements per page, counted in-process for one worker."""
    import sqlalchemy as sa

    from webapp import create_app
    from webapp.extensions import db
    from webapp.jobs.generate import PASSWORD

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench-only",
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_PROFILE": "CHEAPEST",
        }
    )
    email, case_id, name = person
    client = app.test_client()
    client.post("/login", data={"email": email, "password": PASSWORD})
    counts = {}
    with app.app_context():
        engine = db.engine
    # Each request below runs in an app context of its own, as in production: no session or
    # identity map carried over from one to the next hides a statement.
    for page, path in (
        ("today", "/"),
        ("search", f"/clients?q={urllib.parse.quote(name)}"),
        ("case", f"/cases/{case_id}"),
        ("reminders", "/reminders"),
    ):
        seen: list[str] = []
        listener = lambda *args, seen=seen: seen.append(args[2])  # noqa: E731
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            status = client.get(path).status_code
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
        counts[page] = len(seen) if status == 200 else -status
    engine.dispose()
    return counts


def concurrent_writers(base: str, url: str, people: list[tuple[str, int, str]]) -> dict:
    import sqlalchemy as sa

    from webapp.jobs.generate import PASSWORD

    engine = sa.create_engine(url)

    def contact_rows() -> int:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT count(*) FROM contact_logs")).scalar_one()

    before = contact_rows()
    accepted, errors = [0], []
    lock = threading.Lock()
    start = threading.Barrier(len(people))

    def one(email: str, case_id: int, _name: str) -> None:
        browser = Browser(base)
        browser.sign_in(email, PASSWORD)
        token = browser.csrf(f"/cases/{case_id}/contacts/new")
        start.wait()
        deadline = time.monotonic() + WRITE_SECONDS
        number = 0
        while time.monotonic() < deadline:
            status, _ = browser.open(f"/cases/{case_id}/contacts/new", contact(token, number))
            number += 1
            with lock:
                if status == 302:
                    accepted[0] += 1
                else:
                    errors.append(status)

    began = time.perf_counter()
    threads = [threading.Thread(target=one, args=person) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    written = contact_rows() - before
    engine.dispose()
    return {
        "accepted": accepted[0],
        "errors": len(errors),
        "rows_written": written,
        "lost": accepted[0] - written,
        "per_second": round(accepted[0] / seconds, 1),
    }


def run() -> dict:
    results: dict = {"databases": {}}
    kinds = ["sqlite"] + (["postgresql"] if postgres_available() else [])
    for kind in kinds:
        per_size = {}
        for size, (clients, contacts) in SIZES.items():
            with database(kind) as url:
                generate_seconds = prepare(url, clients, contacts)
                people = workers_and_cases(url)
                with gunicorn(url) as base:
                    alone = one_at_a_time(base, url, people[0])
                    timings = latency(base, people)
                    writers = concurrent_writers(base, url, people) if size == "small" else None
                counts = query_counts(url, richest_case(url))
            routes = {route: summary(timings[route]) for route in ROUTES}
            floor = routes["floor"]["median_ms"]
            for route in ROUTES:
                routes[route]["ratio"] = (
                    round(routes[route]["median_ms"] / floor, 1) if floor else None
                )
            per_size[size] = {
                "clients": clients,
                "contacts": contacts,
                "generate_seconds": round(generate_seconds, 1),
                "routes": routes,
                "errors": len(timings["errors"]),
                "queries": counts,
                "writers": writers,
                "alone": alone,
            }
        results["databases"][kind] = per_size
    return results


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
