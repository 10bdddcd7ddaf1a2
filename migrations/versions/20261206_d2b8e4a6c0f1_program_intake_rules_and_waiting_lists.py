"""a program's intake rules (eligibility questions and priority rules), what became of each
person screened, its waiting list and what was offered to people waiting; a program's open case
limit and closed intake

Revision ID: d2b8e4a6c0f1
Revises: a3e9c5b1d7f4
Create Date: 2026-12-06 22:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d2b8e4a6c0f1"
down_revision = "a3e9c5b1d7f4"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade():
    with op.batch_alter_table("programs") as batch:
        batch.add_column(sa.Column("open_case_limit", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("intake_closed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.create_check_constraint(
            op.f("ck_programs_open_case_limit_positive"), "open_case_limit > 0"
        )
    op.create_table(
        "eligibility_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("choices", sa.Text(), nullable=False),
        sa.Column("qualifying", sa.Text(), nullable=False),
        sa.Column("priority_answers", sa.Text(), nullable=False),
        sa.Column("priority", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("eligibility_questions", "program_id", "programs", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_questions")),
    )
    with op.batch_alter_table("eligibility_questions") as batch:
        batch.create_index(
            batch.f("ix_eligibility_questions_program_id"), ["program_id"], unique=False
        )
    op.create_table(
        "intake_screenings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("qualified", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("referred_to", sa.String(length=300), nullable=False),
        sa.Column("priority", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("intake", sa.JSON(), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=True),
        sa.Column("waiting_since", sa.Date(), nullable=True),
        sa.Column("next_check_in_on", sa.Date(), nullable=True),
        sa.Column("holding_worker_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("screened_by_id", sa.Integer(), nullable=True),
        sa.Column("screened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_off_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("taken_off_by_id", sa.Integer(), nullable=True),
        _fk("intake_screenings", "program_id", "programs", "RESTRICT"),
        _fk("intake_screenings", "client_id", "clients", "RESTRICT"),
        _fk("intake_screenings", "consent_id", "consents", "SET NULL"),
        _fk("intake_screenings", "holding_worker_id", "users", "SET NULL"),
        _fk("intake_screenings", "case_id", "cases", "SET NULL"),
        _fk("intake_screenings", "screened_by_id", "users", "SET NULL"),
        _fk("intake_screenings", "taken_off_by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_screenings")),
    )
    with op.batch_alter_table("intake_screenings") as batch:
        batch.create_index(batch.f("ix_intake_screenings_client_id"), ["client_id"], unique=False)
        batch.create_index(
            batch.f("ix_intake_screenings_holding_worker_id"), ["holding_worker_id"], unique=False
        )
        batch.create_index(
            "ix_intake_screenings_program_outcome", ["program_id", "outcome"], unique=False
        )
    op.create_table(
        "waiting_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(length=300), nullable=False),
        sa.Column("offered_on", sa.Date(), nullable=False),
        sa.Column("offered_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("waiting_offers", "screening_id", "intake_screenings", "CASCADE"),
        _fk("waiting_offers", "offered_by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waiting_offers")),
    )
    with op.batch_alter_table("waiting_offers") as batch:
        batch.create_index(
            batch.f("ix_waiting_offers_screening_id"), ["screening_id"], unique=False
        )


def downgrade():
    op.drop_table("waiting_offers")
    op.drop_table("intake_screenings")
    op.drop_table("eligibility_questions")
    with op.batch_alter_table("programs") as batch:
        batch.drop_constraint(op.f("ck_programs_open_case_limit_positive"), type_="check")
        batch.drop_column("intake_closed")
        batch.drop_column("open_case_limit")
