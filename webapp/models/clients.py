"""The person: one persistent record from first contact onwards, and their consents."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp import client_ids
from webapp.extensions import db
from webapp.models.types import N_, LabelledEnum, UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from webapp.models.accounts import User
    from webapp.models.cases import Case
    from webapp.models.programs import Program
    from webapp.models.referrals import Provider


class Client(db.Model):
    __tablename__ = "clients"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # Canonical form, no dashes (see webapp.client_ids); assigned at first contact, never reused.
    persistent_id: so.Mapped[str] = so.mapped_column(
        sa.String(client_ids.CANONICAL_LENGTH), unique=True
    )
    # The name the person asks to be called: a first name, a street name or an alias.
    preferred_name: so.Mapped[str] = so.mapped_column(sa.String(200))
    legal_name: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    # Accent- and case-folded names and aliases, kept by the service layer for search.
    name_key: so.Mapped[str] = so.mapped_column(sa.String(1000), default="", index=True)
    date_of_birth: so.Mapped[date | None]
    # When only an approximate age is known, the year of birth it implies.
    estimated_birth_year: so.Mapped[int | None]
    language: so.Mapped[str | None] = so.mapped_column(sa.String(35))
    phone: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    # Digits only, for search and duplicate checks.
    phone_digits: so.Mapped[str | None] = so.mapped_column(sa.String(20), index=True)
    safe_to_call: so.Mapped[bool | None]
    safe_to_text: so.Mapped[bool | None]
    contact_notes: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # A merged duplicate stays resolvable: its persistent ID leads to the survivor.
    merged_into_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("clients.id", ondelete="RESTRICT"), index=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Set by a retention run: names, birth date, contact details and free text were replaced.
    anonymised_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    version: so.Mapped[int] = so.mapped_column(default=1)

    aliases: so.Mapped[list[ClientAlias]] = so.relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="ClientAlias.id"
    )
    cases: so.Mapped[list[Case]] = so.relationship(
        back_populates="client", order_by="Case.opened_at.desc()"
    )
    consents: so.Mapped[list[Consent]] = so.relationship(
        back_populates="client", order_by="Consent.given_at.desc()"
    )
    name_tokens: so.Mapped[list[ClientNameToken]] = so.relationship(cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def display_id(self) -> str:
        return client_ids.display(self.persistent_id)

    def __repr__(self) -> str:
        return f"<Client {self.id} {self.persistent_id}>"


class ClientAlias(db.Model):
    __tablename__ = "client_aliases"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("clients.id", ondelete="CASCADE"), index=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(200))

    client: so.Mapped[Client] = so.relationship(back_populates="aliases")


class ClientNameToken(db.Model):
    """One word of one of a client's names, folded and with its sound codes: what search and
    the duplicate check look up through an index instead of scanning every client."""

    __tablename__ = "client_name_tokens"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("clients.id", ondelete="CASCADE"), index=True
    )
    token: so.Mapped[str] = so.mapped_column(sa.String(100), index=True)
    metaphone: so.Mapped[str] = so.mapped_column(sa.String(40), index=True)
    nysiis: so.Mapped[str] = so.mapped_column(sa.String(40), index=True)
    # The client's own name_key, kept beside each word: a search on a short prefix puts its
    # matches in name order from these rows alone, without reading thousands of clients first.
    name_key: so.Mapped[str] = so.mapped_column(sa.String(1000), default="")


class ConsentScope(LabelledEnum):
    DATA_COLLECTION = "data_collection", N_("Record and keep their information")
    AGENCY_SHARING = "agency_sharing", N_("Share within the agency")
    SHARING = "sharing", N_("Share with a named provider")
    CONTACT_PHONE = "contact_phone", N_("Be contacted by phone call")
    CONTACT_TEXT = "contact_text", N_("Be contacted by text message")
    CONTACT_PUSH = "contact_push", N_("Be contacted by app notification")
    # What lets the worker talk with the people in their network about them (issue 19).
    CONTACT_NETWORK = "contact_network", N_("Let us talk with people close to them about them")
    # What lets the HMIS export include them (issue 23).
    HMIS_SHARING = "hmis_sharing", N_("Share with the HUD homeless data system (HMIS)")


class ConsentMethod(LabelledEnum):
    VERBAL = "verbal", N_("Verbal, recorded by the worker")
    SIGNED = "signed", N_("Written: a signed form")
    SELF_INTAKE = "self_intake", N_("Given in the self-intake form")


class Consent(db.Model):
    __tablename__ = "consents"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("clients.id", ondelete="RESTRICT"), index=True
    )
    # The case it was recorded in: only those who may see that case see the consent.
    case_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )
    scope: so.Mapped[ConsentScope] = so.mapped_column(enum_column(ConsentScope))
    # Sharing consents name the provider they allow.
    provider_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("providers.id", ondelete="RESTRICT")
    )
    # Sharing within the agency names its programs, or all of them.
    all_programs: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    method: so.Mapped[ConsentMethod] = so.mapped_column(enum_column(ConsentMethod))
    # Who else heard a verbal consent given.
    witness: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    given_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    expires_on: so.Mapped[date | None]
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revoked_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    revocation_note: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    client: so.Mapped[Client] = so.relationship(back_populates="consents")
    provider: so.Mapped[Provider | None] = so.relationship()
    programs: so.Mapped[list[Program]] = so.relationship(
        secondary=lambda: consent_programs, order_by="Program.name"
    )

    def is_in_force(self, today: date) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_on is None or self.expires_on >= today


consent_programs = sa.Table(
    "consent_programs",
    db.metadata,
    sa.Column("consent_id", sa.ForeignKey("consents.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "program_id",
        sa.ForeignKey("programs.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)


class ClientMerge(db.Model):
    """Two records of one person made one: what moved to the survivor, and how the survivor
    looked before, so the merge can be undone for a while."""

    __tablename__ = "client_merges"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    survivor_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("clients.id", ondelete="RESTRICT"), index=True
    )
    merged_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("clients.id", ondelete="RESTRICT"), index=True
    )
    merged_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    merged_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # The survivor's details before the merge: {field: value, "aliases": [...]} (JSON types).
    survivor_before: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    # Row ids re-pointed at the survivor, by table: {"cases": [..], "consents": [..], ...}.
    moved: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    undone_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    undone_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    survivor: so.Mapped[Client] = so.relationship(foreign_keys=[survivor_id])
    merged: so.Mapped[Client] = so.relationship(foreign_keys=[merged_id])


class MergeSuggestion(db.Model):
    """A worker's "these two records are one person", waiting on the Today of whoever may merge
    them."""

    __tablename__ = "merge_suggestions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("clients.id", ondelete="RESTRICT"), index=True
    )
    other_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("clients.id", ondelete="RESTRICT"), index=True
    )
    suggested_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Merged, or found to be two people: either way it leaves Today.
    resolved_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True)
    resolved_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    merged: so.Mapped[bool] = so.mapped_column(default=False)

    client: so.Mapped[Client] = so.relationship(foreign_keys=[client_id])
    other: so.Mapped[Client] = so.relationship(foreign_keys=[other_id])
    suggested_by: so.Mapped[User | None] = so.relationship(foreign_keys=[suggested_by_id])
