"""Reminders: Today's due items, less what the user snoozed or marked done.

One engine for `/reminders`, Today and the push dispatcher, so a phone that never receives a
push misses nothing: the pushes only announce what these pages already show. The dispatcher asks
for many users at once (`due_reminders_for`); a page asks for one, through the same code.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from webapp.extensions import db
from webapp.models import ReminderState, User, utcnow
from webapp.queries.today import TodayItem, due_items_for
from webapp.timeutil import zone_of


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
    records: a batch of users has tens of thousands). The (user, key) pairs are joined as a table
    made from one bound value, so each pair is one probe of the unique index, however many users
    and keys there are."""
    pairs = [(user_id, key) for user_id, user_keys in keys.items() for key in user_keys]
    found: dict[int, dict[str, KeptState]] = {user_id: {} for user_id in keys}
    if not pairs:
        return found
    table, user_id, item_key = _pairs_table(pairs)
    rows = db.session.execute(
        sa.select(*(getattr(ReminderState, name) for name in KeptState._fields)).join(
            table, sa.and_(ReminderState.user_id == user_id, ReminderState.item_key == item_key)
        )
    )
    for row in rows:
        state = KeptState(*row)
        found[state.user_id][state.item_key] = state
    return found


def _pairs_table(pairs: list[tuple[int, str]]) -> tuple:
    """(user_id, item_key) as the columns of a table made from one bound value: two arrays
    unnested on PostgreSQL, a JSON array's elements on SQLite."""
    if db.session.get_bind().dialect.name == "postgresql":
        table = (
            sa.func.unnest(
                sa.bindparam(None, [u for u, _ in pairs], type_=postgresql.ARRAY(sa.Integer)),
                sa.bindparam(None, [k for _, k in pairs], type_=postgresql.ARRAY(sa.String)),
            )
            .table_valued("user_id", "item_key")
            .render_derived(name="wanted", with_types=False)
        )
        return table, table.c.user_id, table.c.item_key
    table = sa.func.json_each(sa.bindparam(None, json.dumps(pairs))).table_valued("value")
    return (
        table,
        sa.func.json_extract(table.c.value, "$[0]"),
        sa.func.json_extract(table.c.value, "$[1]"),
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
