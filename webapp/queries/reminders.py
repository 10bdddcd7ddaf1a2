"""Reminders: Today's due items, less what the user snoozed or marked done.

One engine for `/reminders`, Today and the push dispatcher, so a phone that never receives a
push misses nothing: the pushes only announce what these pages already show. The dispatcher asks
for many users at once (`due_reminders_for`); a page asks for one, through the same code.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from webapp.extensions import db
from webapp.models import ReminderState, User, utcnow
from webapp.queries.today import TodayItem, due_items_for
from webapp.timeutil import zone_of

# (user, key) pairs asked about in one statement (SQLite's limit on bound values is 32,766).
_PAIRS_PER_STATEMENT = 10_000


def states_of(user: User, keys: list[str]) -> dict[str, ReminderState]:
    """The user's states of these items, as records to change."""
    if not keys:
        return {}
    rows = db.session.scalars(
        sa.select(ReminderState).where(
            ReminderState.user_id == user.id, ReminderState.item_key.in_(keys)
        )
    )
    return {row.item_key: row for row in rows}


class KeptState(NamedTuple):
    """A state as read, not to be changed: what `/reminders`, Today and the dispatcher look at."""

    id: int
    user_id: int
    item_key: str
    snoozed_until: datetime | None
    done_at: datetime | None
    notified_on: date | None


def states_of_users(keys: dict[int, list[str]]) -> dict[int, dict[str, KeptState]]:
    """The states users keep for these items of theirs, by user id and item key (rows, not
    records: a batch of users has tens of thousands). The (user, key) pairs are joined as a table,
    so each is one probe of the unique index, however many users and keys there are."""
    pairs = [(user_id, key) for user_id, user_keys in keys.items() for key in user_keys]
    found: dict[int, dict[str, KeptState]] = {user_id: {} for user_id in keys}
    columns = [getattr(ReminderState, name) for name in KeptState._fields]
    for start in range(0, len(pairs), _PAIRS_PER_STATEMENT):
        wanted = _pairs_table(pairs[start : start + _PAIRS_PER_STATEMENT])
        rows = db.session.execute(
            sa.select(*columns).join(
                wanted,
                sa.and_(
                    ReminderState.user_id == wanted.c.user_id,
                    ReminderState.item_key == wanted.c.item_key,
                ),
            )
        )
        for row in rows:
            state = KeptState(*row)
            found[state.user_id][state.item_key] = state
    return found


def _pairs_table(pairs: list[tuple[int, str]]):
    """(user_id, item_key) rows to join: on PostgreSQL two arrays unnested (two bound values), on
    SQLite a VALUES list."""
    if db.session.get_bind().dialect.name == "postgresql":
        return (
            sa.func.unnest(
                sa.bindparam(None, [u for u, _ in pairs], type_=postgresql.ARRAY(sa.Integer)),
                sa.bindparam(None, [k for _, k in pairs], type_=postgresql.ARRAY(sa.String)),
            )
            .table_valued("user_id", "item_key")
            .render_derived(name="wanted", with_types=False)
        )
    # SQLite names a VALUES list's columns only through a CTE's column list.
    return (
        sa.values(sa.column("user_id", sa.Integer), sa.column("item_key", sa.String))
        .data(pairs)
        .cte("wanted")
    )


def due_reminders(user: User, now: datetime | None = None) -> list[TodayItem]:
    """Everything due for `user` on their own today, without what they set aside for now."""
    return due_reminders_for([user], now)[user.id]


def due_reminders_for(users: list[User], now: datetime | None = None) -> dict[int, list[TodayItem]]:
    """`due_reminders` for many users at once, by user id, each on their own today."""
    return {user_id: items for user_id, (items, _) in due_with_states_for(users, now).items()}


def due_with_states_for(
    users: list[User], now: datetime | None = None
) -> dict[int, tuple[list[TodayItem], dict[str, KeptState]]]:
    """By user id: what is showing for them, and the states they keep for those items (the
    dispatcher reads when each was last announced)."""
    now = now or utcnow()
    items = due_items_for([(user, now.astimezone(zone_of(user)).date()) for user in users])
    states = states_of_users({user_id: [i.key for i in found] for user_id, found in items.items()})
    return {
        user_id: (
            [item for item in found if _showing(states[user_id].get(item.key), now)],
            states[user_id],
        )
        for user_id, found in items.items()
    }


def _showing(state: KeptState | None, now: datetime) -> bool:
    if state is None:
        return True
    if state.done_at is not None:
        return False
    return state.snoozed_until is None or state.snoozed_until <= now
