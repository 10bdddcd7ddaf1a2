"""Engine set-up for the two databases we support: SQLite (embedded) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

SQLITE_BUSY_TIMEOUT_MS = 5000
_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_writing_outside_requests: ContextVar[bool] = ContextVar("writing_outside_requests", default=False)


@contextmanager
def writes() -> Iterator[None]:
    """For commands (the reminder dispatcher): transactions begun inside take the write lock up
    front on SQLite, as a request that writes does."""
    token = _writing_outside_requests.set(True)
    try:
        yield
    finally:
        _writing_outside_requests.reset(token)


def normalise_url(url: str) -> str:
    """Accept the `postgres://` and `postgresql://` forms hosting platforms hand out."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(url: str) -> dict[str, Any]:
    # A database error's message otherwise lists every bound value (names, phone numbers, notes,
    # answers) and goes into the error log with it.
    hidden = {"hide_parameters": True}
    if url.startswith("sqlite"):
        # The pool hands a connection to one thread at a time, so pysqlite's own
        # same-thread check only gets in the way of threaded servers.
        return {
            **hidden,
            "connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        }
    return {
        **hidden,
        # PostgreSQL compiles a query to machine code once its estimated cost passes a threshold;
        # Waymark's big queries (supervision's counts, reports, a short search) pass it and are
        # over in tens of milliseconds, and the compiling alone took 30-50 ms of each (measured
        # at 100,000 clients): a win for analytics that run for seconds, a loss for pages.
        "connect_args": {"options": "-c jit=off"},
        "pool_pre_ping": True,
        "pool_size": 5,
        "max_overflow": 10,
        "pool_recycle": 1800,
    }


def tune_engine(engine: sa.Engine) -> None:
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_on_connect)
        sa.event.listen(engine, "begin", _sqlite_on_begin)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # We issue BEGIN ourselves (below) instead of letting pysqlite do it lazily.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    dbapi_connection.create_function("waymark_local_date", 2, _local_date, deterministic=True)


def _local_date(stored: str | None, zone: str) -> str | None:
    """SQLite keeps a UTC moment as text and knows no time zones: the day it was in `zone`."""
    if stored is None:
        return None
    moment = datetime.fromisoformat(stored).replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(zone)).date().isoformat()


class days_after_local_date(FunctionElement):
    """Whole days from the local date of a stored UTC moment to a date column, in SQL, on both
    databases: `days_after_local_date(Referral.created_at, Step.appointment_on, "Europe/London")`.
    PostgreSQL converts with its own time zone data; SQLite calls `_local_date` (registered on
    every connection), so both count calendar days where the organisation is."""

    type = sa.Integer()
    inherit_cache = True


@compiles(days_after_local_date, "postgresql")
def _days_after_local_date_postgresql(element, compiler, **kw) -> str:
    moment, day, zone = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"({day} - CAST(timezone({zone}, {moment}) AS DATE))"


@compiles(days_after_local_date, "sqlite")
def _days_after_local_date_sqlite(element, compiler, **kw) -> str:
    moment, day, zone = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(julianday({day}) - julianday(waymark_local_date({moment}, {zone})) AS INTEGER)"


def _sqlite_on_begin(connection: sa.Connection) -> None:
    # A request that writes takes the write lock up front: a deferred transaction that reads
    # and then tries to write fails at once with SQLITE_BUSY when another writer got there
    # first, whatever busy_timeout says. Reads stay deferred so they never queue.
    writing = _writing_outside_requests.get() or (
        has_request_context() and request.method not in _READ_ONLY_METHODS
    )
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")
