"""Records merged into a client: their IDs still lead here, and a recent merge can be undone."""

from __future__ import annotations

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Client, ClientMerge


def merges_into(client: Client) -> list[ClientMerge]:
    return list(
        db.session.scalars(
            sa.select(ClientMerge)
            .where(ClientMerge.survivor_id == client.id, ClientMerge.undone_at.is_(None))
            .order_by(ClientMerge.merged_at.desc())
        )
    )
