"""Backups of the database (SQLite's online backup API; PostgreSQL is pg_dump's job) and of
the documents' files (DOCUMENT_DIR), which live beside the database, not in it."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import sqlalchemy as sa

PG_GUIDANCE = (
    "This database is PostgreSQL: back it up with pg_dump, for example\n"
    '  pg_dump --format=custom --file=waymark.dump "$DATABASE_URL"\n'
    "and restore into an empty database with\n"
    '  pg_restore --no-owner --dbname="$DATABASE_URL" waymark.dump\n'
    "then run `flask --app wsgi db upgrade`.\n"
    "Documents and photos are files, not rows: copy them with\n"
    "  flask --app wsgi db backup-documents /safe/place/documents-$(date +%F)\n"
    "See README.md, Backups."
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


def documents_copy_of(target: Path) -> Path:
    """Where `flask db backup PATH` puts the documents' files: beside the database copy."""
    return target.with_name(target.name + "-documents")


def backup_documents(source: Path, target: Path) -> int:
    """Copy every stored document file (random names, never changed once written) into `target`,
    a new directory; returns how many. A file half-written at this moment (a `.part`) is left:
    its row is not committed yet either."""
    target = target.resolve()
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new directory name.")
    target.mkdir(parents=True, mode=0o700)
    copied = 0
    if source.is_dir():
        for path in sorted(source.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                shutil.copy2(path, target / path.name)
                copied += 1
    return copied
