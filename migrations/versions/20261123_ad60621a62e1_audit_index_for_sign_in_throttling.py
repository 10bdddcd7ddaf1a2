"""audit index for sign-in throttling

Revision ID: ad60621a62e1
Revises: 2fa545245e24
Create Date: 2026-11-23 02:02:30.507110

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "ad60621a62e1"
down_revision = "2fa545245e24"
branch_labels = None
depends_on = None


def upgrade():

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_events_action_address", ["action", "address", "occurred_at"], unique=False
        )


def downgrade():

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_action_address")
