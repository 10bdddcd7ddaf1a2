"""practice milestones on the case: the first baseline's date and the plan's agreement, kept on
`cases` so supervision counts and lists its gaps from one scan of open cases, read from an index of
the open cases that holds every column the count tests

Revision ID: a7c3e9f1b5d2
Revises: f3d7b1e5a9c6
Create Date: 2026-12-07 05:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7c3e9f1b5d2"
down_revision = "f3d7b1e5a9c6"
branch_labels = None
depends_on = None

# What the assessments and plans say today; the services keep it true from here on.
BACKFILL = """
UPDATE cases SET
    baseline_on = (
        SELECT min(assessments.assessed_on) FROM assessments
        WHERE assessments.case_id = cases.id AND assessments.kind = 'baseline'
    ),
    plan_agreed_on = (
        SELECT service_plans.agreed_on FROM service_plans
        WHERE service_plans.case_id = cases.id
    )
"""


def upgrade():
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("baseline_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("plan_agreed_on", sa.Date(), nullable=True))
    op.execute(BACKFILL)
    # Supervision's counting pass reads every open case in view from this index alone.
    op.create_index(
        "ix_cases_open_counted",
        "cases",
        [
            "program_id",
            "primary_worker_id",
            "model",
            "restricted",
            "baseline_on",
            "plan_agreed_on",
            "next_follow_up_on",
            "last_contact_at",
            "opened_at",
            "id",
            "closed_at",
        ],
        unique=False,
        postgresql_where=sa.text("closed_at IS NULL"),
        sqlite_where=sa.text("closed_at IS NULL"),
    )


def downgrade():
    op.drop_index("ix_cases_open_counted", table_name="cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("plan_agreed_on")
        batch.drop_column("baseline_on")
