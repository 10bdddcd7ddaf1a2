"""Two records of one person made one, and undone within a month.

Every table that points at a client is either moved to the survivor row by row (and the ids kept,
so an undo moves exactly those back), or rebuilt from the survivor's chosen names. A new table
with a `client_id` must be added to one of these, or tests/test_merge.py fails.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    AuditAction,
    Case,
    Client,
    ClientMerge,
    ClientRelationship,
    Consent,
    Document,
    HouseholdMember,
    IntakeScreening,
    Invitation,
    LegalHold,
    MergeSuggestion,
    User,
    utcnow,
)
from webapp.services import audit, clients
from webapp.text import Phrase

# Rows that belong to the person, re-pointed at the survivor.
MOVED = {
    "cases": Case,
    "consents": Consent,
    "documents": Document,
    "invitations": Invitation,
    "household_members": HouseholdMember,
    "client_relationships": ClientRelationship,
    "intake_screenings": IntakeScreening,
    "legal_holds": LegalHold,
}
# Rows made from the client's own names, rebuilt when the names change.
REBUILT = {"client_aliases", "client_name_tokens"}
# Pointers between client records: a merge's own, `clients.merged_into_id`, and suggestions to
# merge (answered for this pair, re-pointed for any other).
POINTERS = {"clients", "client_merges", "merge_suggestions"}
SUGGESTION_ENDS = (MergeSuggestion.client_id, MergeSuggestion.other_id)
# Someone else's network naming this client: re-pointed at the survivor (issue 19).
OTHER_ENDS = {"client_relationships.other_client_id": ClientRelationship.other_client_id}
HANDLED = set(MOVED) | REBUILT | POINTERS

# What a person chooses between, field by field.
FIELDS = (
    "preferred_name",
    "legal_name",
    "date_of_birth",
    "estimated_birth_year",
    "language",
    "phone",
    "safe_to_call",
    "safe_to_text",
    "contact_notes",
)
UNDO_WITHIN = timedelta(days=30)


class MergeError(ValueError):
    """A merge or an undo that cannot be made; the message says why."""


def _stored(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _loaded(field: str, value: Any) -> Any:
    return date.fromisoformat(value) if field == "date_of_birth" and value else value


def _details(client: Client) -> dict[str, Any]:
    return {field: getattr(client, field) for field in FIELDS}


def merge_clients(
    survivor: Client, merged: Client, *, take_from_merged: set[str], merged_by: User
) -> ClientMerge:
    """Make `merged` part of `survivor`: its cases, consents and invitations move, its names
    become the survivor's aliases, and its ID leads to the survivor from now on."""
    if survivor.id == merged.id:
        raise MergeError(Phrase("Choose two different records."))
    if survivor.merged_into_id is not None or merged.merged_into_id is not None:
        raise MergeError(Phrase("One of these records was already merged into another."))
    if take_from_merged - set(FIELDS):
        raise MergeError(Phrase("Choose among the fields shown."))
    before = {field: _stored(value) for field, value in _details(survivor).items()}
    before["aliases"] = [alias.name for alias in survivor.aliases]

    chosen = _details(survivor)
    for field in take_from_merged:
        chosen[field] = getattr(merged, field)
    # Every name either record was known by stays searchable on the survivor.
    names = [
        merged.preferred_name,
        merged.legal_name or "",
        survivor.preferred_name,
        survivor.legal_name or "",
        *(alias.name for alias in survivor.aliases),
        *(alias.name for alias in merged.aliases),
    ]
    kept = {chosen["preferred_name"].casefold(), (chosen["legal_name"] or "").casefold()}
    aliases: list[str] = []
    for name in names:
        if name and name.casefold() not in kept:
            kept.add(name.casefold())
            aliases.append(name)
    clients.update_client(
        survivor,
        clients.ClientDetails(aliases=aliases, **chosen),
        expected_version=survivor.version,
        changed_by=merged_by,
    )

    moved: dict[str, list[int]] = {}
    for table, model in MOVED.items():
        ids = list(db.session.scalars(sa.select(model.id).where(model.client_id == merged.id)))
        if ids:
            db.session.execute(
                sa.update(model).where(model.id.in_(ids)).values(client_id=survivor.id)
            )
        moved[table] = ids
    # Records merged into this one earlier now lead straight to the survivor.
    earlier = list(
        db.session.scalars(sa.select(Client.id).where(Client.merged_into_id == merged.id))
    )
    if earlier:
        db.session.execute(
            sa.update(Client).where(Client.id.in_(earlier)).values(merged_into_id=survivor.id)
        )
    moved["clients"] = earlier
    merged.merged_into_id = survivor.id
    this_pair = sa.or_(
        sa.and_(MergeSuggestion.client_id == survivor.id, MergeSuggestion.other_id == merged.id),
        sa.and_(MergeSuggestion.client_id == merged.id, MergeSuggestion.other_id == survivor.id),
    )
    db.session.execute(
        sa.update(MergeSuggestion)
        .where(this_pair, MergeSuggestion.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=merged_by.id, merged=True)
    )
    for end in SUGGESTION_ENDS:
        ids = list(db.session.scalars(sa.select(MergeSuggestion.id).where(end == merged.id)))
        if ids:
            db.session.execute(
                sa.update(MergeSuggestion)
                .where(MergeSuggestion.id.in_(ids))
                .values({end.key: survivor.id})
            )
        moved[f"merge_suggestions.{end.key}"] = ids
    for key, column in OTHER_ENDS.items():
        ids = list(db.session.scalars(sa.select(ClientRelationship.id).where(column == merged.id)))
        if ids:
            db.session.execute(
                sa.update(ClientRelationship)
                .where(ClientRelationship.id.in_(ids))
                .values({column.key: survivor.id})
            )
        moved[key] = ids

    record = ClientMerge(
        survivor_id=survivor.id,
        merged_id=merged.id,
        merged_by_id=merged_by.id,
        survivor_before=before,
        moved=moved,
    )
    db.session.add(record)
    db.session.flush()
    db.session.expire(survivor)
    db.session.expire(merged)
    audit.record(AuditAction.MERGE, "client", merged.id, user=merged_by)
    audit.record(AuditAction.MERGE, "client", survivor.id, user=merged_by)
    return record


def suggest(client: Client, other: Client, *, suggested_by: User, note: str) -> MergeSuggestion:
    """Ask whoever may merge these two records to look at them."""
    if client.id == other.id:
        raise MergeError(Phrase("Choose two different records."))
    if client.merged_into_id is not None or other.merged_into_id is not None:
        raise MergeError(Phrase("One of these records was already merged into another."))
    open_pair = db.session.scalar(
        sa.select(MergeSuggestion).where(
            MergeSuggestion.resolved_at.is_(None),
            sa.or_(
                sa.and_(
                    MergeSuggestion.client_id == client.id, MergeSuggestion.other_id == other.id
                ),
                sa.and_(
                    MergeSuggestion.client_id == other.id, MergeSuggestion.other_id == client.id
                ),
            ),
        )
    )
    if open_pair is not None:
        return open_pair  # already waiting: a second tap asks nothing new
    suggestion = MergeSuggestion(
        client_id=client.id, other_id=other.id, suggested_by_id=suggested_by.id, note=note.strip()
    )
    db.session.add(suggestion)
    db.session.flush()
    audit.record(AuditAction.CREATE, "merge_suggestion", suggestion.id, user=suggested_by)
    return suggestion


def dismiss(suggestion: MergeSuggestion, *, dismissed_by: User) -> None:
    """Two people after all: the suggestion leaves Today."""
    if suggestion.resolved_at is None:
        suggestion.resolved_at, suggestion.resolved_by_id = utcnow(), dismissed_by.id
        db.session.flush()
        audit.record(AuditAction.UPDATE, "merge_suggestion", suggestion.id, user=dismissed_by)


def can_undo(merge: ClientMerge, now: datetime) -> bool:
    return merge.undone_at is None and now - merge.merged_at <= UNDO_WITHIN


def undo_merge(merge: ClientMerge, *, undone_by: User) -> None:
    """Put back what the merge moved and the survivor's details as they were. What was added to
    the survivor since stays with it."""
    now = utcnow()
    if not can_undo(merge, now):
        raise MergeError(Phrase("This merge can no longer be undone."))
    survivor, merged = merge.survivor, merge.merged
    for table, model in MOVED.items():
        ids = merge.moved.get(table, [])
        if ids:
            db.session.execute(
                sa.update(model)
                .where(model.id.in_(ids), model.client_id == survivor.id)
                .values(client_id=merged.id)
            )
    earlier = merge.moved.get("clients", [])
    if earlier:
        db.session.execute(
            sa.update(Client)
            .where(Client.id.in_(earlier), Client.merged_into_id == survivor.id)
            .values(merged_into_id=merged.id)
        )
    for end in SUGGESTION_ENDS:
        ids = merge.moved.get(f"merge_suggestions.{end.key}", [])
        if ids:
            db.session.execute(
                sa.update(MergeSuggestion)
                .where(MergeSuggestion.id.in_(ids), end == survivor.id)
                .values({end.key: merged.id})
            )
    for key, column in OTHER_ENDS.items():
        ids = merge.moved.get(key, [])
        if ids:
            db.session.execute(
                sa.update(ClientRelationship)
                .where(ClientRelationship.id.in_(ids), column == survivor.id)
                .values({column.key: merged.id})
            )
    merged.merged_into_id = None
    before = dict(merge.survivor_before)
    aliases = before.pop("aliases", [])
    details = {field: _loaded(field, before.get(field)) for field in FIELDS}
    details["contact_notes"] = details["contact_notes"] or ""
    db.session.expire(survivor)
    clients.update_client(
        survivor,
        clients.ClientDetails(aliases=aliases, **details),
        expected_version=survivor.version,
        changed_by=undone_by,
    )
    merge.undone_at, merge.undone_by_id = now, undone_by.id
    db.session.flush()
    db.session.expire(merged)
    audit.record(AuditAction.UNMERGE, "client", merged.id, user=undone_by)
    audit.record(AuditAction.UNMERGE, "client", survivor.id, user=undone_by)
