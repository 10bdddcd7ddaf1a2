"""Dates as the people using Waymark see them: in the organisation's time zone.

Everything is stored in UTC; "today", "overdue" and the times on a page are local.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from webapp.models.types import utcnow


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def local_today() -> date:
    return utcnow().astimezone(local_zone()).date()


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(local_zone())


def local_midnight(day: date) -> datetime:
    """The first moment of a local day, in UTC."""
    return datetime.combine(day, time.min, tzinfo=local_zone()).astimezone(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored moment, time-zone aware. Everything is stored in UTC, but SQLite hands back an
    aggregate (MAX, MIN) of a timestamp as a naive one."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def zone_of(user) -> ZoneInfo:
    """A person's own time zone when they set one, else the organisation's."""
    name = getattr(user, "time_zone", None)
    if name:
        try:
            return ZoneInfo(name)
        except (KeyError, ValueError):
            pass
    return local_zone()


def today_for(user) -> date:
    return utcnow().astimezone(zone_of(user)).date()


def next_working_day(day: date) -> date:
    """The day after `day`, skipping Saturday and Sunday."""
    following = day + timedelta(days=1)
    while following.weekday() >= 5:
        following += timedelta(days=1)
    return following
