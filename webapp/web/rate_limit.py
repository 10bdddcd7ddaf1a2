"""Fixed-window request counting in the database, shared by every app server."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy.dialects import postgresql, sqlite

from webapp import database
from webapp.extensions import db
from webapp.models import RateBucket, utcnow


def allow(
    key: str,
    *,
    limit: int,
    window: timedelta,
    now: datetime | None = None,
    if_allowed: Callable[[sa.Connection], None] | None = None,
) -> bool:
    """Count one request for `key`; False once the window has seen more than `limit`.

    `if_allowed` writes, in the same transaction, what an allowed request must leave behind (a
    look-up's audit events): the count and that trail are one write, kept or lost together."""
    now = now or utcnow()
    seconds = int(window.total_seconds())
    start = datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=now.tzinfo)
    insert = (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(
        RateBucket
    )
    statement = (
        insert.values(key=key[:100], window_start=start, hits=1)
        .on_conflict_do_update(
            index_elements=["key", "window_start"], set_={"hits": RateBucket.hits + 1}
        )
        .returning(RateBucket.hits)
    )
    with _transaction_of_its_own() as connection:
        hits = connection.execute(statement).scalar_one()
        if random.random() < 0.01:  # now and then, forget windows long gone
            connection.execute(
                sa.delete(RateBucket).where(RateBucket.window_start < now - timedelta(days=1))
            )
        if hits <= limit and if_allowed is not None:
            if_allowed(connection)
    return hits <= limit


@contextmanager
def _transaction_of_its_own() -> Iterator[sa.Connection]:
    """A write transaction that takes the write lock first (SQLite), committed on leaving.

    A page that only reads (GET) counts on a connection of its own, as its audit events are
    written: its session keeps what it loaded (nothing expired, so nothing read twice). A request
    that writes holds, on SQLite, the write lock in its session's transaction, so that one is
    ended first and the count made in the session."""
    if has_request_context() and request.method in ("GET", "HEAD"):
        with database.writes(), db.engine.begin() as connection:
            yield connection
        return
    db.session.rollback()
    with database.writes():
        yield db.session.connection()
        db.session.commit()
