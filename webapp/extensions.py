"""Unbound extensions; `create_app` calls `init_app` on each."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler

# Constraint names follow one convention so Alembic migrations are identical on SQLite
# and PostgreSQL and can be altered later (SQLite batch mode needs named constraints).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(so.DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = Htmx()
babel = Babel()


def _sqlite_from_hint(
    compiler: SQLiteCompiler, table: sa.FromClause, text: str | None
) -> str | None:
    """SQLAlchemy drops a table hint on SQLite; written as given (`INDEXED BY ix_name`), it tells
    SQLite which index to read a table by. Only statements that ask for a hint for the "sqlite"
    dialect (`Select.with_hint`) carry one."""
    return text


SQLiteCompiler.get_from_hint_text = _sqlite_from_hint
