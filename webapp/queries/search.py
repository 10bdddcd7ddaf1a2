"""Finding clients by name, alias, phone or persistent ID, within what the user may see."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp import client_ids
from webapp.extensions import db
from webapp.models import Client, ClientNameToken, User
from webapp.names import words
from webapp.queries.visibility import visible_clients

MAX_QUERY_LENGTH = 100
MAX_QUERY_WORDS = 5
_ID_LIKE = re.compile(r"^[0-9A-Za-z]{4,9}$")


@dataclass(frozen=True)
class SearchPage:
    clients: list[Client]
    page: int
    has_next: bool


def _prefix_range(column: sa.ColumnElement[str], prefix: str) -> sa.ColumnElement[bool]:
    """column starts with prefix, written as a range so a plain b-tree index serves it."""
    return sa.and_(column >= prefix, column < prefix + "\U0010ffff")


def _id_and_phone(query: str) -> list[sa.ColumnElement[bool]]:
    """Conditions over `Client` for a persistent ID (whole, or its start read out over the phone)
    and for phone digits."""
    conditions: list[sa.ColumnElement[bool]] = []
    compact = re.sub(r"[\s\-]", "", query)
    if client_ids.is_valid(compact):
        typed = client_ids.parse(compact)
        conditions.append(Client.persistent_id == typed)
        # A merged duplicate's ID finds the record it was merged into.
        duplicate = so.aliased(Client)
        merged_into = sa.select(duplicate.merged_into_id).where(duplicate.persistent_id == typed)
        conditions.append(Client.id == merged_into.scalar_subquery())
    elif _ID_LIKE.match(compact):
        prefix = compact.upper().translate(str.maketrans("OIL", "011"))
        conditions.append(_prefix_range(Client.persistent_id, prefix))
    digits = re.sub(r"\D", "", query)
    if len(digits) >= 4 and len(digits) >= len(compact) - 2:
        conditions.append(Client.phone_digits.contains(digits, autoescape=True))
    return conditions


def _matches_in_name_order(query: str) -> sa.Subquery | None:
    """(id, name_key) of every client the query matches, in name order: from the name words' own
    rows (each carries its client's name_key), and from clients for an ID or phone number.

    The OFFSET keeps the database from folding this into the outer query and planning it around
    the name index or the visible set."""
    parts: list[sa.Select] = []
    conditions = _id_and_phone(query)
    if conditions:
        parts.append(
            sa.select(Client.id.label("id"), Client.name_key.label("name_key")).where(
                sa.or_(*conditions)
            )
        )
    name_words = words(query)[:MAX_QUERY_WORDS]
    if name_words:
        per_word = [
            sa.select(
                ClientNameToken.client_id.label("id"), ClientNameToken.name_key.label("name_key")
            ).where(_prefix_range(ClientNameToken.token, word))
            for word in name_words
        ]
        if len(per_word) == 1:
            parts.append(per_word[0])
        else:  # a compound of its own: SQLite takes no parentheses around one inside a union
            both = sa.intersect(*per_word).subquery()
            parts.append(sa.select(both.c.id, both.c.name_key))
    if not parts:
        return None
    matches = (parts[0] if len(parts) == 1 else sa.union(*parts)).subquery()
    return (
        sa.select(matches.c.id, matches.c.name_key)
        .distinct()
        .order_by(matches.c.name_key, matches.c.id)
        .offset(0)
        .subquery()
    )


def search_clients(user: User, query: str, page: int = 1, page_size: int = 25) -> SearchPage:
    query = query.strip()[:MAX_QUERY_LENGTH]
    found = _found(query, visible_clients(user)) if query else None
    if found is None:
        return SearchPage([], 1, False)
    rows = db.session.scalars(
        found.options(so.selectinload(Client.aliases))
        .offset((page - 1) * page_size)
        .limit(page_size + 1)
    ).all()
    return SearchPage(list(rows[:page_size]), page, len(rows) > page_size)


def _found(query: str, visible: sa.ColumnElement[bool]) -> sa.Select | None:
    """The visible clients the query finds, in name order; None when it can find nobody.

    The matches first, in name order on their own; then the visibility rule is asked of them in
    that order, only until the page is full. A short prefix among 100,000 clients is a few
    thousand name words sorted and a few dozen visibility checks, whoever searches: a worker, or
    a supervisor who sees twenty thousand clients. (Walking the name index instead, checking
    each client as it passes, was slower for every prefix but the commonest single letters, and
    several times slower for two letters.)"""
    matches = _matches_in_name_order(query)
    if matches is None:
        return None
    return (
        sa.select(Client)
        .join(matches, matches.c.id == Client.id)
        .where(visible, Client.merged_into_id.is_(None))
        .order_by(matches.c.name_key, matches.c.id)
    )
