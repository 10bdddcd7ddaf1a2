"""idempotency keys remember a re-issued client ID

Revision ID: 7c3e9a1f5b20
Revises: 2579165c8c69
Create Date: 2026-11-24 10:12:40.118204

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7c3e9a1f5b20"
down_revision = "2579165c8c69"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_id_reissued", sa.String(length=64), nullable=True))


def downgrade():
    op.drop_column("idempotency_keys", "client_id_reissued")  # SQLite 3.35+ drops a column in place
