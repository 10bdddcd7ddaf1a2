"""What a request may carry into the app: ids within the database's range, JSON nested only as
deep as the parser can go. Beyond either, the answer is a 4xx, never a 500."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter, Map, ValidationError

# Every id column is INTEGER (migrations/): a larger number names no record. Past it, PostgreSQL
# refuses the query (integer out of range) and SQLite the parameter (past 2^63), both as a 500.
MAX_ID = 2**31 - 1


class DatabaseId(IntegerConverter):
    """`<int:…>` in every route: a number no row can have does not match, so the answer is 404."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> int:
        # Python refuses to read a number of thousands of digits (a ValueError, not a non-match).
        if len(value) > len(str(MAX_ID)):
            raise ValidationError()
        return super().to_python(value)


class JSONProvider(DefaultJSONProvider):
    """Every request body read as JSON (`request.get_json`, Flask-WTF's JSON form data) comes
    through here: a body nested deeper than the parser can recurse is malformed JSON (400)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("The JSON is nested too deeply.") from None


def init_app(app: Flask) -> None:
    """Before the blueprints: a rule takes its converter when it is added."""
    app.url_map.converters["int"] = DatabaseId
    app.json = JSONProvider(app)
