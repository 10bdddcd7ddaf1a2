"""Push reminders: the devices a user subscribed, what they did with each reminder, and every
send."""

from __future__ import annotations

import enum
import hashlib
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models.accounts import User
from webapp.models.types import UTCDateTime, utcnow


class ReminderKind(enum.StrEnum):
    """What a Today item, a reminder and a push digest line are about: one vocabulary for all three.

    Each kind has its words for one and for several (a digest counts, never names) and its rank
    among items due on the same day."""

    one: str
    several: str
    rank: int

    def __new__(cls, value: str, one: str, several: str, rank: int) -> ReminderKind:
        member = str.__new__(cls, value)
        member._value_ = value
        member.one, member.several, member.rank = one, several, rank
        return member

    SELF_INTAKE = "self_intake", "new self-intake", "new self-intakes", 0
    CLOSURE_APPROVAL = "closure_approval", "closure to approve", "closures to approve", 0
    REFERRAL_REQUEST = (
        "referral_request",
        "request to refer someone",
        "requests to refer someone",
        1,
    )
    REFERRAL_TO_DECIDE = (
        "referral_to_decide",
        "referral you asked for, to decide",
        "referrals you asked for, to decide",
        0,
    )
    INTERNAL_REFERRAL = (
        "internal_referral",
        "referral to a program waiting for its decision",
        "referrals to programs waiting for their decision",
        3,
    )
    WAITING_CHECK_IN = (
        "waiting_check_in",
        "check-in with someone waiting",
        "check-ins with people waiting",
        3,
    )
    PROVIDER_ANSWER = "provider_answer", "answer from a provider", "answers from providers", 1
    PROVIDER_OVERDUE = (
        "provider_overdue",
        "provider's promise overdue",
        "providers' promises overdue",
        3,
    )
    MERGE_SUGGESTED = "merge_suggested", "duplicate to compare", "duplicates to compare", 1
    HANDOFF = "handoff", "case transferred to you", "cases transferred to you", 1
    APPOINTMENT = "appointment", "appointment today", "appointments today", 1
    FOLLOW_UP = "follow_up", "follow-up", "follow-ups", 2
    REFERRAL = "referral", "referral to confirm", "referrals to confirm", 3
    CONTACT_STANDARD = "contact_standard", "contact overdue", "contacts overdue", 4
    REASSESSMENT = "reassessment", "reassessment", "reassessments", 5
    PLAN_REVIEW = "plan_review", "plan review", "plan reviews", 6
    PLAN_TASK = "plan_task", "plan task due", "plan tasks due", 6
    CONSENT_EXPIRING = "consent_expiring", "consent running out", "consents running out", 6
    POST_CLOSURE = "post_closure", "check after closure", "checks after closure", 7
    URGENT = "urgent", "urgent case", "urgent cases", 8

    def count(self, number: int) -> str:
        return f"{number} {self.one if number == 1 else self.several}"


class PushSubscription(db.Model):
    """One browser on one device, as its push service knows it."""

    __tablename__ = "push_subscriptions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    endpoint: so.Mapped[str] = so.mapped_column(sa.String(1000), unique=True)
    p256dh: so.Mapped[str] = so.mapped_column(sa.String(200))
    auth: so.Mapped[str] = so.mapped_column(sa.String(100))
    device_label: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_success_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # After a 429 or 5xx: not before this moment, and how many failures in a row.
    retry_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    failures: so.Mapped[int] = so.mapped_column(default=0)
    # When a dispatcher last worked out this user's reminders: others started in the same minute
    # skip the user instead of working them out again.
    checked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    user: so.Mapped[User] = so.relationship()

    @property
    def endpoint_digest(self) -> str:
        """What a page may show of the endpoint: its SHA-256. The browser hashes its own
        subscription's endpoint to find itself in the list; the endpoint, an address anyone
        could post to, never reaches the page."""
        return hashlib.sha256(self.endpoint.encode()).hexdigest()


class ReminderState(db.Model):
    """What one user did with one reminder (snoozed, done) and the day it was last pushed."""

    __tablename__ = "reminder_states"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    # The reminder's identity: its kind, record and due date (webapp/reminders.py).
    item_key: so.Mapped[str] = so.mapped_column(sa.String(160))
    snoozed_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    done_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # The user's local date of the last push that announced it: at most one a day.
    notified_on: so.Mapped[date | None]

    __table_args__ = (
        sa.UniqueConstraint("user_id", "item_key", name="uq_reminder_states_user_item"),
    )


class PushAttempt(db.Model):
    """Every request to a push service and what it answered. No payload, no client data."""

    __tablename__ = "push_attempts"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    subscription_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("push_subscriptions.id", ondelete="SET NULL")
    )
    push_host: so.Mapped[str] = so.mapped_column(sa.String(255))
    item_count: so.Mapped[int] = so.mapped_column(default=0)
    urgent: so.Mapped[bool] = so.mapped_column(default=False)
    # sent, gone (404/410: subscription deleted), retry (429/5xx), refused (other 4xx), error (no
    # answer)
    outcome: so.Mapped[str] = so.mapped_column(sa.String(16))
    status_code: so.Mapped[int | None]
    detail: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    attempted_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.Index("ix_push_attempts_attempted", "attempted_at"),)
