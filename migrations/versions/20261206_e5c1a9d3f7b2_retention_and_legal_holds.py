"""retention: how many years a program keeps closed cases, legal holds on clients, the reports a
retention run is applied from, and when a client was anonymised

Revision ID: e5c1a9d3f7b2
Revises: b6f0d8a2e4c5
Create Date: 2026-12-06 22:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e5c1a9d3f7b2"
down_revision = "b6f0d8a2e4c5"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("programs") as batch:
        batch.add_column(sa.Column("retention_years", sa.Integer(), nullable=True))
        batch.create_check_constraint(
            op.f("ck_programs_retention_positive"), "retention_years IS NULL OR retention_years > 0"
        )
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by_id", sa.Integer(), nullable=True),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_legal_holds_client_id_clients"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["placed_by_id"],
            ["users.id"],
            name=op.f("fk_legal_holds_placed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lifted_by_id"],
            ["users.id"],
            name=op.f("fk_legal_holds_lifted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    op.create_index(op.f("ix_legal_holds_client_id"), "legal_holds", ["client_id"])
    op.create_table(
        "retention_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("client_ids", sa.JSON(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("anonymised", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_runs")),
        sa.UniqueConstraint("digest", name=op.f("uq_retention_runs_digest")),
    )


def downgrade():
    op.drop_table("retention_runs")
    op.drop_index(op.f("ix_legal_holds_client_id"), table_name="legal_holds")
    op.drop_table("legal_holds")
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("anonymised_at")
    with op.batch_alter_table("programs") as batch:
        batch.drop_constraint(op.f("ck_programs_retention_positive"), type_="check")
        batch.drop_column("retention_years")
