"""an intake's answer may re-issue several client IDs (the client's and those of the people who
live with them and become clients): the idempotency row keeps them all

Revision ID: c9f1e3a5b7d2
Revises: c4e2a8f6d1b3
Create Date: 2026-12-06 23:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c9f1e3a5b7d2"
down_revision = "c4e2a8f6d1b3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.alter_column(
            "client_id_reissued",
            existing_type=sa.String(length=64),
            type_=sa.String(length=400),
            existing_nullable=True,
        )


def downgrade():
    with op.batch_alter_table("idempotency_keys") as batch:
        batch.alter_column(
            "client_id_reissued",
            existing_type=sa.String(length=400),
            type_=sa.String(length=64),
            existing_nullable=True,
        )
