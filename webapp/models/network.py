"""The client's people: the households they live in and the network around them."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models.clients import Client
from webapp.models.types import N_, LabelledEnum, UTCDateTime, enum_column, utcnow


class RelationshipKind(LabelledEnum):
    PARENT = "parent", N_("Parent")
    CHILD = "child", N_("Child")
    PARTNER = "partner", N_("Partner")
    SIBLING = "sibling", N_("Brother or sister")
    OTHER_FAMILY = "other_family", N_("Other family")
    FRIEND = "friend", N_("Friend")
    NEIGHBOUR = "neighbour", N_("Neighbour")
    LANDLORD = "landlord", N_("Landlord")
    EMPLOYER = "employer", N_("Employer")
    FAITH_COMMUNITY = "faith_community", N_("Faith community")
    OTHER = "other", N_("Other")


class Household(db.Model):
    """A small group of people who live together: a name or an address line, and its members."""

    __tablename__ = "households"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    members: so.Mapped[list[HouseholdMember]] = so.relationship(
        back_populates="household", order_by="HouseholdMember.id"
    )


class HouseholdMember(db.Model):
    """One person's membership of one household, with dates: a client (their own ID and cases)
    or someone who is not a client (a name and a birth year, never an ID)."""

    __tablename__ = "household_members"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    household_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("households.id", ondelete="RESTRICT"), index=True
    )
    client_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("clients.id", ondelete="RESTRICT"), index=True
    )
    # Someone who is not a client: what they are called.
    name: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    birth_year: so.Mapped[int | None]
    # Their relationship to the household's contact person (none for the contact person).
    relationship: so.Mapped[RelationshipKind | None] = so.mapped_column(
        enum_column(RelationshipKind)
    )
    is_contact: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    lives_there: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    # May the worker talk with them about the client (only with a consent in force).
    can_contact: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    joined_on: so.Mapped[date | None]
    left_on: so.Mapped[date | None]
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    household: so.Mapped[Household] = so.relationship(back_populates="members")
    client: so.Mapped[Client | None] = so.relationship()

    __table_args__ = (
        sa.CheckConstraint("client_id IS NOT NULL OR name <> ''", name="client_or_name"),
        sa.CheckConstraint(
            "left_on IS NULL OR joined_on IS NULL OR left_on >= joined_on", name="left_after_joined"
        ),
    )

    @property
    def is_current(self) -> bool:
        return self.left_on is None


class ClientRelationship(db.Model):
    """Someone in a client's network, as the client's worker recorded it: another client or a
    person named here (a landlord, a friend, the church)."""

    __tablename__ = "client_relationships"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("clients.id", ondelete="RESTRICT"), index=True
    )
    kind: so.Mapped[RelationshipKind] = so.mapped_column(enum_column(RelationshipKind))
    other_client_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("clients.id", ondelete="RESTRICT"), index=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    how_to_reach: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    can_contact: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    ended_on: so.Mapped[date | None]
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    client: so.Mapped[Client] = so.relationship(foreign_keys=[client_id])
    other_client: so.Mapped[Client | None] = so.relationship(foreign_keys=[other_client_id])

    __table_args__ = (
        sa.CheckConstraint("other_client_id IS NOT NULL OR name <> ''", name="client_or_name"),
    )
