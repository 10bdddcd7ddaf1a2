"""The "known to the agency" look-up as a request makes it: rate-limited per user and audited.

A look-up that finds someone held in a program the user cannot see tells them where (program,
worker) and why it matched; each one is counted against the user's hourly allowance and written
to the audit trail by the cases it described (ids only: no names, not even what was typed), the
count and the events in one transaction. A look-up that found nobody hidden costs nothing: it
disclosed nothing.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_login import current_user

from webapp.models import AuditAction
from webapp.queries.agency import AgencyCard, known_to_agency
from webapp.queries.duplicates import DuplicateCheck
from webapp.services import audit
from webapp.web import rate_limit

WINDOW = timedelta(hours=1)


def look_up(check: DuplicateCheck) -> AgencyCard:
    """The card for `check`'s hidden likely matches; `refused` once the user's allowance for the
    hour is spent (the caller answers 429)."""
    card = known_to_agency(current_user, check)
    if not card.matches:
        return card
    if not rate_limit.allow(
        f"agency:{current_user.id}",
        limit=current_app.config["AGENCY_LOOKUPS_PER_HOUR"],
        window=WINDOW,
        if_allowed=lambda connection: audit.record_all_on(
            connection, AuditAction.LOOKUP, "agency_lookup", card.case_ids or [None]
        ),
    ):
        return AgencyCard(refused=True)
    return card
