"""leftovers: taking someone off a waiting list without a case (why, and a note), and withdrawing
an internal referral before its decision (who, when, why)

Revision ID: f3d7b1e5a9c6
Revises: e2c6a0d4f8b3
Create Date: 2026-12-07 02:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f3d7b1e5a9c6"
down_revision = "e2c6a0d4f8b3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("intake_screenings") as batch:
        batch.add_column(sa.Column("left_reason", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("left_note", sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table("internal_referrals") as batch:
        batch.add_column(sa.Column("withdrawn_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("withdrawal_reason", sa.Text(), server_default="", nullable=False)
        )
        batch.create_foreign_key(
            op.f("fk_internal_referrals_withdrawn_by_id_users"),
            "users",
            ["withdrawn_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("internal_referrals") as batch:
        batch.drop_constraint(
            op.f("fk_internal_referrals_withdrawn_by_id_users"), type_="foreignkey"
        )
        batch.drop_column("withdrawal_reason")
        batch.drop_column("withdrawn_at")
        batch.drop_column("withdrawn_by_id")
    with op.batch_alter_table("intake_screenings") as batch:
        batch.drop_column("left_note")
        batch.drop_column("left_reason")
