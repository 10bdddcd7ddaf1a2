"""Creating and changing client records and their consents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from webapp import client_ids
from webapp.extensions import db
from webapp.models import (
    AuditAction,
    Case,
    Client,
    ClientAlias,
    ClientNameToken,
    Consent,
    ConsentMethod,
    ConsentScope,
    Program,
    Provider,
    User,
    utcnow,
)
from webapp.names import tokens_of
from webapp.services import audit
from webapp.text import Phrase, clean_line, fold, phone_digits

_ID_ATTEMPTS = 8


class ClientError(ValueError):
    """A client change that cannot be made; the message says why."""


@dataclass
class ClientDetails:
    preferred_name: str
    legal_name: str | None = None
    aliases: list[str] = field(default_factory=list)
    date_of_birth: date | None = None
    estimated_birth_year: int | None = None
    language: str | None = None
    phone: str | None = None
    safe_to_call: bool | None = None
    safe_to_text: bool | None = None
    contact_notes: str = ""


def _index_names(client: Client, preferred: str, aliases: list[str]) -> None:
    """The client's sort key and the words search finds them by, made again from their names."""
    client.name_key = name_key(client, aliases)
    client.name_tokens = [
        ClientNameToken(
            token=token.token,
            metaphone=token.metaphone,
            nysiis=token.nysiis,
            name_key=client.name_key,
        )
        for token in tokens_of([preferred, client.legal_name or "", *aliases])
    ]


def name_key(details_or_client: ClientDetails | Client, aliases: list[str]) -> str:
    names = [details_or_client.preferred_name, details_or_client.legal_name or "", *aliases]
    return " | ".join(fold(name) for name in names if name)[:1000]


def new_persistent_id() -> str:
    """A fresh ID not yet used by any client (40 random bits: a clash is rare, not impossible)."""
    for _ in range(_ID_ATTEMPTS):
        candidate = client_ids.generate()
        if db.session.scalar(sa.select(Client.id).where(Client.persistent_id == candidate)) is None:
            return candidate
    raise RuntimeError("could not find an unused client ID")  # pragma: no cover


def create_client(
    details: ClientDetails, *, created_by: User | None, persistent_id: str | None = None
) -> Client:
    """A new client. `persistent_id` is given when a phone assigned it offline."""
    preferred = clean_line(details.preferred_name)
    if not preferred:
        raise ClientError(Phrase("A first name, street name or alias is needed."))
    if persistent_id is not None:
        persistent_id = client_ids.parse(persistent_id)
        if db.session.scalar(sa.select(Client.id).where(Client.persistent_id == persistent_id)):
            raise ClientError(Phrase("That client ID is already in use."))
    aliases = [clean_line(alias) for alias in details.aliases if clean_line(alias)]
    client = Client(
        persistent_id=persistent_id or new_persistent_id(),
        preferred_name=preferred,
        legal_name=clean_line(details.legal_name) or None,
        date_of_birth=details.date_of_birth,
        estimated_birth_year=details.estimated_birth_year,
        language=details.language or None,
        phone=clean_line(details.phone) or None,
        phone_digits=phone_digits(details.phone),
        safe_to_call=details.safe_to_call,
        safe_to_text=details.safe_to_text,
        contact_notes=details.contact_notes.strip(),
        aliases=[ClientAlias(name=alias) for alias in aliases],
        created_by_id=created_by.id if created_by else None,
    )
    _index_names(client, preferred, aliases)
    db.session.add(client)
    db.session.flush()
    audit.record(AuditAction.CREATE, "client", client.id, user=created_by)
    return client


@dataclass(frozen=True)
class ClientIdReissue:
    """A client ID a phone made offline that could not be used, and the one issued instead."""

    phone_made: str  # as the phone sent it: the entries it queued under that ID spell it so
    issued: str  # as shown: XXXX-XXXX-C


def create_client_with_phone_made_id(
    details: ClientDetails,
    *,
    created_by: User | None,
    phone_made_id: str | None,
) -> tuple[Client, ClientIdReissue | None]:
    """A new client under the ID a phone made offline; if that ID is unreadable or already
    taken, under a fresh one, with the re-issue for the phone to be told.

    Decided here and nowhere else: the answer to the phone, its replays included, only
    reports what this returns.
    """
    typed = (phone_made_id or "").strip()
    if not typed:
        return create_client(details, created_by=created_by), None
    try:
        wanted: str | None = client_ids.parse(typed)
    except client_ids.InvalidClientId:
        wanted = None
    if wanted is not None and db.session.scalar(
        sa.select(Client.id).where(Client.persistent_id == wanted)
    ):
        wanted = None
    client = create_client(details, created_by=created_by, persistent_id=wanted)
    return client, None if wanted is not None else ClientIdReissue(
        phone_made=typed, issued=client.display_id
    )


class StaleEdit(ClientError):
    """Someone saved this client since the form was opened."""


def update_client(
    client: Client, details: ClientDetails, *, expected_version: int, changed_by: User
) -> Client:
    """Change a client's details, unless they changed since `expected_version` (never a silent
    overwrite)."""
    if client.version != expected_version:
        raise StaleEdit("Someone else saved this record while you were editing it.")
    preferred = clean_line(details.preferred_name)
    if not preferred:
        raise ClientError(Phrase("A first name, street name or alias is needed."))
    aliases = [clean_line(alias) for alias in details.aliases if clean_line(alias)]
    client.preferred_name = preferred
    client.legal_name = clean_line(details.legal_name) or None
    client.date_of_birth = details.date_of_birth
    client.estimated_birth_year = details.estimated_birth_year
    client.language = details.language or None
    client.phone = clean_line(details.phone) or None
    client.phone_digits = phone_digits(details.phone)
    client.safe_to_call = details.safe_to_call
    client.safe_to_text = details.safe_to_text
    client.contact_notes = details.contact_notes.strip()
    if [alias.name for alias in client.aliases] != aliases:
        client.aliases = [ClientAlias(name=alias) for alias in aliases]
    _index_names(client, preferred, aliases)
    # The version column makes a concurrent UPDATE fail here instead of overwriting
    db.session.flush()
    audit.record(AuditAction.UPDATE, "client", client.id, user=changed_by)
    return client


def record_consent(
    client: Client,
    *,
    scope: ConsentScope,
    method: ConsentMethod,
    recorded_by: User | None,
    given_at: datetime | None = None,
    provider: Provider | None = None,
    programs: Sequence[Program] = (),
    all_programs: bool = False,
    expires_on: date | None = None,
    witness: str = "",
    note: str = "",
    case: Case | None = None,
) -> Consent:
    if scope == ConsentScope.SHARING and provider is None:
        raise ClientError(Phrase("Consent to share names the provider it allows."))
    if scope == ConsentScope.AGENCY_SHARING and not (programs or all_programs):
        raise ClientError(Phrase("Consent to share within the agency names its programs, or all."))
    consent = Consent(
        client=client,
        case_id=case.id if case else None,
        scope=scope,
        method=method,
        given_at=given_at or utcnow(),
        provider=provider if scope == ConsentScope.SHARING else None,
        programs=list(programs) if scope == ConsentScope.AGENCY_SHARING else [],
        all_programs=all_programs and scope == ConsentScope.AGENCY_SHARING,
        expires_on=expires_on,
        witness=witness.strip(),
        note=note.strip(),
        recorded_by_id=recorded_by.id if recorded_by else None,
    )
    db.session.add(consent)
    db.session.flush()
    audit.record(AuditAction.CREATE, "consent", consent.id, user=recorded_by)
    return consent


def revoke_consent(consent: Consent, *, revoked_by: User, reason: str) -> None:
    """From now on the consent allows nothing; what was shared under it stays on the record."""
    if consent.revoked_at is not None:
        raise ClientError(Phrase("This consent was already revoked."))
    if not reason.strip():
        raise ClientError(Phrase("Say why the consent is revoked."))
    consent.revoked_at = utcnow()
    consent.revoked_by_id = revoked_by.id
    consent.revocation_note = reason.strip()
    db.session.flush()
    audit.record(AuditAction.UPDATE, "consent", consent.id, user=revoked_by)
