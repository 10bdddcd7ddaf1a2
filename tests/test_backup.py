"""flask db backup: a copy of the live SQLite database that restores every record, and the
documents' files beside it."""

import io
import shutil
from pathlib import Path

import flask_migrate
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import DocumentKind, User


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


def test_a_backup_carries_the_documents_files_and_a_restore_opens_them(make_app, tmp_path):
    from PIL import Image

    from webapp.models import CaseModel, Document, Role
    from webapp.services import accounts, cases, clients, documents, programs

    live = make_app(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'live.sqlite3'}",
        DOCUMENT_DIR=str(tmp_path / "live-documents"),
    )
    with live.app_context():
        flask_migrate.upgrade()
        program = programs.create_program(name="Street Outreach", model=CaseModel.GENERALIST)
        worker = accounts.create_user(
            email="sam@agency.test",
            display_name="Sam Worker",
            role=Role.OUTREACH_WORKER,
            password="correct horse battery staple",
            programs=[program],
        )
        client = clients.create_client(
            clients.ClientDetails(preferred_name="Brian"), created_by=worker
        )
        case = cases.open_case(client, program, created_by=worker, primary_worker=worker)
        out = io.BytesIO()
        Image.new("RGB", (40, 30), "red").save(out, format="JPEG")
        document = documents.attach(
            client,
            case=case,
            kind=DocumentKind.ID_DOCUMENT,
            title="ID card",
            prepared=documents.prepare(out.getvalue(), max_bytes=1024 * 1024),
            uploaded_by=worker,
            directory=Path(live.config["DOCUMENT_DIR"]),
        )
        db.session.commit()
        document_id, worker_id = document.id, worker.id
        original = (Path(live.config["DOCUMENT_DIR"]) / document.stored_name).read_bytes()
        result = live.test_cli_runner().invoke(
            args=["db", "backup", str(tmp_path / "copy.sqlite3")]
        )
        assert result.exit_code == 0, result.output
        assert "1 document files" in result.output

    # Restore: the database copy, and the files copied into the new DOCUMENT_DIR.
    restored_dir = tmp_path / "restored-documents"
    shutil.copytree(tmp_path / "copy.sqlite3-documents", restored_dir)
    restored = make_app(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'copy.sqlite3'}",
        DOCUMENT_DIR=str(restored_dir),
    )
    with restored.app_context():
        worker = db.session.get(User, worker_id)
        assert db.session.get(Document, document_id) is not None
        response = restored.test_client(user=worker).get(f"/documents/{document_id}")
        assert response.status_code == 200 and response.data == original


def test_postgresql_sites_copy_the_documents_with_their_own_command(make_app, tmp_path):
    app = make_app(DOCUMENT_DIR=str(tmp_path / "docs"))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "abc.pdf").write_bytes(b"%PDF-1.4 x %%EOF")
    (tmp_path / "docs" / ".def.pdf.part").write_bytes(b"half")
    with app.app_context():
        result = app.test_cli_runner().invoke(
            args=["db", "backup-documents", str(tmp_path / "copy")]
        )
        assert result.exit_code == 0, result.output
        again = app.test_cli_runner().invoke(
            args=["db", "backup-documents", str(tmp_path / "copy")]
        )
    assert sorted(p.name for p in (tmp_path / "copy").iterdir()) == ["abc.pdf"]
    assert again.exit_code == 1 and "already exists" in again.output
