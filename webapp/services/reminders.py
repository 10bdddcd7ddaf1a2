"""Setting a reminder aside: snoozed until a moment, or done until a new due date makes a new
one."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from webapp.extensions import db
from webapp.models import ReminderState, User, utcnow
from webapp.queries.reminders import states_of
from webapp.queries.today import due_items
from webapp.text import Phrase
from webapp.timeutil import today_for, zone_of

SNOOZE_CHOICES = {
    "1h": timedelta(hours=1),
    "4h": timedelta(hours=4),
    "1d": timedelta(days=1),
    "3d": timedelta(days=3),
}
# A snooze for days ends in the morning, when the working day starts, unless the person said
# when their reminders may start (the end of their quiet hours).
MORNING = time(8, 0)


def snooze_until(choice: str, user: User, now: datetime) -> datetime | None:
    """When a snooze chosen on the reminders page ends, or None for a choice that is not one:
    an hour or four from now; "Tomorrow" and "3 days" in the morning of that calendar day in the
    person's own time zone (chosen at 23:30, "Tomorrow" is tomorrow morning, not 23:30
    tomorrow)."""
    length = SNOOZE_CHOICES.get(choice)
    if length is None:
        return None
    if length < timedelta(days=1):
        return now + length
    zone = zone_of(user)
    day = now.astimezone(zone).date() + length
    return datetime.combine(day, user.quiet_until or MORNING, tzinfo=zone).astimezone(UTC)


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
        raise ReminderError(Phrase("This reminder is no longer due."))


def snooze(user: User, key: str, until: datetime) -> None:
    _current(user, key)
    _state(user, key).snoozed_until = until
    db.session.flush()


def mark_done(user: User, key: str) -> None:
    """Set the reminder aside; a new due date (a new follow-up, say) makes a new one."""
    _current(user, key)
    _state(user, key).done_at = utcnow()
    db.session.flush()
