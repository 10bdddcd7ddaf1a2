"""HUD data elements per program (off by default), a case's answers to them, and the HMIS
data sharing consent (issue 23)

Revision ID: b6f0d8a2e4c5
Revises: d2b8e4a6c0f1
Create Date: 2026-12-06 23:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b6f0d8a2e4c5"
down_revision = "d2b8e4a6c0f1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("programs") as batch:
        batch.add_column(
            sa.Column("hud_elements", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "hud_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("prior_living_situation", sa.Integer(), nullable=True),
        sa.Column("current_living_situation", sa.Integer(), nullable=True),
        sa.Column("date_of_engagement", sa.Date(), nullable=True),
        sa.Column("disabling_condition", sa.Integer(), nullable=True),
        sa.Column("veteran_status", sa.Integer(), nullable=True),
        sa.Column("sex", sa.Integer(), nullable=True),
        sa.Column("race", sa.String(length=200), server_default="", nullable=False),
        sa.Column("relationship_to_hoh", sa.Integer(), nullable=True),
        sa.Column("exit_destination", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id"),
    )


def downgrade():
    op.drop_table("hud_answers")
    with op.batch_alter_table("programs") as batch:
        batch.drop_column("hud_elements")
