"""Load-or-404 for the records a request names, by the one visibility rule (`queries.visibility`).

Anything a user may not see is answered with 404, so its existence is not disclosed, and the
denial is audited. A page that loads a record to show it (any GET) is a read of that record and is
audited here, so no page that shows a case or a client can forget to say so.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, request
from flask_login import current_user

from webapp import client_ids
from webapp.extensions import db
from webapp.models import (
    AuditAction,
    Case,
    Client,
    Document,
    IntakeScreening,
    Referral,
    Service,
)
from webapp.queries.documents import may_see_document
from webapp.queries.visibility import (
    can_view_client,
    first_with_visibility,
    visible_cases,
    visible_cases_of,
    visible_clients,
    visible_screenings,
)
from webapp.services import audit

# What nearly every page of a case shows besides the case: its client (the heading, the
# breadcrumb) and its program (the standard it is worked to). Loaded with it, in one statement.
CASE_WITH = (so.joinedload(Case.client), so.joinedload(Case.program))


def get_case_or_404(case_id: int, *loads: so.interfaces.LoaderOption) -> Case:
    """The case, its client and program (and `loads`, what the page reads of it besides), and
    whether the user may see it: one statement."""
    case, visible = first_with_visibility(
        current_user,
        sa.select(Case).where(Case.id == case_id).options(*CASE_WITH, *loads),
        visible_cases,
    )
    if case is None:
        abort(404)
    if not visible:
        _deny("case", case.id)
    _audit_read("case", case.id)
    return case


def get_referral_or_404(referral_id: int, *, shown: bool = False) -> Referral:
    """A referral is seen by whoever may see its case; loaded with its case (client, program)
    and its service's provider, in one statement with the visibility rule. `shown`: the page
    shows the referral itself, so a read is audited as a view of the referral besides its case
    (both events in one write)."""
    referral, visible = first_with_visibility(
        current_user,
        sa.select(Referral)
        .join(Referral.case)
        .where(Referral.id == referral_id)
        .options(
            so.contains_eager(Referral.case).joinedload(Case.client),
            so.contains_eager(Referral.case).joinedload(Case.program),
            so.joinedload(Referral.service).joinedload(Service.provider),
        ),
        visible_cases,
    )
    if referral is None:
        abort(404)
    if not visible:
        _deny("case", referral.case_id)
    if shown:
        _audit_reads([("case", referral.case_id), ("referral", referral.id)])
    else:
        _audit_read("case", referral.case_id)
    return referral


def resolve(canonical_id: str) -> Client | None:
    """The record a canonical client ID names, following merges to the survivor."""
    return _survivor(
        db.session.scalar(sa.select(Client).where(Client.persistent_id == canonical_id))
    )


def _survivor(client: Client | None) -> Client | None:
    seen: set[int] = set()
    while client is not None and client.merged_into_id is not None and client.id not in seen:
        seen.add(client.id)
        client = db.session.get_one(Client, client.merged_into_id)
    return client


def get_client_or_404(persistent_id: str) -> Client:
    """The client behind a typed ID (any accepted spelling), if the user may see them.

    A merged duplicate's ID resolves to the surviving record.
    """
    try:
        canonical = client_ids.parse(persistent_id)
    except client_ids.InvalidClientId:
        abort(404)
    # The ID and the visibility rule in one statement; a merged ID's survivor is asked again.
    client, visible = first_with_visibility(
        current_user, sa.select(Client).where(Client.persistent_id == canonical), visible_clients
    )
    if client is not None and client.merged_into_id is not None:
        client = _survivor(client)
        visible = client is not None and can_view_client(current_user, client)
    if client is None:
        abort(404)
    if not visible:
        _deny("client", client.id)
    _audit_read("client", client.id)
    return client


def get_document_or_404(document_id: int) -> Document:
    """A document, if the user may see it: through the case it was filed in, or (on the
    client's record) through any case of the client's they may see. Its file being read is
    audited as a view of the document, never of the client alone."""
    document = db.session.get(Document, document_id)
    if document is None or document.deleted_at is not None:
        abort(404)
    visible = visible_cases_of(current_user, document.client)
    if not (current_user.is_admin or visible) or not (
        current_user.is_admin or may_see_document(document, visible)
    ):
        _deny("document", document.id)
    _audit_read("document", document.id)
    return document


def get_screening_or_404(screening_id: int) -> IntakeScreening:
    """A program's screening (a waiting-list entry among them), seen by the program's people."""
    screening = db.session.get(IntakeScreening, screening_id)
    if screening is None:
        abort(404)
    allowed = db.session.scalar(
        sa.select(sa.literal(True)).where(
            IntakeScreening.id == screening.id, visible_screenings(current_user)
        )
    )
    if allowed is not True:
        _deny("intake_screening", screening.id)
    _audit_read("intake_screening", screening.id)
    return screening


def _audit_read(record_type: str, record_id: int) -> None:
    _audit_reads([(record_type, record_id)])


def _audit_reads(records: list[tuple[str, int]]) -> None:
    if request.method in ("GET", "HEAD"):
        audit.record_each(AuditAction.VIEW, records)


def _deny(record_type: str, record_id: int) -> None:
    audit.record(AuditAction.ACCESS_DENIED, record_type, record_id)
    db.session.commit()
    abort(404)
