"""client name tokens for search and duplicate checks

Revision ID: d5004bba04d9
Revises: 8f13e4124b62
Create Date: 2026-11-23 01:00:26.991711

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d5004bba04d9"
down_revision = "8f13e4124b62"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "client_name_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=100), nullable=False),
        sa.Column("metaphone", sa.String(length=40), nullable=False),
        sa.Column("nysiis", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients.id"],
            name=op.f("fk_client_name_tokens_client_id_clients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_name_tokens")),
    )
    with op.batch_alter_table("client_name_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_client_name_tokens_client_id"), ["client_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_client_name_tokens_metaphone"), ["metaphone"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_client_name_tokens_nysiis"), ["nysiis"], unique=False)
        batch_op.create_index(batch_op.f("ix_client_name_tokens_token"), ["token"], unique=False)

    backfill_tokens()


def backfill_tokens():
    """Index the names of clients recorded before this table existed."""
    from webapp.names import tokens_of  # a pure function of the names: safe to use here

    connection = op.get_bind()
    clients = sa.table(
        "clients", sa.column("id"), sa.column("preferred_name"), sa.column("legal_name")
    )
    aliases = sa.table("client_aliases", sa.column("client_id"), sa.column("name"))
    tokens = sa.table(
        "client_name_tokens",
        sa.column("client_id"),
        sa.column("token"),
        sa.column("metaphone"),
        sa.column("nysiis"),
    )
    alias_names = {}
    for client_id, name in connection.execute(sa.select(aliases.c.client_id, aliases.c.name)):
        alias_names.setdefault(client_id, []).append(name)
    rows = []
    for client_id, preferred, legal in connection.execute(
        sa.select(clients.c.id, clients.c.preferred_name, clients.c.legal_name)
    ):
        for token in tokens_of([preferred, legal or "", *alias_names.get(client_id, [])]):
            rows.append(
                {
                    "client_id": client_id,
                    "token": token.token,
                    "metaphone": token.metaphone,
                    "nysiis": token.nysiis,
                }
            )
    if rows:
        op.bulk_insert(tokens, rows)


def downgrade():
    with op.batch_alter_table("client_name_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_name_tokens_token"))
        batch_op.drop_index(batch_op.f("ix_client_name_tokens_nysiis"))
        batch_op.drop_index(batch_op.f("ix_client_name_tokens_metaphone"))
        batch_op.drop_index(batch_op.f("ix_client_name_tokens_client_id"))

    op.drop_table("client_name_tokens")
