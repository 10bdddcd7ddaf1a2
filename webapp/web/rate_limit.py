"""Fixed-window request counting in the database, shared by every app server."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from webapp import database
from webapp.extensions import db
from webapp.models import RateBucket, utcnow


def allow(key: str, *, limit: int, window: timedelta, now: datetime | None = None) -> bool:
    """Count one request for `key`; False once the window has seen more than `limit`."""
    now = now or utcnow()
    seconds = int(window.total_seconds())
    start = datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=now.tzinfo)
    insert = (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(
        RateBucket
    )
    statement = insert.values(key=key[:100], window_start=start, hits=1).on_conflict_do_update(
        index_elements=["key", "window_start"], set_={"hits": RateBucket.hits + 1}
    )
    db.session.rollback()  # so the transaction below begins here, taking the write lock first
    with database.writes():
        db.session.execute(statement)
        hits = db.session.scalar(
            sa.select(RateBucket.hits).where(
                RateBucket.key == key[:100], RateBucket.window_start == start
            )
        )
        if random.random() < 0.01:  # now and then, forget windows long gone
            db.session.execute(
                sa.delete(RateBucket).where(RateBucket.window_start < now - timedelta(days=1))
            )
        db.session.commit()
    return hits <= limit
