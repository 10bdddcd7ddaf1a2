"""Reminders: Today's due items, less what the user snoozed or marked done.

One engine for `/reminders`, Today and the push dispatcher, so a phone that never receives a
push misses nothing: the pushes only announce what these pages already show.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import ReminderState, User, utcnow
from webapp.queries.today import TodayItem, due_items
from webapp.timeutil import today_for, zone_of

SNOOZE_CHOICES = {"1h": timedelta(hours=1), "4h": timedelta(hours=4), "1d": timedelta(days=1),
                  "3d": timedelta(days=3)}


def states_of(user: User, keys: list[str]) -> dict[str, ReminderState]:
    if not keys:
        return {}
    rows = db.session.scalars(
        sa.select(ReminderState).where(ReminderState.user_id == user.id, ReminderState.item_key.in_(keys)))
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


def _state(user: User, key: str) -> ReminderState:
    state = states_of(user, [key]).get(key)
    if state is None:
        state = ReminderState(user_id=user.id, item_key=key)
        db.session.add(state)
    return state


class ReminderError(ValueError):
    pass


def _current(user: User, key: str) -> None:
    if key not in {item.key for item in due_items(user, today_for(user))}:
        raise ReminderError("This reminder is no longer due.")


def snooze(user: User, key: str, until: datetime) -> None:
    _current(user, key)
    _state(user, key).snoozed_until = until
    db.session.flush()


def mark_done(user: User, key: str) -> None:
    """Set the reminder aside; a new due date (a new follow-up, say) makes a new one."""
    _current(user, key)
    _state(user, key).done_at = utcnow()
    db.session.flush()
