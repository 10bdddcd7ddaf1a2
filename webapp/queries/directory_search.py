"""Finding a service in the directory by what it is called, what it is for and where it serves."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models import Provider, Service
from webapp.names import words

MAX_TEXT = 100


@dataclass(frozen=True)
class ServiceQuery:
    text: str = ""
    category: str = ""
    area: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.category or self.area)

    @classmethod
    def from_args(cls, args) -> ServiceQuery:
        return cls(
            args.get("find", "").strip()[:MAX_TEXT],
            args.get("category", "").strip()[:64],
            args.get("area", "").strip()[:MAX_TEXT],
        )


def active_services() -> list[Service]:
    """Every service taking referrals, from providers still in the directory, by provider."""
    return list(
        db.session.scalars(
            sa.select(Service)
            .join(Service.provider)
            .where(Service.active, Provider.active)
            .options(so.contains_eager(Service.provider))
            .order_by(Provider.name, Service.name)
        )
    )


def matching(services: list[Service], query: ServiceQuery) -> list[Service]:
    """The services every typed word starts a word of (service, provider, description or
    eligibility; accents and case folded), in the category, serving an area that mentions every
    word of `area`. A directory is hundreds of services, so this runs over the list in memory."""
    wanted, places = words(query.text), words(query.area)
    found = []
    for service in services:
        if query.category and service.category != query.category:
            continue
        if places and not _all_start(places, words(service.area)):
            continue
        if wanted and not _all_start(
            wanted,
            words(
                " ".join(
                    (service.name, service.provider.name, service.description, service.eligibility)
                )
            ),
        ):
            continue
        found.append(service)
    return found


def _all_start(wanted: list[str], have: list[str]) -> bool:
    return all(any(word.startswith(part) for word in have) for part in wanted)
