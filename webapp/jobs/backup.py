"""Backups of the database: SQLite's online backup API; PostgreSQL is pg_dump's job."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa

PG_GUIDANCE = (
    "This database is PostgreSQL: back it up with pg_dump, for example\n"
    '  pg_dump --format=custom --file=waymark.dump "$DATABASE_URL"\n'
    "and restore into an empty database with\n"
    '  pg_restore --no-owner --dbname="$DATABASE_URL" waymark.dump\n'
    "then run `flask --app wsgi db upgrade`. See README.md, Backups."
)


class BackupError(RuntimeError):
    """The backup could not be made; the message says what to do instead."""


def backup(engine: sa.Engine, target: Path) -> Path:
    """Copy a live SQLite database to `target`, consistent even while the app writes."""
    if engine.dialect.name != "sqlite":
        raise BackupError(PG_GUIDANCE)
    source = engine.url.database
    if not source or source == ":memory:":
        raise BackupError("An in-memory database cannot be backed up.")
    target = target.resolve()
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        sqlite3.connect(f"file:{source}?mode=ro", uri=True) as origin,
        sqlite3.connect(target) as copy,
    ):
        origin.backup(copy)
    origin.close()
    copy.close()
    return target
