"""users: the language their pages are in

A staff member may choose English or Spanish for Waymark's pages; none chosen means the browser's
preference among the translated languages, else English.

Revision ID: c5e8f1a3d942
Revises: b9d4e2a7c610
Create Date: 2026-12-06 18:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c5e8f1a3d942"
down_revision = "b9d4e2a7c610"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("language")
