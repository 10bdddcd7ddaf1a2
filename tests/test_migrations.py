"""The schema comes from Alembic, and Alembic's head matches the models."""

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from webapp import MIGRATIONS_DIR
from webapp.extensions import db


def test_migration_head_matches_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_database_is_at_the_single_head(app):
    heads = ScriptDirectory(str(MIGRATIONS_DIR)).get_heads()
    assert len(heads) == 1
    with db.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_heads() == tuple(heads)


def test_migrations_downgrade_to_nothing_and_upgrade_again(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'roundtrip.db'}")
    with app.app_context():
        flask_migrate.upgrade()
        assert "clients" in sa.inspect(db.engine).get_table_names()
        flask_migrate.downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        flask_migrate.upgrade()
        assert "referral_status_changes" in sa.inspect(db.engine).get_table_names()


def test_today_and_search_have_their_indexes(app):
    inspector = sa.inspect(db.engine)
    case_indexes = {
        index["name"]: index["column_names"] for index in inspector.get_indexes("cases")
    }
    assert case_indexes["ix_cases_worker_open_follow_up"] == [
        "primary_worker_id",
        "closed_at",
        "next_follow_up_on",
    ]
    client_indexes = {index["name"] for index in inspector.get_indexes("clients")}
    assert {"ix_clients_name_key", "ix_clients_phone_digits"} <= client_indexes
    referral_indexes = {index["name"] for index in inspector.get_indexes("referrals")}
    assert "ix_referrals_status_follow_up" in referral_indexes


def test_audit_events_cannot_be_changed_or_removed(app, make_user):
    from webapp.models import AuditEvent

    make_user()  # writes an audit event
    event_id = db.session.scalar(sa.select(AuditEvent.id))
    for statement in (
        sa.update(AuditEvent).where(AuditEvent.id == event_id).values(record_id="forged"),
        sa.delete(AuditEvent).where(AuditEvent.id == event_id),
    ):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(statement)
            db.session.flush()
        db.session.rollback()
    assert (
        db.session.scalar(sa.select(AuditEvent.record_id).where(AuditEvent.id == event_id))
        != "forged"
    )
    if db.engine.dialect.name == "postgresql":
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(sa.text("TRUNCATE audit_events"))
        db.session.rollback()
