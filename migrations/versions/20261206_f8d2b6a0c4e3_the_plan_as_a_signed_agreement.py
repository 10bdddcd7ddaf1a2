"""the plan as a signed agreement: its term and consequences, each task's where, when, how often
and named provider, and the parties' signatures of one terms version

Revision ID: f8d2b6a0c4e3
Revises: c9f1e3a5b7d2
Create Date: 2026-12-06 23:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f8d2b6a0c4e3"
down_revision = "c9f1e3a5b7d2"
branch_labels = None
depends_on = None

TASK_TEXTS = {"provider_name": 200, "place": 200, "schedule": 200, "frequency": 100}


def upgrade():
    with op.batch_alter_table("service_plans") as batch:
        batch.add_column(sa.Column("starts_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("ends_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("consequences", sa.Text(), server_default="", nullable=False))
        batch.add_column(
            sa.Column("terms_version", sa.Integer(), server_default="1", nullable=False)
        )
    with op.batch_alter_table("plan_tasks") as batch:
        for name, length in TASK_TEXTS.items():
            batch.add_column(
                sa.Column(name, sa.String(length=length), server_default="", nullable=False)
            )
    op.create_table(
        "plan_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("terms_version", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(length=32), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("strokes", sa.JSON(), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["service_plans.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("plan_signatures") as batch:
        batch.create_index("ix_plan_signatures_plan_id", ["plan_id"], unique=False)


def downgrade():
    with op.batch_alter_table("plan_signatures") as batch:
        batch.drop_index("ix_plan_signatures_plan_id")
    op.drop_table("plan_signatures")
    with op.batch_alter_table("plan_tasks") as batch:
        for name in reversed(TASK_TEXTS):
            batch.drop_column(name)
    with op.batch_alter_table("service_plans") as batch:
        for name in ("terms_version", "consequences", "ends_on", "starts_on"):
            batch.drop_column(name)
