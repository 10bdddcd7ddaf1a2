"""The reminder dispatcher: one digest push per user with something new to announce.

Run every minute (`flask reminders dispatch`, or `--loop`). Users with a device are taken in
batches (REMINDER_BATCH_USERS), and each batch in three steps, none of which holds a lock or a
transaction while waiting for the network:

1. Claim (a short write transaction): the batch's subscriptions are taken with `FOR UPDATE SKIP
   LOCKED` and marked `checked_at`, and committed at once. A second dispatcher running at the same
   time skips users whose rows are locked, and for RECHECK_AFTER (50 s) skips users another has
   just looked at; one that comes later sees the reminders already marked as notified today.
2. Work out (reads only): the batch's users' reminders in a fixed number of queries
   (`due_reminders_for`, the engine Today and /reminders use), less users in their quiet hours
   and reminders already announced today (in the user's own time zone).
3. Send, then record: each user's digest goes to each of their devices from a pool of
   PUSH_CONCURRENCY threads (encryption and the request happen there, off the database session,
   each thread keeping one connection open to each push service for the run); the outcomes come
   back to this thread and are recorded in one short write transaction of a few statements
   (PushAttempt rows, gone subscriptions deleted, backoff, reminders marked as notified).

A batch's pushes start within SEND_WINDOW of its claim, so every push is answered (or has timed
out) before another dispatcher may look at those users again; a user whose turn comes later is
left for the next minute's run. If the process dies after sending and before recording, the next
minute's run announces those reminders again: at least once, and more than once only then. The
push carries a `Topic` and the notification a tag, so a repeat replaces the first on the device
rather than adding to it. No payload carries a client's name.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from webapp import database, web_push
from webapp.extensions import db
from webapp.models import PushSubscription, User, utcnow
from webapp.queries.reminders import due_with_states_for
from webapp.queries.today import TodayItem
from webapp.services import push
from webapp.services.push import RECHECK_AFTER, Device
from webapp.timeutil import zone_of

log = logging.getLogger(__name__)

# Attempts at the recording transaction when the database is busy (SQLite's write lock): the
# pushes are out, and an unrecorded one is announced again next minute.
RECORD_ATTEMPTS = 5


@dataclass
class DispatchReport:
    users: int = 0
    quiet: int = 0
    notified_users: int = 0
    items: int = 0
    deferred: int = 0  # users whose turn came too late in the minute: the next run has them
    outcomes: Counter = field(default_factory=Counter)

    def __str__(self) -> str:
        sends = (
            ", ".join(f"{name} {count}" for name, count in sorted(self.outcomes.items())) or "none"
        )
        later = f", {self.deferred} left for the next run" if self.deferred else ""
        return (
            f"{self.users} users with devices, {self.quiet} in quiet hours, {self.notified_users} "
            f"notified about {self.items} reminders; pushes: {sends}{later}"
        )


@dataclass
class _Announcement:
    """One user's digest, for their claimed devices."""

    user_id: int
    devices: list[Device]
    payload: dict
    urgent: bool
    keys: list[str]  # the reminders announced for the first time today
    today: date
    results: list[web_push.PushResult | web_push.PushError] = field(default_factory=list)
    sent: bool = False  # False: its turn came after the batch's send window


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


def send_window() -> timedelta:
    """How long after a batch's claim its pushes may still start: each started push ends (answered
    or timed out: connecting, then reading, each bounded; a kept connection found closed at once
    is replaced first) before RECHECK_AFTER lets another dispatcher look at the same users."""
    timeout = timedelta(seconds=current_app.config["PUSH_TIMEOUT_SECONDS"])
    stale = timedelta(seconds=web_push.STALE_CONNECTION_GRACE)
    return max(timedelta(seconds=1), RECHECK_AFTER - 2 * timeout - stale - timedelta(seconds=5))


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
    size = max(1, int(current_app.config["REMINDER_BATCH_USERS"]))
    # The pool's threads are done before the sender closes the connections they kept.
    with (
        web_push.Sender.from_app() as sender,
        ThreadPoolExecutor(
            max_workers=max(1, int(current_app.config["PUSH_CONCURRENCY"])),
            thread_name_prefix="push",
        ) as pool,
    ):
        batches = [user_ids[start : start + size] for start in range(0, len(user_ids), size)]
        # One batch's pushes are on their way while the next batch is claimed and worked out;
        # its outcomes are recorded once they are all in.
        sending: _Sending | None = None
        busy = []
        try:
            for batch in batches:
                claimed_at = time.monotonic()
                claimed = _claim(batch, now)
                if claimed is None:
                    busy.append(batch)
                    continue
                next_sending = _work_out_and_send(claimed, claimed_at, now, report, sender, pool)
                if sending is not None:
                    sending.record(now, report)
                sending = next_sending
            # A batch whose claim could not be had (SQLite's write lock, with other dispatchers
            # running) gets a second try at the end of the run rather than waiting for the next.
            for batch in busy:
                claimed_at = time.monotonic()
                claimed = _claim(batch, now, last_try=True)
                if claimed:
                    next_sending = _work_out_and_send(
                        claimed, claimed_at, now, report, sender, pool
                    )
                    if sending is not None:
                        sending.record(now, report)
                    sending = next_sending
        finally:
            if sending is not None:
                sending.record(now, report)
    return report


def _claim(
    user_ids: list[int], now: datetime, *, last_try: bool = False
) -> dict[int, list[Device]] | None:
    """The batch's users this dispatcher takes, with their devices; None when the database was
    too busy to claim them."""
    try:
        with database.writes():
            claimed = push.claim_devices_of(user_ids, now)
            db.session.commit()
    except sa.exc.OperationalError as error:
        db.session.rollback()
        if "locked" in str(error.orig) and not last_try:
            return None
        log.exception("reminder dispatch could not claim users %s..%s", user_ids[0], user_ids[-1])
        return {}
    return claimed


@dataclass
class _Sending:
    """A batch's pushes on their way."""

    announcements: list[_Announcement]
    futures: list[Future]

    def record(self, now: datetime, report: DispatchReport) -> None:
        for future in self.futures:
            future.result()
        _record(self.announcements, now, report)


def _work_out_and_send(
    claimed: dict[int, list[Device]],
    claimed_at: float,
    now: datetime,
    report: DispatchReport,
    sender: web_push.Sender,
    pool: ThreadPoolExecutor,
) -> _Sending | None:
    if not claimed:
        return None
    deadline = claimed_at + send_window().total_seconds()
    try:
        announcements = _work_out(claimed, now, report)
    except Exception:
        log.exception("reminders could not be worked out for users %s..", min(claimed))
        announcements = []
    finally:
        db.session.rollback()  # no transaction stays open while pushes are on their way
    if not announcements:
        return None
    return _Sending(announcements, _send(announcements, sender, pool, deadline))


def _work_out(
    claimed: dict[int, list[Device]], now: datetime, report: DispatchReport
) -> list[_Announcement]:
    users = db.session.scalars(
        sa.select(User).where(User.id.in_(list(claimed))).order_by(User.id)
    ).all()
    awake = []
    for user in users:
        if in_quiet_hours(user, now):
            report.quiet += 1
        else:
            awake.append(user)
    due = due_with_states_for(awake, now)
    announcements = []
    for user in awake:
        items, states = due[user.id]
        today = now.astimezone(zone_of(user)).date()
        new = [
            item
            for item in items
            if states.get(item.key) is None or states[item.key].notified_on != today
        ]
        if not new:
            continue
        announcements.append(
            _Announcement(
                user.id,
                claimed[user.id],
                digest(items),
                any(item.urgent for item in new),
                [item.key for item in new],
                today,
            )
        )
    return announcements


def _send(
    announcements: list[_Announcement],
    sender: web_push.Sender,
    pool: ThreadPoolExecutor,
    deadline: float,
) -> list[Future]:
    """Each user's digest to each of their devices, users side by side in the pool."""

    def announce(announcement: _Announcement) -> None:
        if time.monotonic() > deadline:
            return
        announcement.sent = True
        for device in announcement.devices:
            try:
                result = sender.send(
                    device.endpoint,
                    device.p256dh,
                    device.auth,
                    announcement.payload,
                    urgent=announcement.urgent,
                )
            except web_push.PushError as error:
                result = error
            except Exception as error:  # a bug must not lose the other users' outcomes
                log.exception("a push to device %s failed", device.id)
                result = web_push.PushResult(None, None, f"{type(error).__name__}")
            announcement.results.append(result)

    return [pool.submit(announce, announcement) for announcement in announcements]


def _record(announcements: list[_Announcement], now: datetime, report: DispatchReport) -> None:
    """The outcomes, in one short write transaction (retried while the database is busy)."""
    for attempt in range(1, RECORD_ATTEMPTS + 1):
        outcomes: Counter = Counter()
        notified = items = 0
        try:
            with database.writes():
                notified, items = _record_once(announcements, now, outcomes)
                db.session.commit()
        except sa.exc.SQLAlchemyError:
            db.session.rollback()
            if attempt == RECORD_ATTEMPTS:
                log.exception("push outcomes could not be recorded; announced again next run")
                return
            continue
        report.outcomes.update(outcomes)
        report.notified_users += notified
        report.items += items
        report.deferred += sum(1 for a in announcements if not a.sent)
        return


def _record_once(
    announcements: list[_Announcement], now: datetime, outcomes: Counter
) -> tuple[int, int]:
    sent = [a for a in announcements if a.sent]
    found = push.record_many(
        [
            (device, result, a.urgent, len(a.keys))
            for a in sent
            for device, result in zip(a.devices, a.results, strict=True)
        ],
        now,
    )
    outcomes.update(found)
    delivered, place = [], 0
    for announcement in sent:
        mine = found[place : place + len(announcement.devices)]
        place += len(announcement.devices)
        if "sent" in mine:
            delivered.append(announcement)
    # Only `notified_on` is written: a page may have snoozed one of them while the pushes were
    # out, and that stays.
    push.mark_notified_of([(a.user_id, a.keys, a.today) for a in delivered])
    return len(delivered), sum(len(a.keys) for a in delivered)


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
