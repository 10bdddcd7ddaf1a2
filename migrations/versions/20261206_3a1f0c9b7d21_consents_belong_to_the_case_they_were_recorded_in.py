"""consents: the case they were recorded in

A consent is shown with the client only to those who may see the case it was recorded in, so a
restricted case's consents (a sharing consent naming a shelter, say) stay with that case.

Revision ID: 3a1f0c9b7d21
Revises: 7c3e9a1f5b20
Create Date: 2026-12-06 15:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3a1f0c9b7d21"
down_revision = "7c3e9a1f5b20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_consents_case_id"), ["case_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_consents_case_id_cases"),
            "cases",
            ["case_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # Until now a consent was recorded at intake, with the case the intake opened: the client's case
    # opened nearest to the moment the consent was given.
    bind = op.get_bind()
    cases_by_client: dict[int, list[tuple]] = {}
    for case_id, client_id, opened_at in bind.execute(
        sa.text("SELECT id, client_id, opened_at FROM cases")
    ):
        cases_by_client.setdefault(client_id, []).append((case_id, opened_at))
    consents = bind.execute(sa.text("SELECT id, client_id, given_at FROM consents")).all()
    updates = []
    for consent_id, client_id, given_at in consents:
        candidates = cases_by_client.get(client_id)
        if not candidates:
            continue
        nearest = min(candidates, key=lambda case: abs(_seconds(case[1]) - _seconds(given_at)))
        updates.append({"consent": consent_id, "case": nearest[0]})
    if updates:
        bind.execute(sa.text("UPDATE consents SET case_id = :case WHERE id = :consent"), updates)


def _seconds(value) -> float:
    """A stored time as seconds; SQLite hands back text, PostgreSQL a datetime."""
    from datetime import datetime

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        from datetime import UTC

        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def downgrade():
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_consents_case_id_cases"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_consents_case_id"))
        batch_op.drop_column("case_id")
