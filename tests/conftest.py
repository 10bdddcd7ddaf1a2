"""Fixtures: an app on a migrated database (SQLite, or PostgreSQL with TEST_DATABASE_URL),
emptied after every test, and factories that build records through the service layer."""

from __future__ import annotations

import contextvars
import os
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from flask_login import FlaskLoginClient

from tests.push_service import PushService, running_push_service
from webapp import create_app
from webapp.extensions import db
from webapp.models import Case, CaseModel, Client, Program, Role, User
from webapp.services import accounts, cases, clients, programs
from webapp.timeutil import local_today

IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "correct horse battery staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_config(database_url: str, **overrides: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_PROFILE": "CHEAPEST",
        # The tests' own push service (tests/push_service.py) listens on loopback, over http.
        "PUSH_INSECURE_HOSTS": ("127.0.0.1",),
        **overrides,
    }


class IsolatedClient(FlaskLoginClient):
    """Each request runs in its own app context, with its own database session and `g`,
    as it does in production, even while the test holds an app context of its own.

    Afterwards the test's session is rolled back (it has committed everything it made), so
    what the test reads next is what the request wrote, not a stale snapshot.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        user = kwargs.get("user")
        super().__init__(*args, **kwargs)
        if user is not None:  # as if signed in just now (the session clock starts at sign-in)
            with self.session_transaction() as session:
                session["signed_in_at"] = session["seen_at"] = time.time()

    def open(self, *args: Any, **kwargs: Any) -> Any:
        # Read a streamed body inside the request's own context, as a WSGI server does.
        kwargs.setdefault("buffered", True)
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.rollback()
        return response


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'waymark-test.sqlite3'}"


def reset_schema(engine: sa.Engine) -> None:
    """Drop everything, so the migrations run from nothing."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    else:
        metadata = sa.MetaData()
        metadata.reflect(engine)
        metadata.drop_all(engine)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


@pytest.fixture(scope="session")
def migrated_database(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test database at the migrations' head: built by Alembic, never by create_all."""
    app = create_app(
        test_config(database_url), instance_path=str(tmp_path_factory.mktemp("instance"))
    )
    with app.app_context():
        reset_schema(db.engine)
        flask_migrate.upgrade()
        db.engine.dispose()
    return database_url


def empty_all_tables(engine: sa.Engine) -> None:
    tables = [table for table in db.metadata.sorted_tables]
    if engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        with engine.begin() as connection:
            # Only a superuser's test connection can do this: it silences the append-only triggers.
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        return
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
            "'audit_events'"
        )
        triggers = cursor.fetchall()
        for name, _ in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        cursor.execute("PRAGMA foreign_keys=OFF")
        for table in reversed(tables):
            cursor.execute(f'DELETE FROM "{table.name}"')
        cursor.execute("DELETE FROM sqlite_sequence") if _has_sqlite_sequence(cursor) else None
        cursor.execute("PRAGMA foreign_keys=ON")
        for _, sql in triggers:
            cursor.execute(sql)
        cursor.close()
    finally:
        raw.close()


def _has_sqlite_sequence(cursor: Any) -> bool:
    cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")
    return cursor.fetchone() is not None


@pytest.fixture
def make_app(migrated_database: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build an app on the test database with config overrides; emptied afterwards."""
    built: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        app = create_app(
            test_config(migrated_database, **overrides), instance_path=str(tmp_path / "instance")
        )
        app.test_client_class = IsolatedClient
        built.append(app)
        return app

    yield build
    for app in built:
        with app.app_context():
            db.session.remove()
            empty_all_tables(db.engine)
            db.engine.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], AbstractContextManager[Callable[[], int]]]:
    """Count the statements the app's engine executes inside a `with` block (Indico's fixture):

        with count_queries() as queries:
            client.get("/")
        assert queries() == 4

    Requests made by the test client run in their own app context but on the same engine,
    so their statements are counted too.
    """

    @contextmanager
    def counter() -> Iterator[Callable[[], int]]:
        statements = 0

        def count_one(*args: Any) -> None:
            nonlocal statements
            statements += 1

        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", count_one)
        try:
            yield lambda: statements
        finally:
            sa.event.remove(engine, "before_cursor_execute", count_one)

    return counter


@pytest.fixture
def push_service() -> Iterator[PushService]:
    """The tests' own push service, running on a loopback port until the test ends."""
    with running_push_service() as service:
        yield service


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def as_user(app: Flask) -> Callable[[User], FlaskClient]:
    """A test client already signed in as `user` (the sign-in itself is tested in test_auth)."""

    def signed_in(user: User) -> FlaskClient:
        return app.test_client(user=user)

    return signed_in


_sequence = count(1)


@pytest.fixture
def make_program(app: Flask) -> Callable[..., Program]:
    def build(
        name: str | None = None, model: CaseModel = CaseModel.GENERALIST, **kwargs: Any
    ) -> Program:
        program = programs.create_program(
            name=name or f"Program {next(_sequence)}", model=model, **kwargs
        )
        db.session.commit()
        return program

    return build


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    def build(
        role: Role = Role.OUTREACH_WORKER,
        programs: list[Program] | None = None,
        supervisor: User | None = None,
        email: str | None = None,
        password: str = PASSWORD,
        name: str | None = None,
        second_factor: bool | None = None,
    ) -> User:
        """A user; admins get an authenticator secret (TOTP_SECRET) unless second_factor=False."""
        number = next(_sequence)
        user = accounts.create_user(
            email=email or f"user{number}@agency.test",
            display_name=name or f"Worker Number{number}",
            role=role,
            password=password,
            programs=programs or [],
            supervisor=supervisor,
        )
        if second_factor or (second_factor is None and role == Role.ADMIN):
            user.totp_secret = TOTP_SECRET
        db.session.commit()
        return user

    return build


@pytest.fixture
def make_case(app: Flask) -> Callable[..., Case]:
    def build(
        program: Program,
        worker: User | None = None,
        name: str = "Alex",
        restricted: bool = False,
        follow_up_in_days: int | None = None,
        **client_details: Any,
    ) -> Case:
        client: Client = clients.create_client(
            clients.ClientDetails(preferred_name=name, **client_details), created_by=worker
        )
        follow_up = (
            local_today() + timedelta(days=follow_up_in_days)
            if follow_up_in_days is not None
            else None
        )
        case = cases.open_case(
            client,
            program,
            created_by=worker,
            primary_worker=worker,
            restricted=restricted,
            next_follow_up_on=follow_up,
        )
        db.session.commit()
        return case

    return build


@pytest.fixture
def one_rate_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests counted by `web.rate_limit` all fall in the middle of one window: a test's few
    requests on a slow machine never straddle two windows (which would reset the count)."""
    from webapp.web import rate_limit

    monkeypatch.setattr(rate_limit, "utcnow", lambda: datetime(2026, 12, 6, 12, 5, tzinfo=UTC))
