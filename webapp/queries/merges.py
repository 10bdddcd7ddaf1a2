"""Records merged into a client: their IDs still lead here, and a recent merge can be undone."""

from __future__ import annotations

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Client, ClientMerge, MergeSuggestion


def merges_into(client: Client) -> list[ClientMerge]:
    return list(
        db.session.scalars(
            sa.select(ClientMerge)
            .where(ClientMerge.survivor_id == client.id, ClientMerge.undone_at.is_(None))
            .order_by(ClientMerge.merged_at.desc())
        )
    )


def open_suggestions(limit: int = 50) -> list[MergeSuggestion]:
    """Suggestions nobody has answered yet, oldest first (who may answer each is the caller's
    question: `visibility.may_merge` for both records)."""
    return list(
        db.session.scalars(
            sa.select(MergeSuggestion)
            .where(MergeSuggestion.resolved_at.is_(None))
            .order_by(MergeSuggestion.created_at)
            .limit(limit)
        )
    )


def suggestion_for(client: Client, other: Client) -> MergeSuggestion | None:
    pair = sa.or_(
        sa.and_(MergeSuggestion.client_id == client.id, MergeSuggestion.other_id == other.id),
        sa.and_(MergeSuggestion.client_id == other.id, MergeSuggestion.other_id == client.id),
    )
    return db.session.scalar(
        sa.select(MergeSuggestion).where(pair, MergeSuggestion.resolved_at.is_(None))
    )
