"""A client's consents as the viewer may see them: in force, running out soon, and past."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models import Case, Client, Consent, ConsentScope, Program, Provider

# Today and the consents page warn this long before a consent runs out.
EXPIRING_WITHIN = timedelta(days=14)


def consents_seen_through(client: Client, visible_cases: list[Case]) -> list[Consent]:
    """The client's consents recorded in the cases the viewer may see (or outside any case)."""
    case_ids = {case.id for case in visible_cases}
    if "consents" not in sa.inspect(client).unloaded:
        consents = client.consents  # already read in this request
    else:
        # Read with the provider and programs each names (shown beside each), not one by one.
        consents = db.session.scalars(
            sa.select(Consent)
            .where(Consent.client_id == client.id)
            .options(so.joinedload(Consent.provider), so.selectinload(Consent.programs))
            .order_by(Consent.given_at.desc())
        ).all()
        so.attributes.set_committed_value(client, "consents", list(consents))
    return [
        consent for consent in consents if consent.case_id is None or consent.case_id in case_ids
    ]


@dataclass(frozen=True)
class ConsentsByState:
    current: list[Consent]
    expiring: list[Consent]
    past: list[Consent]


def consents_by_state(client: Client, visible_cases: list[Case], today: date) -> ConsentsByState:
    current, expiring, past = [], [], []
    for consent in sorted(
        consents_seen_through(client, visible_cases), key=lambda c: c.given_at, reverse=True
    ):
        if not consent.is_in_force(today):
            past.append(consent)
        elif consent.expires_on is not None and consent.expires_on <= today + EXPIRING_WITHIN:
            expiring.append(consent)
        else:
            current.append(consent)
    expiring.sort(key=lambda c: c.expires_on or today)
    return ConsentsByState(current, expiring, past)


def renewed(consent: Consent, today: date) -> bool:
    """A later consent in force for the same purpose (and provider) takes over from this one."""
    return any(
        other.id != consent.id
        and other.scope == consent.scope
        and other.provider_id == consent.provider_id
        and other.is_in_force(today)
        and (
            other.expires_on is None
            or (consent.expires_on and other.expires_on > consent.expires_on)
        )
        for other in consent.client.consents
    )


def open_cases_to_record_in(visible_cases: list[Case]) -> list[Case]:
    """A consent is recorded in a case: the viewer's open ones for this client."""
    return [case for case in visible_cases if case.is_open]


def who_may_be_named() -> tuple[list[Provider], list[Program]]:
    """The directory's providers and the agency's programs a sharing consent may name."""
    providers = db.session.scalars(
        sa.select(Provider).where(Provider.active).order_by(Provider.name)
    ).all()
    programs = db.session.scalars(
        sa.select(Program).where(Program.active).order_by(Program.name)
    ).all()
    return list(providers), list(programs)


def sharing_in_force(consents: list[Consent], today: date) -> list[Consent]:
    """Consents to share with a named provider that allow it today."""
    return [
        consent
        for consent in consents
        if consent.scope == ConsentScope.SHARING and consent.is_in_force(today)
    ]


def allows_sharing(consent: Consent | None, case: Case, provider_id: int, today: date) -> bool:
    """Whether `consent` lets us share this case's client with the provider today."""
    return (
        consent is not None
        and consent.client_id == case.client_id
        and consent.scope == ConsentScope.SHARING
        and consent.provider_id == provider_id
        and consent.is_in_force(today)
    )


CONTACT_SCOPES = (ConsentScope.CONTACT_PHONE, ConsentScope.CONTACT_TEXT)


def contact_channels(client: Client, today: date) -> list[ConsentScope]:
    """How the client agreed to be contacted (by phone call, by text), today."""
    return sorted(
        {
            consent.scope
            for consent in client.consents
            if consent.scope in CONTACT_SCOPES and consent.is_in_force(today)
        },
        key=CONTACT_SCOPES.index,
    )


def consent_to_share_with(consents: list[Consent], provider_id: int, today: date) -> Consent | None:
    """The latest consent in force that names this provider."""
    named = [c for c in sharing_in_force(consents, today) if c.provider_id == provider_id]
    return max(named, key=lambda consent: consent.given_at, default=None)
