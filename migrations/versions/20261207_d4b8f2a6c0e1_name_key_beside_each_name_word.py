"""name_key beside each name word: a search on a short prefix orders its matches from the words'
rows alone

Revision ID: d4b8f2a6c0e1
Revises: c1f5a7e3b9d4
Create Date: 2026-12-07 02:05:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d4b8f2a6c0e1"
down_revision = "c1f5a7e3b9d4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("client_name_tokens") as batch:
        batch.add_column(
            sa.Column("name_key", sa.String(length=1000), nullable=False, server_default="")
        )
    op.execute(
        "UPDATE client_name_tokens SET name_key = ("
        "SELECT clients.name_key FROM clients WHERE clients.id = client_name_tokens.client_id)"
    )
    with op.batch_alter_table("client_name_tokens") as batch:
        batch.alter_column("name_key", server_default=None)


def downgrade():
    with op.batch_alter_table("client_name_tokens") as batch:
        batch.drop_column("name_key")
