"""closed-loop referrals: the provider's link, messages through it, the provider's commitment,
what a service's slip says, and the worker's phone

Revision ID: f1a2b3c4d5e6
Revises: e3f5a7c9b1d2
Create Date: 2026-12-06 20:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f1a2b3c4d5e6"
down_revision = "e3f5a7c9b1d2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "provider_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("name_shown", sa.String(length=32), nullable=False),
        sa.Column("show_reason", sa.Boolean(), nullable=False),
        sa.Column("show_contact", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_provider_links_referral_id_referrals"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_provider_links_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["users.id"],
            name=op.f("fk_provider_links_revoked_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_provider_links_token_hash")),
    )
    op.create_index(
        op.f("ix_provider_links_referral_id"), "provider_links", ["referral_id"], unique=False
    )
    op.create_table(
        "referral_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("from_provider", sa.Boolean(), nullable=False),
        sa.Column("status_change_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_messages_referral_id_referrals"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["provider_links.id"],
            name=op.f("fk_referral_messages_link_id_provider_links"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["status_change_id"],
            ["referral_status_changes.id"],
            name=op.f("fk_referral_messages_status_change_id_referral_status_changes"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"],
            ["users.id"],
            name=op.f("fk_referral_messages_sent_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_messages")),
    )
    op.create_index(
        op.f("ix_referral_messages_referral_id"),
        "referral_messages",
        ["referral_id"],
        unique=False,
    )
    op.create_index(
        "ix_referral_messages_unseen",
        "referral_messages",
        ["from_provider", "seen_at"],
        unique=False,
    )
    with op.batch_alter_table("referrals") as batch:
        batch.add_column(
            sa.Column("provider_commitment", sa.Text(), server_default="", nullable=False)
        )
        batch.add_column(sa.Column("provider_commitment_by", sa.Date(), nullable=True))
    with op.batch_alter_table("services") as batch:
        batch.add_column(
            sa.Column("hours", sa.String(length=500), server_default="", nullable=False)
        )
        batch.add_column(sa.Column("what_to_bring", sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("work_phone", sa.String(length=40), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("work_phone")
    with op.batch_alter_table("services") as batch:
        batch.drop_column("what_to_bring")
        batch.drop_column("hours")
    with op.batch_alter_table("referrals") as batch:
        batch.drop_column("provider_commitment_by")
        batch.drop_column("provider_commitment")
    op.drop_index("ix_referral_messages_unseen", table_name="referral_messages")
    op.drop_index(op.f("ix_referral_messages_referral_id"), table_name="referral_messages")
    op.drop_table("referral_messages")
    op.drop_index(op.f("ix_provider_links_referral_id"), table_name="provider_links")
    op.drop_table("provider_links")
