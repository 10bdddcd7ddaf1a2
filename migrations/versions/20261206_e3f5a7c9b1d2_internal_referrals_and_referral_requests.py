"""internal referrals between the agency's programs, and requests to refer someone "known to
the agency"

Revision ID: e3f5a7c9b1d2
Revises: c5e8f1a3d942
Create Date: 2026-12-06 18:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e3f5a7c9b1d2"
down_revision = "c5e8f1a3d942"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "internal_referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_case_id", sa.Integer(), nullable=False),
        sa.Column("to_program_id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("restricted_sent_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=False),
        sa.Column("new_case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["from_case_id"],
            ["cases.id"],
            name=op.f("fk_internal_referrals_from_case_id_cases"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["to_program_id"],
            ["programs.id"],
            name=op.f("fk_internal_referrals_to_program_id_programs"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["consent_id"],
            ["consents.id"],
            name=op.f("fk_internal_referrals_consent_id_consents"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["restricted_sent_by_id"],
            ["users.id"],
            name=op.f("fk_internal_referrals_restricted_sent_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_internal_referrals_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_internal_referrals_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["new_case_id"],
            ["cases.id"],
            name=op.f("fk_internal_referrals_new_case_id_cases"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_internal_referrals")),
    )
    with op.batch_alter_table("internal_referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_internal_referrals_from_case_id"), ["from_case_id"])
        batch_op.create_index(batch_op.f("ix_internal_referrals_new_case_id"), ["new_case_id"])
        batch_op.create_index("ix_internal_referrals_program_status", ["to_program_id", "status"])
    op.create_table(
        "referral_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("asked_by_id", sa.Integer(), nullable=True),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("looked_for", sa.String(length=200), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("internal_referral_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_referral_requests_case_id_cases"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["asked_by_id"],
            ["users.id"],
            name=op.f("fk_referral_requests_asked_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_referral_requests_program_id_programs"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["internal_referral_id"],
            ["internal_referrals.id"],
            name=op.f("fk_referral_requests_internal_referral_id_internal_referrals"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_requests")),
    )
    with op.batch_alter_table("referral_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referral_requests_case_id"), ["case_id"])


def downgrade():
    op.drop_table("referral_requests")
    op.drop_table("internal_referrals")
