"""Links handed to people without an account (a self-intake, a provider's referral): the
address to share and its QR code."""

from __future__ import annotations

import segno
from flask import url_for

from webapp.models import ProviderLink, utcnow
from webapp.queries.provider_links import link_works
from webapp.services import provider_links
from webapp.timeutil import local_today


def qr_code(url: str | None) -> str | None:
    """The address as a QR code, an SVG data URI (the CSP allows data: images, no other host)."""
    return segno.make(url, error="m").svg_data_uri(scale=4) if url else None


def provider_link_url(link: ProviderLink | None) -> str | None:
    """The provider's link, when it works and can be made again from the secret key."""
    if link is None or not link_works(link, utcnow(), local_today()):
        return None
    token = provider_links.token_of(link)
    return url_for("provider.page", token=token, _external=True) if token else None
