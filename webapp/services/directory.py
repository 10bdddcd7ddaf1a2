"""The provider directory: organisations and the services clients are referred to."""

from __future__ import annotations

from webapp.extensions import db
from webapp.models import AuditAction, Provider, Service
from webapp.services import audit


def save_provider(provider: Provider | None, *, active: bool, **fields: str) -> Provider:
    """Create a provider (None) or change one. Providers are never deleted: referrals point at them."""
    created = provider is None
    provider = provider or Provider()
    for name, value in fields.items():
        setattr(provider, name, value)
    provider.active = active
    db.session.add(provider)
    db.session.flush()
    audit.record(AuditAction.CREATE if created else AuditAction.UPDATE, "provider", provider.id)
    return provider


def save_service(provider: Provider, service: Service | None, *, active: bool, **fields: str) -> Service:
    created = service is None
    service = service or Service(provider=provider)
    for name, value in fields.items():
        setattr(service, name, value)
    service.active = active
    db.session.add(service)
    db.session.flush()
    audit.record(AuditAction.CREATE if created else AuditAction.UPDATE, "service", service.id)
    return service
