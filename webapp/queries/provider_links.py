"""The provider's side of a referral: whether its link still works, and what it may show.

A link shows the provider only what the consent the referral relied on allows, and within that
only what the worker chose for the link (a restricted case's, its primary worker): the client's
first name or initials, the reason for the referral, how to reach them when they agreed to be
contacted, and who referred them. When the consent is revoked or runs out the link stops working
and shows nothing of the client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    ALLOWED_TRANSITIONS,
    Case,
    ConsentScope,
    MessageKind,
    NameShown,
    ProviderAnswer,
    ProviderLink,
    Referral,
    ReferralMessage,
    ReferralStatus,
)
from webapp.queries.consents import allows_sharing, contact_channels

# The link works until the referral ends: a no-show can still be booked again.
FINISHED = frozenset({ReferralStatus.COMPLETED, ReferralStatus.DECLINED, ReferralStatus.CANCELLED})


def link_works(link: ProviderLink, now: datetime, today: date) -> bool:
    referral = link.referral
    return (
        link.revoked_at is None
        and now < link.expires_at
        and referral.status not in FINISHED
        and allows_sharing(referral.consent, referral.case, referral.service.provider_id, today)
    )


def current_link(referral: Referral) -> ProviderLink | None:
    """The referral's link that is not revoked (a new one revokes the last)."""
    return db.session.scalar(
        sa.select(ProviderLink)
        .where(ProviderLink.referral_id == referral.id, ProviderLink.revoked_at.is_(None))
        .order_by(ProviderLink.id.desc())
        .limit(1)
    )


def answers_open_to(referral: Referral) -> list[ProviderAnswer]:
    """What the provider can answer now, along the referral's allowed steps."""
    allowed = ALLOWED_TRANSITIONS[referral.status]
    return [answer for answer in ProviderAnswer if answer.status in allowed]


def messages_of(referral: Referral) -> list[ReferralMessage]:
    return list(
        db.session.scalars(
            sa.select(ReferralMessage)
            .where(ReferralMessage.referral_id == referral.id)
            .order_by(ReferralMessage.id)
        )
    )


def first_name(name: str) -> str:
    return (name.split() or [""])[0]


def initials(name: str) -> str:
    return " ".join(f"{word[0].upper()}." for word in name.split() if word[:1].isalpha())


@dataclass(frozen=True)
class ProviderView:
    """Everything the provider's page shows, and nothing more."""

    referral: Referral
    name: str
    reason: str
    phone: str
    channels: list[ConsentScope]
    worker_name: str
    worker_phone: str
    answers: list[ProviderAnswer]
    messages: list[ReferralMessage] = field(default_factory=list)

    @property
    def closure_notice(self) -> ReferralMessage | None:
        notices = [m for m in self.messages if m.kind == MessageKind.CLOSURE_NOTICE]
        return notices[-1] if notices else None


def provider_view(link: ProviderLink, today: date) -> ProviderView:
    referral = link.referral
    client = referral.case.client
    name = client.preferred_name
    channels = contact_channels(client, today) if link.show_contact else []
    worker = referral.case.primary_worker
    return ProviderView(
        referral=referral,
        name=initials(name) if link.name_shown == NameShown.INITIALS else first_name(name),
        reason=referral.reason if link.show_reason else "",
        phone=(client.phone or "") if channels else "",
        channels=channels,
        worker_name=worker.display_name if worker else "",
        worker_phone=worker.work_phone if worker else "",
        answers=answers_open_to(referral),
        messages=messages_of(referral),
    )


def providers_to_tell(
    case: Case, now: datetime, today: date
) -> list[tuple[Referral, ProviderLink]]:
    """A closed case's referrals whose provider can still be told, through a working link, that
    the case has closed, and has not been told yet."""
    if case.is_open:
        return []
    told = set(
        db.session.scalars(
            sa.select(ReferralMessage.referral_id).where(
                ReferralMessage.kind == MessageKind.CLOSURE_NOTICE,
                ReferralMessage.referral_id.in_([r.id for r in case.referrals]),
            )
        )
    )
    open_referrals = [r for r in case.referrals if r.id not in told and r.status not in FINISHED]
    # Each referral's current link (a new one revokes the last), in one query.
    links: dict[int, ProviderLink] = {}
    for link in db.session.scalars(
        sa.select(ProviderLink)
        .where(
            ProviderLink.referral_id.in_([r.id for r in open_referrals]),
            ProviderLink.revoked_at.is_(None),
        )
        .order_by(ProviderLink.id)
    ):
        links[link.referral_id] = link
    return [
        (referral, links[referral.id])
        for referral in open_referrals
        if referral.id in links and link_works(links[referral.id], now, today)
    ]
