"""The provider directory: organisations and the services clients are referred to.

Nothing here is ever deleted: referrals point at providers and services, so they are
switched off (`active`) instead.
"""

from __future__ import annotations

from typing import TypeVar

from webapp.extensions import db
from webapp.models import AuditAction, Provider, Service
from webapp.services import audit

Entry = TypeVar("Entry", Provider, Service)


def _save(
    entry: Entry, record_type: str, *, created: bool, active: bool, fields: dict[str, str]
) -> Entry:
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.active = active
    db.session.add(entry)
    db.session.flush()
    audit.record(AuditAction.CREATE if created else AuditAction.UPDATE, record_type, entry.id)
    return entry


def save_provider(provider: Provider | None, *, active: bool, **fields: str) -> Provider:
    """Create a provider (None) or change one."""
    return _save(
        provider or Provider(), "provider", created=provider is None, active=active, fields=fields
    )


def save_service(
    provider: Provider, service: Service | None, *, active: bool, **fields: str
) -> Service:
    """Add a service to `provider` (None) or change one."""
    return _save(
        service or Service(provider=provider),
        "service",
        created=service is None,
        active=active,
        fields=fields,
    )
