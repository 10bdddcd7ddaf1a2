"""invitations by client: the visibility rule, merging and retention look invitations up by the
client they were made for

Revision ID: c1f5a7e3b9d4
Revises: e5c1a9d3f7b2
Create Date: 2026-12-07 02:20:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "c1f5a7e3b9d4"
down_revision = "e5c1a9d3f7b2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("invitations") as batch:
        batch.create_index(batch.f("ix_invitations_client_id"), ["client_id"], unique=False)


def downgrade():
    with op.batch_alter_table("invitations") as batch:
        batch.drop_index(batch.f("ix_invitations_client_id"))
