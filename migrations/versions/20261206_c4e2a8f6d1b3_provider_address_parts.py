"""a provider's address in parts (street, city, state or province, postal code, country), as
Open Referral's address has them

Revision ID: c4e2a8f6d1b3
Revises: a7d3f9e1c2b4
Create Date: 2026-12-06 21:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4e2a8f6d1b3"
down_revision = "a7d3f9e1c2b4"
branch_labels = None
depends_on = None

PARTS = {"street": 250, "city": 100, "state_province": 100, "postal_code": 40, "country": 60}


def upgrade():
    with op.batch_alter_table("providers") as batch:
        for name, length in PARTS.items():
            batch.add_column(
                sa.Column(name, sa.String(length=length), server_default="", nullable=False)
            )


def downgrade():
    with op.batch_alter_table("providers") as batch:
        for name in reversed(PARTS):
            batch.drop_column(name)
