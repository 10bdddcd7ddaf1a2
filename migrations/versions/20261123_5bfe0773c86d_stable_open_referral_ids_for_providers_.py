"""stable open referral ids for providers and services

Revision ID: 5bfe0773c86d
Revises: e8cdfcf90564
Create Date: 2026-11-23 07:21:11.401126

"""

import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5bfe0773c86d"
down_revision = "e8cdfcf90564"
branch_labels = None
depends_on = None

TABLES = ("providers", "services")


def upgrade():
    connection = op.get_bind()
    for table in TABLES:
        # Added NOT NULL with an empty default: SQLite can do that in place (making a column NOT
        # NULL afterwards would rebuild the table, which its foreign keys refuse mid-transaction).
        op.add_column(
            table, sa.Column("hsds_id", sa.String(length=36), nullable=False, server_default="")
        )
        rows = sa.table(table, sa.column("id", sa.Integer), sa.column("hsds_id", sa.String))
        # Every existing row gets its own random id (HSDS ids are UUIDs).
        for (row_id,) in connection.execute(sa.select(rows.c.id)).all():
            connection.execute(
                rows.update().where(rows.c.id == row_id).values(hsds_id=str(uuid.uuid4()))
            )
        if connection.dialect.name != "sqlite":
            op.alter_column(table, "hsds_id", server_default=None)
        op.create_index(op.f(f"ix_{table}_hsds_id"), table, ["hsds_id"], unique=True)


def downgrade():
    for table in reversed(TABLES):
        op.drop_index(op.f(f"ix_{table}_hsds_id"), table_name=table)
        op.drop_column(table, "hsds_id")  # SQLite 3.35+ drops a column in place
