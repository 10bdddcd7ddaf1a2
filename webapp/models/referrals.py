"""The resource network and the referrals that link clients to it."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models.accounts import User
from webapp.models.cases import Case
from webapp.models.clients import Consent
from webapp.models.lifecycle import Goal
from webapp.models.types import N_, LabelledEnum, UTCDateTime, enum_column, utcnow


def new_hsds_id() -> str:
    return str(uuid.uuid4())


# A provider's address in parts (as Open Referral's `address` has them) and the longest each may be.
ADDRESS_PARTS = {
    "street": 250,
    "city": 100,
    "state_province": 100,
    "postal_code": 40,
    "country": 60,
}


def address_line(street: str, city: str, state_province: str, postal_code: str) -> str:
    """The one line people read, made from the parts (the country is left out: a directory is
    local)."""
    return ", ".join(part for part in (street, city, state_province, postal_code) if part)


class Provider(db.Model):
    """An organisation in the directory."""

    __tablename__ = "providers"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # The organisation's id in Open Referral (HSDS) files: stable, so an export imported again
    # updates.
    hsds_id: so.Mapped[str] = so.mapped_column(
        sa.String(36), unique=True, index=True, default=new_hsds_id
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(200), index=True)
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    phone: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    email: so.Mapped[str] = so.mapped_column(sa.String(254), default="")
    website: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    # The address as one line, as people read it: made from the parts below when there are any;
    # a provider saved before the parts existed may have only this line.
    address: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    street: so.Mapped[str] = so.mapped_column(sa.String(250), default="", server_default="")
    city: so.Mapped[str] = so.mapped_column(sa.String(100), default="", server_default="")
    state_province: so.Mapped[str] = so.mapped_column(sa.String(100), default="", server_default="")
    postal_code: so.Mapped[str] = so.mapped_column(sa.String(40), default="", server_default="")
    # As given: Open Referral asks for a two-letter code but accepts any text ("USA").
    country: so.Mapped[str] = so.mapped_column(sa.String(60), default="", server_default="")
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    services: so.Mapped[list[Service]] = so.relationship(
        back_populates="provider", order_by="Service.name"
    )


class Service(db.Model):
    """Something a provider offers that a client can be referred to."""

    __tablename__ = "services"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    provider_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("providers.id", ondelete="RESTRICT"), index=True
    )
    hsds_id: so.Mapped[str] = so.mapped_column(
        sa.String(36), unique=True, index=True, default=new_hsds_id
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    category: so.Mapped[str] = so.mapped_column(sa.String(64), default="", index=True)
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    eligibility: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    area: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    # What a client needs to know to get there: printed on the referral slip they carry.
    hours: so.Mapped[str] = so.mapped_column(sa.String(500), default="", server_default="")
    what_to_bring: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    active: so.Mapped[bool] = so.mapped_column(default=True)

    provider: so.Mapped[Provider] = so.relationship(back_populates="services")


class ReferralStatus(LabelledEnum):
    SENT = "sent", N_("Sent")
    ACKNOWLEDGED = "acknowledged", N_("Acknowledged by provider")
    SCHEDULED = "scheduled", N_("Appointment scheduled")
    CONNECTED = "connected", N_("Connected (client attended)")
    COMPLETED = "completed", N_("Completed")
    DECLINED = "declined", N_("Declined")
    NO_SHOW = "no_show", N_("No-show")
    CANCELLED = "cancelled", N_("Cancelled")


# A referral stays open, and keeps asking for confirmation, until it reaches one of these.
CLOSED_REFERRAL_STATUSES = frozenset(
    {
        ReferralStatus.COMPLETED,
        ReferralStatus.DECLINED,
        ReferralStatus.NO_SHOW,
        ReferralStatus.CANCELLED,
    }
)


# The referral's life: sent → acknowledged → scheduled → connected → completed, or it ends
# declined, no-show or cancelled. A no-show can be booked again; the three endings are final.
ALLOWED_TRANSITIONS: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    ReferralStatus.SENT: frozenset(
        {
            ReferralStatus.ACKNOWLEDGED,
            ReferralStatus.SCHEDULED,
            ReferralStatus.CONNECTED,
            ReferralStatus.DECLINED,
            ReferralStatus.CANCELLED,
        }
    ),
    ReferralStatus.ACKNOWLEDGED: frozenset(
        {
            ReferralStatus.SCHEDULED,
            ReferralStatus.CONNECTED,
            ReferralStatus.DECLINED,
            ReferralStatus.CANCELLED,
        }
    ),
    ReferralStatus.SCHEDULED: frozenset(
        {
            # Moved to another day or time before it happened: booked again, not a no-show.
            ReferralStatus.SCHEDULED,
            ReferralStatus.CONNECTED,
            ReferralStatus.NO_SHOW,
            ReferralStatus.DECLINED,
            ReferralStatus.CANCELLED,
        }
    ),
    ReferralStatus.CONNECTED: frozenset({ReferralStatus.COMPLETED, ReferralStatus.CANCELLED}),
    ReferralStatus.NO_SHOW: frozenset({ReferralStatus.SCHEDULED, ReferralStatus.CANCELLED}),
    ReferralStatus.COMPLETED: frozenset(),
    ReferralStatus.DECLINED: frozenset(),
    ReferralStatus.CANCELLED: frozenset(),
}


# "Scheduled" chosen for a referral already scheduled: the appointment moved.
MOVED_LABEL = N_("Appointment moved to another day or time")


class BooksAppointment:
    """The appointment a "scheduled" step books: the day, and the time and place when known.

    A referral holds its current one (Today shows it on its day; it stays after the referral
    moves on, as the appointment it was); each "scheduled" step in the history keeps the one it
    booked, so a rebooking after a no-show leaves both."""

    appointment_on: so.Mapped[date | None]
    appointment_time: so.Mapped[time | None]
    appointment_place: so.Mapped[str] = so.mapped_column(sa.String(500), default="")

    @property
    def appointment_when(self) -> str:
        """ "Fri 12 Dec 2026, 10:30", or "" without an appointment."""
        if self.appointment_on is None:
            return ""
        day = self.appointment_on.strftime("%a %-d %b %Y")
        return f"{day}, {self.appointment_time:%H:%M}" if self.appointment_time else day

    @property
    def appointment_line(self) -> str:
        """ "Fri 12 Dec 2026, 10:30, 12 Harbour St", or "" without an appointment."""
        if self.appointment_on is None:
            return ""
        return ", ".join(part for part in (self.appointment_when, self.appointment_place) if part)


class Referral(BooksAppointment, db.Model):
    __tablename__ = "referrals"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("cases.id", ondelete="RESTRICT"), index=True
    )
    service_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("services.id", ondelete="RESTRICT"))
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # The plan goal this referral serves, if any.
    goal_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("goals.id", ondelete="SET NULL"), index=True
    )
    # The client's consent to share with the provider that the referral relied on (referrals made
    # before consents were checked have none).
    consent_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("consents.id", ondelete="RESTRICT"), index=True
    )
    # The secondary contract: what the provider agreed to do for the client, and by when.
    provider_commitment: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    provider_commitment_by: so.Mapped[date | None]
    # The current status: the last entry of the history, kept here for lists and Today.
    status: so.Mapped[ReferralStatus] = so.mapped_column(
        enum_column(ReferralStatus), default=ReferralStatus.SENT
    )
    follow_up_on: so.Mapped[date]
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: so.Mapped[int] = so.mapped_column(default=1)

    case: so.Mapped[Case] = so.relationship(back_populates="referrals")
    service: so.Mapped[Service] = so.relationship()
    goal: so.Mapped[Goal | None] = so.relationship()
    consent: so.Mapped[Consent | None] = so.relationship()
    history: so.Mapped[list[ReferralStatusChange]] = so.relationship(
        back_populates="referral", order_by="ReferralStatusChange.id"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # Today and reminders: referrals still waiting for a confirmation, by date.
        sa.Index("ix_referrals_status_follow_up", "status", "follow_up_on"),
        # Today: appointments on a day.
        sa.Index("ix_referrals_status_appointment", "status", "appointment_on"),
    )

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_REFERRAL_STATUSES

    @property
    def next_statuses(self) -> list[ReferralStatus]:
        return [status for status in ReferralStatus if status in ALLOWED_TRANSITIONS[self.status]]


class ConfirmationMethod(LabelledEnum):
    PHONE = "phone", N_("By phone")
    IN_PERSON = "in_person", N_("In person (I was there)")
    PROVIDER = "provider", N_("The provider told us")
    CLIENT = "client", N_("The client told us")
    SYSTEM = "system", N_("Recorded when the referral was made")
    # The provider answered on the referral's own link (/r/<token>): never a worker's choice.
    PROVIDER_LINK = "provider_link", N_("Confirmed by the provider")


class ReferralStatusChange(BooksAppointment, db.Model):
    """One step in a referral's history: who confirmed what, when and how. Append-only."""

    __tablename__ = "referral_status_changes"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    referral_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("referrals.id", ondelete="RESTRICT"), index=True
    )
    status: so.Mapped[ReferralStatus] = so.mapped_column(enum_column(ReferralStatus))
    # When it happened, as confirmed; recorded_at is when we wrote it down.
    occurred_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    method: so.Mapped[ConfirmationMethod] = so.mapped_column(enum_column(ConfirmationMethod))
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    confirmed_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    recorded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    referral: so.Mapped[Referral] = so.relationship(back_populates="history")
    confirmed_by: so.Mapped[User | None] = so.relationship()


class NameShown(LabelledEnum):
    """How the provider's page names the client."""

    FIRST_NAME = "first_name", N_("First name")
    INITIALS = "initials", N_("Initials only")


class ProviderLink(db.Model):
    """The link a provider answers a referral on, without an account: /r/<token>.

    The token is never stored. It is derived from the app's secret key and `salt`, so the worker
    can show the link again (and print it on the slip) while a copy of the database alone opens
    nothing; `token_hash` finds the link when it is opened. What the page shows of the client is
    chosen per link (a restricted case's by its primary worker), within the consent the referral
    relied on."""

    __tablename__ = "provider_links"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    referral_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("referrals.id", ondelete="RESTRICT"), index=True
    )
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    salt: so.Mapped[str] = so.mapped_column(sa.String(64))
    name_shown: so.Mapped[NameShown] = so.mapped_column(
        enum_column(NameShown), default=NameShown.FIRST_NAME
    )
    show_reason: so.Mapped[bool] = so.mapped_column(default=True)
    show_contact: so.Mapped[bool] = so.mapped_column(default=False)
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revoked_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    referral: so.Mapped[Referral] = so.relationship()
    created_by: so.Mapped[User | None] = so.relationship(foreign_keys=[created_by_id])


class MessageKind(LabelledEnum):
    ANSWER = "answer", N_("Answer from the provider")
    NOTE = "note", N_("Note from the provider")
    CLOSURE_NOTICE = "closure_notice", N_("Closure notice sent to the provider")


class ReferralMessage(db.Model):
    """What passed between the worker and the provider through the provider's link: each answer
    the provider gave (with the status step it made), a note, or the notice that the case closed.
    An answer or note waits on the case worker's Today until they read the referral."""

    __tablename__ = "referral_messages"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    referral_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("referrals.id", ondelete="RESTRICT"), index=True
    )
    link_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("provider_links.id", ondelete="RESTRICT")
    )
    kind: so.Mapped[MessageKind] = so.mapped_column(enum_column(MessageKind))
    from_provider: so.Mapped[bool] = so.mapped_column(default=True)
    # The step an answer made in the referral's history.
    status_change_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("referral_status_changes.id", ondelete="RESTRICT")
    )
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    sent_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    sent_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # When the case's worker read it on the referral page (then it leaves their Today).
    seen_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    referral: so.Mapped[Referral] = so.relationship()
    status_change: so.Mapped[ReferralStatusChange | None] = so.relationship()
    sent_by: so.Mapped[User | None] = so.relationship()

    __table_args__ = (
        # Today: answers not read yet.
        sa.Index("ix_referral_messages_unseen", "from_provider", "seen_at"),
    )


class ProviderAnswer(LabelledEnum):
    """What a provider can answer on the referral's link, and the step each makes."""

    ACCEPT = "accept", N_("Accept the referral")
    DECLINE = "decline", N_("Decline the referral")
    SCHEDULE = "schedule", N_("Book an appointment")
    ATTENDED = "attended", N_("They came")
    NO_SHOW = "no_show", N_("They did not come")
    COMPLETED = "completed", N_("The service is complete")

    @property
    def status(self) -> ReferralStatus:
        return {
            ProviderAnswer.ACCEPT: ReferralStatus.ACKNOWLEDGED,
            ProviderAnswer.DECLINE: ReferralStatus.DECLINED,
            ProviderAnswer.SCHEDULE: ReferralStatus.SCHEDULED,
            ProviderAnswer.ATTENDED: ReferralStatus.CONNECTED,
            ProviderAnswer.NO_SHOW: ReferralStatus.NO_SHOW,
            ProviderAnswer.COMPLETED: ReferralStatus.COMPLETED,
        }[self]
