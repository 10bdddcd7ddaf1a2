"""The app factory and configuration from the environment."""

import stat

import sqlalchemy as sa

from webapp import create_app
from webapp.database import normalise_url
from webapp.extensions import db


def test_defaults_put_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app(instance_path=str(tmp_path / "inst"))
    assert (
        app.config["SQLALCHEMY_DATABASE_URI"]
        == f"sqlite:///{tmp_path / 'inst' / 'waymark.sqlite3'}"
    )
    assert not app.testing


def test_secret_key_is_made_once_private_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app(instance_path=str(tmp_path))
    second = create_app(instance_path=str(tmp_path))
    key_file = tmp_path / "secret_key"
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_environment_overrides_defaults_and_explicit_config_overrides_environment(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("DATABASE_URL", "postgres://waymark@db.internal/waymark")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("WAYMARK_TIMEZONE", "America/Los_Angeles")
    monkeypatch.setenv("WAYMARK_PAGE_SIZE", "50")
    app = create_app(instance_path=str(tmp_path))
    assert (
        app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://waymark@db.internal/waymark"
    )
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["TIMEZONE"] == "America/Los_Angeles"
    assert app.config["PAGE_SIZE"] == 50  # prefixed values are parsed as JSON
    assert not (tmp_path / "secret_key").exists()

    app = create_app({"TIMEZONE": "Europe/Madrid"}, instance_path=str(tmp_path))
    assert app.config["TIMEZONE"] == "Europe/Madrid"


def test_postgres_urls_use_psycopg_3():
    assert normalise_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_url("postgresql+psycopg://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_postgres_engine_is_pooled_with_pre_ping(tmp_path):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": "postgresql://nobody@127.0.0.1:1/none", "SECRET_KEY": "x"},
        instance_path=str(tmp_path),
    )
    with app.app_context():
        assert db.engine.pool._pre_ping is True
        assert db.engine.pool.size() == 5


def test_postgres_sessions_do_not_compile_queries_to_machine_code(app):
    """JIT compiling cost a page's big query more than it saved (decisions: issue 22)."""
    from webapp.database import engine_options

    if db.engine.dialect.name == "postgresql":
        assert db.session.execute(sa.text("SHOW jit")).scalar() == "off"
    else:  # the suite's SQLite run: the option PostgreSQL connections are opened with
        options = engine_options("postgresql+psycopg://u@127.0.0.1/d")["connect_args"]["options"]
        assert options == "-c jit=off"


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}", "SECRET_KEY": "x"},
        instance_path=str(tmp_path),
    )
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sqlite_writes_take_the_write_lock_up_front(tmp_path):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'lock.db'}", "SECRET_KEY": "x"},
        instance_path=str(tmp_path),
    )
    statements: list[str] = []
    with app.app_context():
        sa.event.listen(
            db.engine,
            "before_cursor_execute",
            lambda conn, cursor, statement, *args: statements.append(statement),
        )
        with app.test_request_context("/", method="POST"), db.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
            connection.rollback()
        with app.test_request_context("/", method="GET"), db.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
            connection.rollback()
    begins = [statement for statement in statements if statement.startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE", "BEGIN"]


def test_times_are_stored_and_read_back_in_utc(app, make_program):
    program = make_program()
    db.session.expire_all()
    created = db.session.get(type(program), program.id).created_at
    assert created.tzinfo is not None and created.utcoffset().total_seconds() == 0


def test_count_queries_counts_what_a_request_runs_and_only_inside_the_block(
    app, as_user, make_user, count_queries
):
    client = as_user(make_user())
    with count_queries() as queries:
        assert client.get("/").status_code == 200
    counted = queries()
    assert counted > 0
    client.get("/")
    assert queries() == counted
    with count_queries() as none:
        pass
    assert none() == 0
