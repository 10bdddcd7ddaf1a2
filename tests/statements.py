"""The statements a block of a test runs, to pin what a page reads: counts and tables, never
timings. Transaction control is left out (SQLite's BEGIN is a statement, PostgreSQL's is not), so
a count means the same on both databases."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from webapp.extensions import db

_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)
# The table of a SELECT's first column: the rows it loads (joined tables come after).
_FIRST_TABLE = re.compile(r"^\s*SELECT\s+(?:DISTINCT\s+)?\"?(\w+)\"?\.", re.IGNORECASE)


@contextmanager
def recorded() -> Iterator[list[str]]:
    """The statements run inside the block, by the app's engine (requests made by the test
    client included: they share the engine)."""
    seen: list[str] = []

    def one(_connection, _cursor, statement, *_args) -> None:
        if not _CONTROL.match(statement):
            seen.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", one)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", one)


def tables_read(statements: list[str]) -> Counter[str]:
    """How many SELECTs load rows of each table (by their first column's table)."""
    return Counter(
        match.group(1) for statement in statements if (match := _FIRST_TABLE.match(statement))
    )
