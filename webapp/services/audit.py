"""Writing the audit trail."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass

import sqlalchemy as sa

from webapp import database
from webapp.extensions import db
from webapp.models import AuditAction, AuditEvent, User, utcnow

# Self-intake links (/i/), providers' referral links (/r/) and staff set-up links (/welcome/)
# carry their secret in the path: it never goes into the trail or a log.
_LINK_TOKEN = re.compile(r"^/(i|r|welcome)/[^/]+")


def redact(path: str) -> str:
    if path.startswith("/i/thanks"):
        return path
    return _LINK_TOKEN.sub(r"/\1/[link]", path)


def record(
    action: AuditAction,
    record_type: str | None = None,
    record_id: int | str | None = None,
    *,
    user: User | None = None,
) -> AuditEvent:
    """Add an audit event for the current request's user (or `user`)."""
    return record_all(action, record_type, [record_id], user=user)[0]


def record_all(
    action: AuditAction,
    record_type: str | None,
    record_ids: list[int | str | None],
    *,
    user: User | None = None,
) -> list[AuditEvent]:
    """One event per record, written together: a list that shows several clients (search results,
    the duplicate check's matches) is a view of each of them."""
    return record_each(action, [(record_type, record_id) for record_id in record_ids], user=user)


def record_each(
    action: AuditAction,
    records: list[tuple[str | None, int | str | None]],
    *,
    user: User | None = None,
) -> list[AuditEvent]:
    """One event per (record type, id), written together: a page that shows a referral is a
    view of the referral and of its case."""
    facts = _request.get()
    events = _events(action, records, user)
    if events and facts is not None and facts.reading:
        _write_alone(events)
    else:
        db.session.add_all(events)
    return events


def record_all_on(
    connection: sa.Connection,
    action: AuditAction,
    record_type: str | None,
    record_ids: list[int | str | None],
) -> None:
    """`record_all`, written at once in the caller's transaction on `connection`: what must be
    kept or lost together with another write (a look-up's events with its count)."""
    events = _events(action, [(record_type, record_id) for record_id in record_ids], None)
    if events:
        _insert(connection, events)


def _events(
    action: AuditAction,
    records: list[tuple[str | None, int | str | None]],
    user: User | None,
) -> list[AuditEvent]:
    facts = _request.get()
    if user is None and facts is not None:
        user = facts.signed_in()
    events = []
    for record_type, record_id in records:
        event = AuditEvent(
            user_id=user.id if user is not None else None,
            action=action,
            record_type=record_type,
            record_id=str(record_id) if record_id is not None else None,
        )
        event.occurred_at = utcnow()
        if facts is not None:
            event.address, event.path = facts.address, facts.path
        events.append(event)
    return events


@dataclass(frozen=True)
class RequestFacts:
    """What the trail keeps of the request an event happens in. The web layer binds them for each
    request (`bind`), so services record who and where without reading the request themselves."""

    address: str | None
    path: str  # the path only, link tokens redacted: query strings can hold names
    reading: bool  # a GET or HEAD: its events are written at once, on a connection of their own
    signed_in: Callable[[], User | None]


_request: ContextVar[RequestFacts | None] = ContextVar("audit_request", default=None)


def bind(facts: RequestFacts) -> Token:
    return _request.set(facts)


def unbind(token: Token) -> None:
    _request.reset(token)


_COLUMNS = ("occurred_at", "user_id", "action", "record_type", "record_id", "address", "path")


def _write_alone(events: list[AuditEvent]) -> None:
    """A page view's event goes in at once on a connection of its own, in a transaction that
    writes first: on SQLite a read transaction that later writes can fail at once when another
    writer is busy, whatever busy_timeout says; a transaction that writes first waits its turn."""
    with database.writes(), db.engine.begin() as connection:
        _insert(connection, events)


def _insert(connection: sa.Connection, events: list[AuditEvent]) -> None:
    connection.execute(
        sa.insert(AuditEvent),
        [{name: getattr(event, name) for name in _COLUMNS} for event in events],
    )
