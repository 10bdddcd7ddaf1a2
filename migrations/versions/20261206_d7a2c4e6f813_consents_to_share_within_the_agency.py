"""consents: sharing within the agency (named programs or all), and who witnessed a verbal one;
client merges, with what moved so a merge can be undone, and suggestions to merge; the consent a
referral relied on

Revision ID: d7a2c4e6f813
Revises: 3a1f0c9b7d21
Create Date: 2026-12-06 18:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d7a2c4e6f813"
down_revision = "3a1f0c9b7d21"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("all_programs", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("witness", sa.String(length=200), server_default="", nullable=False)
        )
    op.create_table(
        "consent_programs",
        sa.Column("consent_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_id"],
            ["consents.id"],
            name=op.f("fk_consent_programs_consent_id_consents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_consent_programs_program_id_programs"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("consent_id", "program_id", name=op.f("pk_consent_programs")),
    )
    with op.batch_alter_table("consent_programs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_programs_program_id"), ["program_id"], unique=False
        )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_referrals_consent_id"), ["consent_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_referrals_consent_id_consents"),
            "consents",
            ["consent_id"],
            ["id"],
            ondelete="RESTRICT",
        )
    op.create_table(
        "client_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survivor_id", sa.Integer(), nullable=False),
        sa.Column("merged_id", sa.Integer(), nullable=False),
        sa.Column("merged_by_id", sa.Integer(), nullable=True),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("survivor_before", sa.JSON(), nullable=False),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["survivor_id"],
            ["clients.id"],
            name=op.f("fk_client_merges_survivor_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["merged_id"],
            ["clients.id"],
            name=op.f("fk_client_merges_merged_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["merged_by_id"],
            ["users.id"],
            name=op.f("fk_client_merges_merged_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["undone_by_id"],
            ["users.id"],
            name=op.f("fk_client_merges_undone_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_merges")),
    )
    with op.batch_alter_table("client_merges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_client_merges_survivor_id"), ["survivor_id"])
        batch_op.create_index(batch_op.f("ix_client_merges_merged_id"), ["merged_id"])
    op.create_table(
        "merge_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("suggested_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("merged", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_merge_suggestions_client_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["other_id"],
            ["clients.id"],
            name=op.f("fk_merge_suggestions_other_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["suggested_by_id"],
            ["users.id"],
            name=op.f("fk_merge_suggestions_suggested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["users.id"],
            name=op.f("fk_merge_suggestions_resolved_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merge_suggestions")),
    )
    with op.batch_alter_table("merge_suggestions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_merge_suggestions_client_id"), ["client_id"])
        batch_op.create_index(batch_op.f("ix_merge_suggestions_other_id"), ["other_id"])
        batch_op.create_index(batch_op.f("ix_merge_suggestions_resolved_at"), ["resolved_at"])


def downgrade():
    op.drop_table("merge_suggestions")
    op.drop_table("client_merges")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_referrals_consent_id_consents"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_referrals_consent_id"))
        batch_op.drop_column("consent_id")
    with op.batch_alter_table("consent_programs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_programs_program_id"))
    op.drop_table("consent_programs")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_column("witness")
        batch_op.drop_column("all_programs")
