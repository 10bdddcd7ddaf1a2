"""case teams: colleagues who work a case with its primary worker

Revision ID: b7d6c5e4f3a2
Revises: a9c8e7d6b5f4
Create Date: 2026-12-06 21:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7d6c5e4f3a2"
down_revision = "a9c8e7d6b5f4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "case_team_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_team_members_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_case_team_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["users.id"],
            name=op.f("fk_case_team_members_added_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["removed_by_id"],
            ["users.id"],
            name=op.f("fk_case_team_members_removed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_team_members")),
    )
    op.create_index(
        op.f("ix_case_team_members_case_id"), "case_team_members", ["case_id"], unique=False
    )
    op.create_index(
        op.f("ix_case_team_members_user_id"), "case_team_members", ["user_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_case_team_members_user_id"), table_name="case_team_members")
    op.drop_index(op.f("ix_case_team_members_case_id"), table_name="case_team_members")
    op.drop_table("case_team_members")
