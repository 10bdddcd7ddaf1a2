"""A client's documents as the viewer may see them (the rule consents follow: a document filed in
a case is seen through that case; one on the client's record by whoever may see the client)."""

from __future__ import annotations

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Case, Client, Consent, Document


def documents_seen_through(client: Client, visible_cases: list[Case]) -> list[Document]:
    """The client's documents, newest first, that the viewer's visible cases let them see."""
    case_ids = {case.id for case in visible_cases}
    return [
        document
        for document in db.session.scalars(
            sa.select(Document)
            .where(Document.client_id == client.id, Document.deleted_at.is_(None))
            .order_by(Document.uploaded_at.desc(), Document.id.desc())
        )
        if document.case_id is None or document.case_id in case_ids
    ]


def documents_of_case(case: Case) -> list[Document]:
    """What was filed in this case (for whoever may see the case)."""
    return list(
        db.session.scalars(
            sa.select(Document)
            .where(Document.case_id == case.id, Document.deleted_at.is_(None))
            .order_by(Document.uploaded_at.desc(), Document.id.desc())
        )
    )


def may_see_document(document: Document, visible_cases: list[Case]) -> bool:
    return document.case_id is None or document.case_id in {case.id for case in visible_cases}


def consents_a_release_may_support(client: Client, visible_cases: list[Case]) -> list[Consent]:
    """The client's consents the viewer may see, newest first: what a signed release is for."""
    from webapp.queries.consents import consents_seen_through

    return sorted(
        consents_seen_through(client, visible_cases), key=lambda c: c.given_at, reverse=True
    )
