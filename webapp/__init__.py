"""Waymark: case management for outreach teams. `create_app` builds the Flask app."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from webapp.config import Defaults
from webapp.extensions import csrf, db, htmx, login_manager, migrate

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(
    config: Mapping[str, Any] | None = None, *, instance_path: str | None = None
) -> Flask:
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    app.config.from_object(Defaults)
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    app.config.from_prefixed_env("WAYMARK")
    if config:
        app.config.update(config)

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _configure_database(app)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(app)
    if not app.config.get("DOCUMENT_DIR"):
        # Outside the web root (static/): files are served only through the checked route.
        app.config["DOCUMENT_DIR"] = str(Path(app.instance_path) / "uploads")

    if app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    login_manager.init_app(app)
    from webapp.web import body_limits

    body_limits.init_app(app)  # before CSRF protection, which reads the body
    csrf.init_app(app)
    htmx.init_app(app)

    from webapp import database
    from webapp.jobs.cli import register_commands
    from webapp.routes import register_blueprints
    from webapp.web import (
        i18n,
        idempotency,
        logs,
        request_limits,
        security,
        static_files,
        templating,
    )

    # Self-intake link tokens never reach a log, whichever logger writes it
    logs.install_redaction()
    with app.app_context():
        database.tune_engine(db.engine)
    request_limits.init_app(app)  # before any route is added
    security.init_app(app)
    idempotency.init_app(app)
    templating.init_app(app)
    i18n.init_app(app)
    static_files.init_app(app)
    register_blueprints(app)
    register_commands(app)
    return app


def _configure_database(app: Flask) -> None:
    from webapp.database import engine_options, normalise_url

    url = app.config.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        url = f"sqlite:///{Path(app.instance_path) / 'waymark.sqlite3'}"
    url = normalise_url(url)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **engine_options(url),
        **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
    }


def _instance_secret_key(app: Flask) -> str:
    """A key made once per installation and kept in the instance folder (mode 0600).

    Production sets SECRET_KEY in the environment; this keeps `make run` to one command
    without ever shipping a key in the code.
    """
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()
