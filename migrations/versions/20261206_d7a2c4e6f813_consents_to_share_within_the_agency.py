"""consents: sharing within the agency (named programs or all), and who witnessed a verbal one

Revision ID: d7a2c4e6f813
Revises: 3a1f0c9b7d21
Create Date: 2026-12-06 18:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d7a2c4e6f813"
down_revision = "3a1f0c9b7d21"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("all_programs", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("witness", sa.String(length=200), server_default="", nullable=False)
        )
    op.create_table(
        "consent_programs",
        sa.Column("consent_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_id"],
            ["consents.id"],
            name=op.f("fk_consent_programs_consent_id_consents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_consent_programs_program_id_programs"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("consent_id", "program_id", name=op.f("pk_consent_programs")),
    )
    with op.batch_alter_table("consent_programs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_programs_program_id"), ["program_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("consent_programs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_programs_program_id"))
    op.drop_table("consent_programs")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_column("witness")
        batch_op.drop_column("all_programs")
