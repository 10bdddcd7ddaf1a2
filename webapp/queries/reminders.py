"""Reminders: Today's due items, less what the user snoozed or marked done.

One engine for `/reminders`, Today and the push dispatcher, so a phone that never receives a
push misses nothing: the pushes only announce what these pages already show.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import ReminderState, User, utcnow
from webapp.queries.today import TodayItem, due_items
from webapp.timeutil import zone_of


def states_of(user: User, keys: list[str]) -> dict[str, ReminderState]:
    if not keys:
        return {}
    rows = db.session.scalars(
        sa.select(ReminderState).where(
            ReminderState.user_id == user.id, ReminderState.item_key.in_(keys)
        )
    )
    return {row.item_key: row for row in rows}


def due_reminders(user: User, now: datetime | None = None) -> list[TodayItem]:
    """Everything due for `user` on their own today, without what they set aside for now."""
    now = now or utcnow()
    items = due_items(user, now.astimezone(zone_of(user)).date())
    states = states_of(user, [item.key for item in items])
    return [item for item in items if _showing(states.get(item.key), now)]


def _showing(state: ReminderState | None, now: datetime) -> bool:
    if state is None:
        return True
    if state.done_at is not None:
        return False
    return state.snoozed_until is None or state.snoozed_until <= now
