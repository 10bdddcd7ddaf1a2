"""flask db backup: a copy of the live SQLite database that restores every record."""

import flask_migrate
import sqlalchemy as sa

from webapp.extensions import db


def table_counts(engine):
    with engine.connect() as connection:
        names = [
            name for name in sa.inspect(connection).get_table_names() if name != "alembic_version"
        ]
        return {
            name: connection.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar()
            for name in names
        }


def test_a_backup_restores_every_record(make_app, tmp_path):
    from webapp.jobs import demo

    live = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'live.sqlite3'}")
    with live.app_context():
        flask_migrate.upgrade()
        demo.load()
        db.session.commit()
        before = table_counts(db.engine)
        result = live.test_cli_runner().invoke(
            args=["db", "backup", str(tmp_path / "copy.sqlite3")]
        )
        assert result.exit_code == 0, result.output
        again = live.test_cli_runner().invoke(args=["db", "backup", str(tmp_path / "copy.sqlite3")])
        assert again.exit_code == 1 and "already exists" in again.output
    assert before["clients"] == 13 and before["contact_logs"] > 0

    restored = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    with restored.app_context():
        assert table_counts(db.engine) == before
        flask_migrate.upgrade()  # the restore procedure: already at head, nothing to do
        login = restored.test_client().post(
            "/login", data={"email": "outreach@demo.example", "password": "orange-bicycle-harbour"}
        )
        assert login.status_code == 302


def test_postgresql_is_pointed_at_pg_dump(tmp_path):
    from webapp import create_app

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": "postgresql://nobody@127.0.0.1:1/none", "SECRET_KEY": "x"},
        instance_path=str(tmp_path),
    )
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["db", "backup", str(tmp_path / "x.dump")])
    assert result.exit_code == 1 and "pg_dump" in result.output
