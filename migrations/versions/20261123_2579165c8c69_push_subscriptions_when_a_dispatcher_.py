"""push subscriptions: when a dispatcher last looked

Revision ID: 2579165c8c69
Revises: 5bfe0773c86d
Create Date: 2026-11-23 07:57:25.065219

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "2579165c8c69"
down_revision = "5bfe0773c86d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("push_subscriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column("push_subscriptions", "checked_at")  # SQLite 3.35+ drops a column in place
