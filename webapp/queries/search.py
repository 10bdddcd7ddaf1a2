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


# Up to this many name matches are looked up first and handed to the main query as a list.
NAME_MATCHES_LISTED = 1000


def _clients_named(name_words: list[str]) -> list[int] | sa.Select:
    """Clients with a name or alias starting with every word typed, in any order.

    The words' matches are intersected on their own first: the database cannot guess how few
    clients are called both "Maria" and "Garcia", and with 100,000 clients it otherwise checks
    every Maria's cases before it learns. A handful of IDs (the usual answer to a full name) go
    to the main query as a list; a short prefix matching thousands stays a subquery."""
    per_word = [
        sa.select(ClientNameToken.client_id).where(_prefix_range(ClientNameToken.token, word))
        for word in name_words
    ]
    matching = per_word[0] if len(per_word) == 1 else sa.intersect(*per_word)
    ids = list(
        db.session.scalars(sa.select(matching.subquery().c[0]).limit(NAME_MATCHES_LISTED + 1))
    )
    return ids if len(ids) <= NAME_MATCHES_LISTED else matching


def _matching_ids(query: str) -> sa.ColumnElement[bool] | None:
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
        # The start of an ID read out over the phone.
        prefix = compact.upper().translate(str.maketrans("OIL", "011"))
        conditions.append(_prefix_range(Client.persistent_id, prefix))
    digits = re.sub(r"\D", "", query)
    if len(digits) >= 4 and len(digits) >= len(compact) - 2:
        conditions.append(Client.phone_digits.contains(digits, autoescape=True))
    name_words = words(query)[:MAX_QUERY_WORDS]
    if name_words:
        conditions.append(Client.id.in_(_clients_named(name_words)))
    return sa.or_(*conditions) if conditions else None


def _name_order(query: str) -> sa.ColumnElement[str]:
    """How results are put in name order, which decides how the database finds them.

    A single letter matches most clients: walking the name index until a page of them is found
    is quickest. Anything longer matches a few percent or fewer, and walking the name index
    would pass tens of thousands of clients before the page is full (a two-letter prefix, on
    100,000 clients): sorted by an expression no index holds, the matches are found first
    (through the name tokens, then the visibility rule) and only they are sorted."""
    if all(len(word) == 1 for word in words(query)):
        return Client.name_key
    return Client.name_key + ""


def search_clients(user: User, query: str, page: int = 1, page_size: int = 25) -> SearchPage:
    query = query.strip()[:MAX_QUERY_LENGTH]
    matching = _matching_ids(query) if query else None
    if matching is None:
        return SearchPage([], 1, False)
    visible = visible_clients(user)
    rows = db.session.scalars(
        sa.select(Client)
        .where(matching, visible, Client.merged_into_id.is_(None))
        .options(so.selectinload(Client.aliases))
        .order_by(_name_order(query), Client.id)
        .offset((page - 1) * page_size)
        .limit(page_size + 1)
    ).all()
    return SearchPage(list(rows[:page_size]), page, len(rows) > page_size)
