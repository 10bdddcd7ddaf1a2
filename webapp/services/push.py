"""The devices a user gets reminders on, and each push sent to them with what came of it."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from webapp import web_push
from webapp.extensions import db
from webapp.models import AuditAction, PushAttempt, PushSubscription, ReminderState, User, utcnow
from webapp.services import audit
from webapp.text import clean_line
from webapp.web_push import PushError, check_endpoint, check_keys

MAX_DEVICES = 10
MAX_BACKOFF = timedelta(hours=1)
# A user is looked at by one dispatcher a minute at most (cron and --loop run every minute).
RECHECK_AFTER = timedelta(seconds=50)


def subscribe(user: User, *, endpoint: str, p256dh: str, auth: str, label: str) -> PushSubscription:
    """Store (or move to this user) the browser's subscription. Raises PushError when it is
    unusable."""
    check_endpoint(endpoint)
    check_keys(p256dh, auth)
    subscription = db.session.scalar(
        sa.select(PushSubscription).where(PushSubscription.endpoint == endpoint)
    )
    if subscription is None:
        count = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(PushSubscription)
            .where(PushSubscription.user_id == user.id)
        )
        if count >= MAX_DEVICES:
            raise PushError(
                f"Reminders are on for {MAX_DEVICES} devices already; remove one first."
            )
        subscription = PushSubscription(endpoint=endpoint)
        db.session.add(subscription)
    # A shared phone: the browser's one subscription follows whoever signed in last.
    subscription.user_id = user.id
    subscription.p256dh = p256dh
    subscription.auth = auth
    subscription.device_label = clean_line(label)[:120] or "This device"
    subscription.retry_at = None
    subscription.failures = 0
    db.session.flush()
    audit.record(AuditAction.CREATE, "push_subscription", subscription.id, user=user)
    return subscription


def remove(user: User, subscription: PushSubscription) -> None:
    audit.record(AuditAction.UPDATE, "push_subscription", subscription.id, user=user)
    db.session.delete(subscription)
    db.session.flush()


def remove_endpoint(user: User, endpoint: str) -> bool:
    """At sign-out: the device stops getting this user's reminders."""
    subscription = db.session.scalar(
        sa.select(PushSubscription).where(
            PushSubscription.endpoint == endpoint, PushSubscription.user_id == user.id
        )
    )
    if subscription is None:
        return False
    remove(user, subscription)
    return True


def devices_of(user: User) -> list[PushSubscription]:
    return list(
        db.session.scalars(
            sa.select(PushSubscription)
            .where(PushSubscription.user_id == user.id)
            .order_by(PushSubscription.created_at)
        )
    )


@dataclass(frozen=True)
class Device:
    """A claimed subscription as plain values: what a sending thread needs, with no session."""

    id: int
    user_id: int
    endpoint: str
    p256dh: str
    auth: str

    @classmethod
    def of(cls, subscription: PushSubscription) -> Device:
        return cls(
            subscription.id,
            subscription.user_id,
            subscription.endpoint,
            subscription.p256dh,
            subscription.auth,
        )


def claim_devices(user_id: int, now: datetime) -> list[Device]:
    """The user's devices, if this dispatcher is the one to look at the user now."""
    return claim_devices_of([user_id], now).get(user_id, [])


def claim_devices_of(user_ids: list[int], now: datetime) -> dict[int, list[Device]]:
    """Each user's devices, for the users this dispatcher is the one to look at now: none while
    another holds them (PostgreSQL skips locked rows), or when one looked moments ago (dispatchers
    started by the same minute's cron, or one that took its turn first on SQLite's write lock).
    Looking is recorded (`checked_at`, one statement for the batch): committed at once, it keeps
    other dispatchers off these users for RECHECK_AFTER without holding a lock."""
    rows = db.session.execute(
        sa.select(
            PushSubscription.id,
            PushSubscription.user_id,
            PushSubscription.endpoint,
            PushSubscription.p256dh,
            PushSubscription.auth,
            PushSubscription.checked_at,
        )
        .where(
            PushSubscription.user_id.in_(user_ids),
            sa.or_(PushSubscription.retry_at.is_(None), PushSubscription.retry_at <= now),
        )
        .order_by(PushSubscription.user_id, PushSubscription.id)
        .with_for_update(skip_locked=True)
    )
    by_user: dict[int, list[tuple[Device, datetime | None]]] = {}
    for *values, checked_at in rows:
        device = Device(*values)
        by_user.setdefault(device.user_id, []).append((device, checked_at))
    claimed = {}
    for user_id, devices in by_user.items():
        # Another dispatcher's `now` may be a little ahead of this one's (it started later but
        # claimed first): a look within RECHECK_AFTER either side counts.
        if any(
            checked is not None and abs(checked - now) < RECHECK_AFTER for _, checked in devices
        ):
            continue
        claimed[user_id] = [device for device, _ in devices]
    ids = [device.id for devices in claimed.values() for device in devices]
    if ids:
        db.session.execute(
            sa.update(PushSubscription)
            .where(PushSubscription.id.in_(ids))
            .values(checked_at=now)
            .execution_options(synchronize_session=False)
        )
    return claimed


def deliver(
    subscription: PushSubscription, payload: dict, *, urgent: bool, count: int, now: datetime
) -> str:
    """One push to one device, sent now and recorded (a test notification)."""
    device = Device.of(subscription)
    try:
        result = web_push.send(device.endpoint, device.p256dh, device.auth, payload, urgent=urgent)
    except web_push.PushError as error:
        result = error
    return record(subscription, device, result, urgent=urgent, count=count, now=now)


def record(
    subscription: PushSubscription | None,
    device: Device,
    result: web_push.PushResult | web_push.PushError,
    *,
    urgent: bool,
    count: int,
    now: datetime,
    attempts: list[dict] | None = None,
) -> str:
    """What came of one push to one device, recorded as a PushAttempt (added to the session, or
    to `attempts` for the caller to insert many at once); the subscription (None when it was
    removed while the push was on its way) is deleted or backs off as answered."""
    outcome, attempt = _attempt(
        device,
        result,
        None if subscription is None else subscription.id,
        urgent=urgent,
        count=count,
        now=now,
    )
    if attempts is None:
        db.session.add(PushAttempt(**attempt))
    else:
        attempts.append(attempt)
    if subscription is None:
        return outcome
    if outcome == "sent":
        subscription.last_success_at, subscription.retry_at, subscription.failures = now, None, 0
        return outcome
    if outcome == "gone":
        db.session.delete(subscription)
        return outcome
    subscription.failures += 1
    if outcome == "retry":
        backoff = min(timedelta(minutes=2 ** min(subscription.failures, 10)), MAX_BACKOFF)
        backoff += timedelta(seconds=random.uniform(0, 30))  # spread retries from many dispatchers
        wait = max(backoff, timedelta(seconds=result.retry_after or 0))
    else:
        wait = MAX_BACKOFF  # a refusal (bad key, too large) will not fix itself in a minute
    subscription.retry_at = now + wait
    return outcome


def _attempt(
    device: Device,
    result: web_push.PushResult | web_push.PushError,
    subscription_id: int | None,
    *,
    urgent: bool,
    count: int,
    now: datetime,
) -> tuple[str, dict]:
    """The outcome of one push, and its PushAttempt row."""
    host = urlsplit(device.endpoint).hostname or ""
    if isinstance(result, web_push.PushError):
        result, outcome = web_push.PushResult(None, None, str(result)), "refused"
    else:
        outcome = outcome_of(result.status)
    return outcome, {
        "user_id": device.user_id,
        # A deleted subscription's attempts keep no link to it (as ON DELETE SET NULL does).
        "subscription_id": None if outcome == "gone" else subscription_id,
        "push_host": host[:255],
        "item_count": count,
        "urgent": urgent,
        "outcome": outcome,
        "status_code": result.status,
        "detail": result.detail[:200],
        "attempted_at": now,
    }


def record_many(
    pushes: list[tuple[Device, web_push.PushResult | web_push.PushError, bool, int]],
    now: datetime,
) -> list[str]:
    """`record` for many pushes at once, (device, result, urgent, item count) each: the outcome of
    each. Delivered ones (nearly all) mark their subscriptions in one statement, which also tells
    which were removed while the pushes were out; the others go through `record` one by one. The
    attempts are inserted together."""
    delivered = [
        device.id
        for device, result, _, _ in pushes
        if isinstance(result, web_push.PushResult) and outcome_of(result.status) == "sent"
    ]
    remaining: set[int] = set()
    if delivered:
        remaining = set(
            db.session.scalars(
                sa.update(PushSubscription)
                .where(PushSubscription.id.in_(delivered))
                .values(last_success_at=now, retry_at=None, failures=0)
                .returning(PushSubscription.id)
                .execution_options(synchronize_session=False)
            )
        )
    others = [device.id for device, _, _, _ in pushes if device.id not in remaining]
    subscriptions = {}
    if others:
        subscriptions = {
            s.id: s
            for s in db.session.scalars(
                sa.select(PushSubscription).where(PushSubscription.id.in_(others))
            )
        }
    attempts: list[dict] = []
    outcomes = []
    for device, result, urgent, count in pushes:
        if device.id in remaining:
            outcome, attempt = _attempt(
                device, result, device.id, urgent=urgent, count=count, now=now
            )
            attempts.append(attempt)
        else:
            outcome = record(
                subscriptions.get(device.id),
                device,
                result,
                urgent=urgent,
                count=count,
                now=now,
                attempts=attempts,
            )
        outcomes.append(outcome)
    if attempts:
        # RETURNING makes SQLAlchemy send the rows as a few multi-row INSERTs rather than one
        # statement per row.
        db.session.execute(sa.insert(PushAttempt).returning(PushAttempt.id), attempts).all()
    return outcomes


def outcome_of(status: int | None) -> str:
    if status is not None and 200 <= status < 300:
        return "sent"
    if status in (404, 410):
        return "gone"
    if status is None or status == 429 or status >= 500:
        return "retry"
    return "refused"


def mark_notified(
    user: User, keys: list[str], states: dict[str, ReminderState], today: date
) -> None:
    """These reminders were announced today (the user's own day): not again until tomorrow."""
    for key in keys:
        state = states.get(key)
        if state is None:
            state = ReminderState(user_id=user.id, item_key=key)
            db.session.add(state)
        state.notified_on = today


def mark_notified_of(announced: list[tuple[int, list[str], date]]) -> None:
    """`mark_notified` for many users' reminders at once, (user id, keys, their today) each, in
    one statement: the states are inserted, or only their `notified_on` set where the user has
    one (a page may have snoozed it while the pushes were out: that stays). The rows are one
    bound value (arrays unnested on PostgreSQL, a JSON array's elements on SQLite) rather than a
    statement or three bound values each."""
    rows = [(user_id, key, today) for user_id, keys, today in announced for key in keys]
    if not rows:
        return
    columns = ("user_id", "item_key", "notified_on")
    if db.session.get_bind().dialect.name == "postgresql":
        table = (
            sa.func.unnest(
                sa.bindparam(None, [r[0] for r in rows], type_=postgresql.ARRAY(sa.Integer)),
                sa.bindparam(None, [r[1] for r in rows], type_=postgresql.ARRAY(sa.String)),
                sa.bindparam(None, [r[2] for r in rows], type_=postgresql.ARRAY(sa.Date)),
            )
            .table_valued(*columns)
            .render_derived(name="announced", with_types=False)
        )
        source = sa.select(*(table.c[name] for name in columns))
        insert = postgresql.insert(ReminderState)
    else:
        each = sa.func.json_each(
            sa.bindparam(None, json.dumps([[u, k, d.isoformat()] for u, k, d in rows]))
        ).table_valued("value")
        # SQLite reads `ON CONFLICT` after a bare FROM as a join's: the WHERE ends the SELECT.
        source = sa.select(
            *(
                sa.func.json_extract(each.c.value, f"$[{place}]").label(name)
                for place, name in enumerate(columns)
            )
        ).where(sa.true())
        insert = sqlite.insert(ReminderState)
    statement = insert.from_select(columns, source)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "item_key"],
            set_={"notified_on": statement.excluded.notified_on},
        )
    )


def send_test(user: User) -> list[tuple[str, str]]:
    """A test notification to each of `user`'s devices: (device, outcome) for each."""
    payload = {
        "title": "Waymark test",
        "body": "Reminders reach this device.",
        "url": "/reminders",
        "tag": "waymark-test",
        "count": 0,
    }
    subscriptions = db.session.scalars(
        sa.select(PushSubscription)
        .where(PushSubscription.user_id == user.id)
        .order_by(PushSubscription.id)
    ).all()
    return [
        (
            subscription.device_label,
            deliver(subscription, payload, urgent=False, count=0, now=utcnow()),
        )
        for subscription in subscriptions
    ]
