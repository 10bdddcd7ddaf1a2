"""The reminder dispatcher: one digest push per user with something new to announce.

Run every minute (`flask reminders dispatch`, or `--loop`). For each user with a device it takes
the user's subscriptions with `FOR UPDATE SKIP LOCKED`: a second dispatcher running at the same
time skips that user, and one that comes after sees the reminders already marked as notified
today. Each reminder is announced at most once a day (in the user's own time zone), never in
their quiet hours, and no payload carries a client's name.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from webapp import database, web_push
from webapp.extensions import db
from webapp.models import PushSubscription, User, utcnow
from webapp.queries.reminders import due_reminders, states_of
from webapp.queries.today import TodayItem
from webapp.services import push
from webapp.timeutil import zone_of

log = logging.getLogger(__name__)


@dataclass
class DispatchReport:
    users: int = 0
    quiet: int = 0
    notified_users: int = 0
    items: int = 0
    outcomes: Counter = field(default_factory=Counter)

    def __str__(self) -> str:
        sends = (
            ", ".join(f"{name} {count}" for name, count in sorted(self.outcomes.items())) or "none"
        )
        return (
            f"{self.users} users with devices, {self.quiet} in quiet hours, {self.notified_users} "
            f"notified about {self.items} reminders; pushes: {sends}"
        )


def in_quiet_hours(user: User, now: datetime) -> bool:
    if user.quiet_from is None or user.quiet_until is None or user.quiet_from == user.quiet_until:
        return False
    local = now.astimezone(zone_of(user)).time()
    start, end = user.quiet_from, user.quiet_until
    return start <= local < end if start < end else (local >= start or local < end)


def digest(items: list[TodayItem]) -> dict:
    """ "3 follow-ups due, 1 urgent": counts by kind, and where a tap leads."""
    counts = Counter(item.kind for item in items)
    parts = [kind.count(count) for kind, count in counts.most_common()]
    urgent = sum(1 for item in items if item.urgent)
    body = ", ".join(parts[:3]) + (f" and {len(parts) - 3} more" if len(parts) > 3 else "")
    title = f"{len(items)} reminder{'s' if len(items) != 1 else ''} due" + (
        f", {urgent} urgent" if urgent else ""
    )
    return {
        "title": title,
        "body": body,
        "url": "/reminders",
        "tag": web_push.TOPIC,
        "count": len(items),
    }


def dispatch_once(now: datetime | None = None) -> DispatchReport:
    return _dispatch_all(now or utcnow())


def _dispatch_all(now: datetime) -> DispatchReport:
    report = DispatchReport()
    user_ids = db.session.scalars(
        sa.select(PushSubscription.user_id)
        .join(User)
        .where(User.active)
        .distinct()
        .order_by(PushSubscription.user_id)
    ).all()
    db.session.rollback()
    report.users = len(user_ids)
    busy = [user_id for user_id in user_ids if not _dispatch_one(user_id, now, report)]
    # A user whose turn could not be had (SQLite's write lock, with other dispatchers running)
    # gets a second try at the end of the run rather than waiting a minute for the next one.
    for user_id in busy:
        _dispatch_one(user_id, now, report, last_try=True)
    return report


def _dispatch_one(
    user_id: int, now: datetime, report: DispatchReport, *, last_try: bool = False
) -> bool:
    """False when the database was too busy to start this user's turn."""
    with database.writes():
        try:
            _dispatch_user(user_id, now, report)
            db.session.commit()
        except sa.exc.OperationalError as error:
            db.session.rollback()
            if "locked" in str(error.orig) and not last_try:
                return False
            log.exception("reminder dispatch failed for user %s", user_id)
        except Exception:
            db.session.rollback()
            log.exception("reminder dispatch failed for user %s", user_id)
    return True


def _dispatch_user(user_id: int, now: datetime, report: DispatchReport) -> None:
    subscriptions = push.claim_devices(user_id, now)
    if not subscriptions:
        return  # another dispatcher has this user, or every device is backing off
    user = db.session.get_one(User, user_id)
    if in_quiet_hours(user, now):
        report.quiet += 1
        return
    items = due_reminders(user, now)
    today = now.astimezone(zone_of(user)).date()
    states = states_of(user, [item.key for item in items])
    new = [
        item
        for item in items
        if states.get(item.key) is None or states[item.key].notified_on != today
    ]
    if not new:
        return
    payload = digest(items)
    urgent = any(item.urgent for item in new)
    delivered = False
    for subscription in subscriptions:
        outcome = push.deliver(subscription, payload, urgent=urgent, count=len(new), now=now)
        report.outcomes[outcome] += 1
        delivered |= outcome == "sent"
    if delivered:
        push.mark_notified(user, [item.key for item in new], states, today)
        report.notified_users += 1
        report.items += len(new)


def loop(interval_seconds: int = 60, *, stop=None) -> None:
    """Dispatch every minute until stopped (SIGTERM/SIGINT end the loop between runs)."""
    stopping = stop or threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        try:
            signal.signal(signum, lambda *_: stopping.set())
        except ValueError:  # not the main thread (tests)
            pass
    while not stopping.is_set():
        started = utcnow()
        report = dispatch_once(started)
        current_app.logger.info("reminders: %s", report)
        stopping.wait(max(0.0, interval_seconds - (utcnow() - started).total_seconds()))
