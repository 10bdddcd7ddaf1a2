"""The devices a user gets reminders on."""

from __future__ import annotations

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import AuditAction, PushSubscription, User
from webapp.services import audit
from webapp.text import clean_line
from webapp.web_push import PushError, check_endpoint, check_keys

MAX_DEVICES = 10


def subscribe(user: User, *, endpoint: str, p256dh: str, auth: str, label: str) -> PushSubscription:
    """Store (or move to this user) the browser's subscription. Raises PushError when it is unusable."""
    check_endpoint(endpoint)
    check_keys(p256dh, auth)
    subscription = db.session.scalar(sa.select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if subscription is None:
        count = db.session.scalar(sa.select(sa.func.count()).select_from(PushSubscription)
                                  .where(PushSubscription.user_id == user.id))
        if count >= MAX_DEVICES:
            raise PushError(f"Reminders are on for {MAX_DEVICES} devices already; remove one first.")
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
    subscription = db.session.scalar(sa.select(PushSubscription).where(
        PushSubscription.endpoint == endpoint, PushSubscription.user_id == user.id))
    if subscription is None:
        return False
    remove(user, subscription)
    return True


def devices_of(user: User) -> list[PushSubscription]:
    return list(db.session.scalars(sa.select(PushSubscription).where(PushSubscription.user_id == user.id)
                                   .order_by(PushSubscription.created_at)))
