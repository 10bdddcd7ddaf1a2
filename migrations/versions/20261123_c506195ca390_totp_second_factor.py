"""totp second factor

Revision ID: c506195ca390
Revises: 6d50f4cdb632
Create Date: 2026-11-23 02:13:04.452465

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c506195ca390"
down_revision = "6d50f4cdb632"
branch_labels = None
depends_on = None


def upgrade():

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))


def downgrade():

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_secret")
