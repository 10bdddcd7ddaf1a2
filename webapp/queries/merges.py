"""Records merged into a client: their IDs still lead here, and a recent merge can be undone."""

from __future__ import annotations

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Client, ClientMerge, MergeSuggestion, User
from webapp.queries.visibility import may_merge, visible_client_ids


def merges_into(client: Client) -> list[ClientMerge]:
    return list(
        db.session.scalars(
            sa.select(ClientMerge)
            .where(ClientMerge.survivor_id == client.id, ClientMerge.undone_at.is_(None))
            .order_by(ClientMerge.merged_at.desc())
        )
    )


def open_suggestions_for(user: User, limit: int = 50) -> list[MergeSuggestion]:
    """Suggestions nobody has answered yet about two records `user` may see and merge, oldest
    first. Seeing both is asked of the database (the one visibility rule): a record known only
    through a restricted case the user cannot open is never named to them."""
    seen = visible_client_ids(user)
    suggestions = db.session.scalars(
        sa.select(MergeSuggestion)
        .where(
            MergeSuggestion.resolved_at.is_(None),
            MergeSuggestion.client_id.in_(seen),
            MergeSuggestion.other_id.in_(seen),
        )
        .order_by(MergeSuggestion.created_at)
        .limit(limit)
    ).all()
    mergeable: dict[int, bool] = {}

    def may(client: Client) -> bool:
        if client.id not in mergeable:
            mergeable[client.id] = may_merge(user, client)
        return mergeable[client.id]

    return [s for s in suggestions if may(s.client) and may(s.other)]


def suggestion_for(client: Client, other: Client) -> MergeSuggestion | None:
    pair = sa.or_(
        sa.and_(MergeSuggestion.client_id == client.id, MergeSuggestion.other_id == other.id),
        sa.and_(MergeSuggestion.client_id == other.id, MergeSuggestion.other_id == client.id),
    )
    return db.session.scalar(
        sa.select(MergeSuggestion).where(pair, MergeSuggestion.resolved_at.is_(None))
    )
