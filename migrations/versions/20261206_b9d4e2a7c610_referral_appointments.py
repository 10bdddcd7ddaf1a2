"""referrals: the appointment a "scheduled" step books

A scheduled referral holds its appointment's day, time and place (the day after is when to
confirm it happened); each "scheduled" step in the history keeps the appointment it booked.

Revision ID: b9d4e2a7c610
Revises: d7a2c4e6f813
Create Date: 2026-12-06 18:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b9d4e2a7c610"
down_revision = "d7a2c4e6f813"
branch_labels = None
depends_on = None


def _appointment_columns(batch_op) -> None:
    batch_op.add_column(sa.Column("appointment_on", sa.Date(), nullable=True))
    batch_op.add_column(sa.Column("appointment_time", sa.Time(), nullable=True))
    batch_op.add_column(
        sa.Column("appointment_place", sa.String(length=500), nullable=False, server_default="")
    )


def upgrade():
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        _appointment_columns(batch_op)
        batch_op.create_index(
            "ix_referrals_status_appointment", ["status", "appointment_on"], unique=False
        )
    with op.batch_alter_table("referral_status_changes", schema=None) as batch_op:
        _appointment_columns(batch_op)


def downgrade():
    with op.batch_alter_table("referral_status_changes", schema=None) as batch_op:
        batch_op.drop_column("appointment_place")
        batch_op.drop_column("appointment_time")
        batch_op.drop_column("appointment_on")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_status_appointment")
        batch_op.drop_column("appointment_place")
        batch_op.drop_column("appointment_time")
        batch_op.drop_column("appointment_on")
