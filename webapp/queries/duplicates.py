"""Is this person already known? Candidates for a new intake, each with why it matched.

Candidates come from indexed lookups (name words, their sound codes, the phone number), then
are scored here. Clients the user may not see are only counted, never shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import jellyfish
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Case, Client, ClientNameToken, User
from webapp.names import NameToken, tokens_of
from webapp.queries.visibility import client_sightings
from webapp.text import Phrase, phone_digits

RETRIEVE_AT_MOST = 200
SHOW_AT_MOST = 5
SHOW_FROM_SCORE = 2
LIKELY_SCORE = 5
AGE_TOLERANCE_YEARS = 2
TYPO_SIMILARITY = 0.88


@dataclass
class Person:
    """What the intake form knows so far about the person in front of the worker."""

    names: list[str]
    date_of_birth: date | None = None
    approximate_age: int | None = None
    phone: str | None = None


@dataclass
class Candidate:
    client: Client
    score: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def likely(self) -> bool:
        return self.score >= LIKELY_SCORE


@dataclass
class DuplicateCheck:
    candidates: list[Candidate]
    # Likely matches in records this user may not see, known through at least one unrestricted
    # case: only ever described by where they are held (queries.agency), never shown.
    hidden: list[Candidate] = field(default_factory=list)

    @property
    def hidden_likely(self) -> int:
        return len(self.hidden)

    @property
    def has_likely(self) -> bool:
        return self.hidden_likely > 0 or any(candidate.likely for candidate in self.candidates)


def _word_match(
    word: NameToken, theirs: list[NameToken]
) -> tuple[int, str | None, NameToken | None]:
    """How well one typed word matches the client's words: 3 same, 2 sounds alike or a typo."""
    best: tuple[int, str | None, NameToken | None] = (0, None, None)
    for their in theirs:
        if word.token == their.token:
            return 3, None, their
        sounds = word.metaphone and (
            word.metaphone == their.metaphone or word.nysiis == their.nysiis
        )
        typo = (
            len(word.token) >= 4
            and jellyfish.jaro_winkler_similarity(word.token, their.token) >= TYPO_SIMILARITY
        )
        if (sounds or typo) and best[0] < 2:
            best = (2, f"{word.token} ~ {their.token}", their)
    return best


def _score_names(
    person_words: list[NameToken], theirs: list[NameToken], candidate: Candidate
) -> None:
    matches = [_word_match(word, theirs) for word in person_words]
    matched = [m for m in matches if m[0]]
    if not matched:
        return
    exact = all(m[0] == 3 for m in matched) and len(matched) == len(person_words)
    candidate.score += min(sum(m[0] for m in matched), 6)
    if exact:
        candidate.reasons.append(
            Phrase("same name") if len(matched) > 1 else Phrase("same first name or alias")
        )
    else:
        alike = [m[1] for m in matched if m[1]]
        candidate.reasons.append(
            Phrase("name sounds alike (%(names)s)", names=", ".join(alike[:2]))
            if alike
            else Phrase("part of the name matches")
        )


def _swapped(typed_names: list[list[NameToken]], primary: list[NameToken]) -> bool:
    """Typed "Núñez José" for "José Antonio Núñez": the matching words come in reverse order.
    `typed_names` holds each typed name's words; `primary` the client's own name's."""
    for typed in typed_names:
        positions = []
        for word in typed:
            score, _, their = _word_match(word, primary)
            if score:
                positions.append(primary.index(their))
        if (
            len(positions) >= 2
            and positions == sorted(positions, reverse=True)
            and len(set(positions)) > 1
        ):
            return True
    return False


def _score_birth(person: Person, client: Client, candidate: Candidate, today: date) -> None:
    if person.date_of_birth and client.date_of_birth:
        if person.date_of_birth == client.date_of_birth:
            candidate.score += 3
            candidate.reasons.append(Phrase("same date of birth"))
        else:
            candidate.score -= 2
        return
    if person.date_of_birth:
        ours = person.date_of_birth.year
    elif person.approximate_age is not None:
        ours = today.year - person.approximate_age
    else:
        return
    theirs = client.date_of_birth.year if client.date_of_birth else client.estimated_birth_year
    if theirs is None:
        return
    if abs(ours - theirs) > AGE_TOLERANCE_YEARS:
        candidate.score -= 1
    elif client.date_of_birth:
        candidate.score += 1
        candidate.reasons.append(Phrase("age fits their date of birth"))
    else:
        candidate.score += 1
        candidate.reasons.append(
            Phrase("similar age")
            if person.date_of_birth is None
            else Phrase("date of birth fits their estimated age")
        )


# How much a matched word counts when choosing which clients to score: the same word over a
# word that only sounds alike; the same phone number as much as two names.
SAME_WORD, SOUNDS_ALIKE, SAME_PHONE = 2, 1, 4


def _strongest_matches(person_words: list[NameToken], digits: str | None) -> sa.Select | None:
    """The ids of the RETRIEVE_AT_MOST clients who match the most of what was typed, strongest
    first. Only these are scored: at 100,000 clients a common first name or a sound code
    matches thousands, and an arbitrary two hundred of them could leave out the one person with
    the very same name and phone number."""
    parts: list[sa.Select] = []
    if person_words:
        tokens = [word.token for word in person_words]
        codes = [code for word in person_words for code in (word.metaphone, word.nysiis) if code]
        parts.append(
            sa.select(
                ClientNameToken.client_id.label("id"),
                sa.case((ClientNameToken.token.in_(tokens), SAME_WORD), else_=SOUNDS_ALIKE).label(
                    "weight"
                ),
            ).where(
                sa.or_(
                    ClientNameToken.token.in_(tokens),
                    ClientNameToken.metaphone.in_(codes),
                    ClientNameToken.nysiis.in_(codes),
                )
            )
        )
    if digits and len(digits) >= 7:
        parts.append(
            sa.select(Client.id.label("id"), sa.literal(SAME_PHONE).label("weight")).where(
                Client.phone_digits == digits
            )
        )
    if not parts:
        return None
    # The OFFSET keeps SQLite from folding the matches into the grouping, which it then did by
    # walking every name word in client order instead of the three indexes the matches use.
    matched = (parts[0].offset(0) if len(parts) == 1 else sa.union_all(*parts)).subquery()
    # Merged records are few (and indexed): asked for apart, not by joining every match to
    # `clients`, which PostgreSQL did by reading the whole table.
    merged = sa.select(Client.id).where(Client.merged_into_id.is_not(None))
    return (
        sa.select(matched.c.id)
        .where(matched.c.id.not_in(merged))
        .group_by(matched.c.id)
        .order_by(sa.func.sum(matched.c.weight).desc(), matched.c.id)
        .limit(RETRIEVE_AT_MOST)
    )


def check(user: User, person: Person, today: date) -> DuplicateCheck:
    person_words = tokens_of(person.names)
    digits = phone_digits(person.phone)
    ranked = _strongest_matches(person_words, digits)
    if ranked is None:
        return DuplicateCheck([])
    clients = db.session.scalars(sa.select(Client).where(Client.id.in_(ranked))).all()
    # Their name words as plain rows, in one statement: up to 200 clients' words are read only
    # to be compared, never changed, so they need not become objects.
    words_of: dict[int, list[NameToken]] = {client.id: [] for client in clients}
    if clients:
        for client_id, *word in db.session.execute(
            sa.select(
                ClientNameToken.client_id,
                ClientNameToken.token,
                ClientNameToken.metaphone,
                ClientNameToken.nysiis,
            )
            .where(ClientNameToken.client_id.in_(words_of))
            .order_by(ClientNameToken.client_id, ClientNameToken.id)
        ):
            words_of[client_id].append(NameToken(*word))
    typed_names = [tokens_of([name]) for name in person.names]
    # Many candidates share a name (37 "Li Smith" among 30,000 clients): its words, once.
    primary_words: dict[str, list[NameToken]] = {}

    scored: list[Candidate] = []
    for client in clients:
        candidate = Candidate(client)
        _score_names(person_words, words_of[client.id], candidate)
        primary = client.legal_name or client.preferred_name
        if primary not in primary_words:
            primary_words[primary] = tokens_of([primary])
        if candidate.reasons and _swapped(typed_names, primary_words[primary]):
            candidate.reasons.append(Phrase("first and last names swapped"))
        if digits and client.phone_digits == digits:
            candidate.score += 4
            candidate.reasons.append(Phrase("same phone number"))
        if candidate.reasons:
            _score_birth(person, client, candidate, today)
            scored.append(candidate)
    scored.sort(key=lambda c: (-c.score, c.client.id))
    scored = [c for c in scored if c.score >= SHOW_FROM_SCORE]

    # Whether the user may open each, and whether it is known through anything unrestricted: one
    # statement over the candidates' own cases and screenings, whatever their number.
    # A likely match the worker may not open is counted, never named, so no second record is made;
    # a client known only through restricted cases is not even counted: restricted means restricted.
    # Someone known through a screening that opened no case (waiting for a place, not eligible) is
    # told too: a screening is never restricted.
    visible_ids: set[int] = set()
    unrestricted_ids: set[int] = set()
    if scored:
        for client_id, seen, unrestricted in db.session.execute(
            client_sightings(
                user,
                [c.client.id for c in scored],
                case_column=Case.restricted.is_(False),
                screening_column=sa.true(),
            )
        ):
            if seen:
                visible_ids.add(client_id)
            if unrestricted:
                unrestricted_ids.add(client_id)
    shown = [c for c in scored if c.client.id in visible_ids][:SHOW_AT_MOST]
    hidden = [
        c
        for c in scored
        if c.likely and c.client.id not in visible_ids and c.client.id in unrestricted_ids
    ]
    return DuplicateCheck(shown, hidden)
