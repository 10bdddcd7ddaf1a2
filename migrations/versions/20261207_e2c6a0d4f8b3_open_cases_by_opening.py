"""open cases by opening: supervision's sections list the oldest open cases a page at a time

Revision ID: e2c6a0d4f8b3
Revises: d4b8f2a6c0e1
Create Date: 2026-12-07 02:15:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e2c6a0d4f8b3"
down_revision = "d4b8f2a6c0e1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_cases_open_by_opened",
        "cases",
        ["opened_at", "id"],
        unique=False,
        postgresql_where=sa.text("closed_at IS NULL"),
        sqlite_where=sa.text("closed_at IS NULL"),
    )


def downgrade():
    op.drop_index("ix_cases_open_by_opened", table_name="cases")
