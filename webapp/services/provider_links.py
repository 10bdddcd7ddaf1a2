"""Closed-loop referrals: the provider's link, what they answer on it, and what we tell them.

A link (/r/<token>) is made when a referral is sent. Its token is derived from the app's secret key
and a random salt stored with the link: the worker can show it again and print it on the slip,
while the database alone (a backup, a leak) holds only the token's SHA-256. Like a self-intake
link it is single-purpose, expires (90 days, or when the referral ends), can be revoked, and every
way it can fail looks the same to whoever holds it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from webapp import database
from webapp.extensions import db
from webapp.models import (
    AuditAction,
    Case,
    ClosureRequest,
    ClosureStatus,
    ConfirmationMethod,
    MessageKind,
    NameShown,
    ProviderAnswer,
    ProviderLink,
    Referral,
    ReferralMessage,
    User,
    utcnow,
)
from webapp.queries.consents import contact_channels
from webapp.queries.provider_links import answers_open_to, current_link, link_works
from webapp.services import audit, referrals
from webapp.services.self_intake import token_hash
from webapp.text import Phrase
from webapp.timeutil import local_today

LINK_LIFETIME = timedelta(days=90)
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
NOTE_LIMIT = 1000


class ProviderLinkError(ValueError):
    """A change that cannot be made; the message says why."""


def _derive(salt: str) -> str:
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    digest = hmac.new(key, f"waymark-provider-link:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_of(link: ProviderLink) -> str | None:
    """The link's token, or None when it cannot be made again (the secret key changed since)."""
    token = _derive(link.salt)
    return token if hmac.compare_digest(token_hash(token), link.token_hash) else None


def may_choose_what_is_shown(user: User, case: Case) -> bool:
    """A restricted case's link is its primary worker's to make and to shape."""
    return not case.restricted or case.primary_worker_id == user.id


def make_link(referral: Referral, *, by: User) -> ProviderLink:
    """A new link for the referral; the one before it, if any, stops working.

    A restricted case's link starts by showing the least (initials, no reason, no way to reach
    the client) and only its primary worker may make it."""
    case = referral.case
    if not may_choose_what_is_shown(by, case):
        raise ProviderLinkError(
            Phrase("This case is restricted: only its worker can make the provider's link.")
        )
    previous = current_link(referral)
    if previous is not None:
        revoke(previous, by=by)
    salt = secrets.token_urlsafe(32)
    now = utcnow()
    link = ProviderLink(
        referral=referral,
        salt=salt,
        token_hash=token_hash(_derive(salt)),
        name_shown=NameShown.INITIALS if case.restricted else NameShown.FIRST_NAME,
        show_reason=not case.restricted,
        show_contact=False,
        created_by_id=by.id,
        created_at=now,
        expires_at=now + LINK_LIFETIME,
    )
    db.session.add(link)
    db.session.flush()
    audit.record(AuditAction.CREATE, "provider_link", link.id, user=by)
    return link


def revoke(link: ProviderLink, *, by: User) -> None:
    if link.revoked_at is None:
        link.revoked_at, link.revoked_by_id = utcnow(), by.id
        db.session.flush()
        audit.record(AuditAction.UPDATE, "provider_link", link.id, user=by)


def choose_what_is_shown(
    link: ProviderLink, *, by: User, name_shown: NameShown, show_reason: bool, show_contact: bool
) -> None:
    case = link.referral.case
    if not may_choose_what_is_shown(by, case):
        raise ProviderLinkError(
            Phrase("This case is restricted: only its worker chooses what the provider sees.")
        )
    if show_contact and not (case.client.phone and contact_channels(case.client, local_today())):
        raise ProviderLinkError(
            Phrase(
                "The client has not agreed to be contacted by phone or text, or has no phone "
                "number: record that on their consents page first."
            )
        )
    link.name_shown, link.show_reason, link.show_contact = name_shown, show_reason, show_contact
    db.session.flush()
    audit.record(AuditAction.UPDATE, "provider_link", link.id, user=by)


def find_usable(token: str) -> ProviderLink | None:
    """The link behind a token if it still works. Unknown, malformed, expired, revoked, ended and
    no-longer-consented links are all None: whoever holds one sees one page for all of them."""
    if not TOKEN_SHAPE.fullmatch(token or ""):
        return None
    link = db.session.scalar(
        db.select(ProviderLink).where(ProviderLink.token_hash == token_hash(token))
    )
    if link is None or not link_works(link, utcnow(), local_today()):
        return None
    return link


def answer(
    link: ProviderLink,
    given: ProviderAnswer,
    *,
    note: str = "",
    appointment: referrals.Appointment | None = None,
    commitment: str = "",
    commitment_by: date | None = None,
) -> ReferralMessage:
    """The provider's answer: the step it makes in the referral's history, "confirmed by the
    provider", and a message that waits on the worker's Today until they read it."""
    referral = link.referral
    if given not in answers_open_to(referral):
        raise ProviderLinkError(
            Phrase(
                "That answer no longer fits: the referral has moved on. Here is where it stands."
            )
        )
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        raise ProviderLinkError(Phrase("Keep the note under 1,000 characters."))
    if given == ProviderAnswer.DECLINE and not note:
        raise ProviderLinkError(Phrase("Say why you cannot take this referral."))
    if given == ProviderAnswer.ACCEPT:
        commitment = commitment.strip()
        if commitment_by is not None and commitment_by < local_today():
            raise ProviderLinkError(Phrase("“By when” cannot be in the past."))
        if commitment_by is not None and not commitment:
            raise ProviderLinkError(Phrase("Say what you will do by then."))
    try:
        change = referrals.change_status(
            referral,
            given.status,
            confirmed_by=None,
            method=ConfirmationMethod.PROVIDER_LINK,
            note=note,
            appointment=appointment,
        )
    except referrals.ReferralError as error:
        raise ProviderLinkError(str(error)) from error
    if given == ProviderAnswer.ACCEPT and commitment:
        referral.provider_commitment, referral.provider_commitment_by = commitment, commitment_by
    message = ReferralMessage(
        referral=referral,
        link_id=link.id,
        kind=MessageKind.ANSWER,
        from_provider=True,
        status_change=change,
        note=note,
    )
    db.session.add(message)
    db.session.flush()
    audit.record(AuditAction.CREATE, "referral_message", message.id)
    return message


def send_note(link: ProviderLink, note: str) -> ReferralMessage:
    note = note.strip()
    if not note:
        raise ProviderLinkError(Phrase("Write the note first."))
    if len(note) > NOTE_LIMIT:
        raise ProviderLinkError(Phrase("Keep the note under 1,000 characters."))
    message = ReferralMessage(
        referral=link.referral, link_id=link.id, kind=MessageKind.NOTE, note=note
    )
    db.session.add(message)
    db.session.flush()
    audit.record(AuditAction.CREATE, "referral_message", message.id)
    return message


def record_commitment(
    referral: Referral, *, by: User, commitment: str, commitment_by: date | None
) -> None:
    """What the provider agreed to do and by when, as the worker heard it (on the phone, in a
    meeting). The provider's link shows it too."""
    commitment = commitment.strip()
    if commitment_by is not None and not commitment:
        raise ProviderLinkError(Phrase("Say what the provider agreed to do by then."))
    referral.provider_commitment, referral.provider_commitment_by = commitment, commitment_by
    db.session.flush()
    audit.record(AuditAction.UPDATE, "referral", referral.id, user=by)


def mark_read(referral: Referral, reader: User) -> int:
    """The case's worker has read the referral: the provider's answers leave their Today.

    Reading a page is a GET: like a view's audit event, the receipt is written at once on a
    connection of its own, in a transaction that writes first (on SQLite a read transaction that
    later writes fails when another writer got in between)."""
    if referral.case.primary_worker_id != reader.id:
        return 0
    unread = (
        ReferralMessage.referral_id == referral.id,
        ReferralMessage.from_provider.is_(True),
        ReferralMessage.seen_at.is_(None),
    )
    # Most views have nothing unread: they take no write lock.
    if not db.session.scalar(sa.select(sa.exists().where(*unread))):
        return 0
    with database.writes(), db.engine.begin() as connection:
        result = connection.execute(
            sa.update(ReferralMessage).where(*unread).values(seen_at=utcnow())
        )
    return result.rowcount


def send_closure_notice(link: ProviderLink, *, by: User) -> ReferralMessage:
    """Tell the provider the case has closed: the link shows that it closed, why (in the
    closure's own plain words) and who takes over, kept here as the note. Nothing else of it."""
    case = link.referral.case
    if case.is_open:
        raise ProviderLinkError(Phrase("The case is still open."))
    if not link_works(link, utcnow(), local_today()):
        raise ProviderLinkError(
            Phrase("This referral's link no longer works: tell the provider another way.")
        )
    closure = db.session.scalar(
        db.select(ClosureRequest)
        .where(ClosureRequest.case_id == case.id, ClosureRequest.status == ClosureStatus.APPROVED)
        .order_by(ClosureRequest.id.desc())
        .limit(1)
    )
    message = ReferralMessage(
        referral=link.referral,
        link_id=link.id,
        kind=MessageKind.CLOSURE_NOTICE,
        from_provider=False,
        note=closure.taken_over_by if closure else "",
        sent_by_id=by.id,
        seen_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    audit.record(AuditAction.CREATE, "referral_message", message.id, user=by)
    return message
