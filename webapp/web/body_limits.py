"""A larger request body for the few views that take a file, the app's small limit for the rest.

The limit has to be set before anything reads the body, and CSRF protection reads the form in
its own before-request hook: this hook is registered ahead of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, request

View = TypeVar("View", bound=Callable)


def allow_body(limit: int | str, headroom: int = 0) -> Callable[[View], View]:
    """A larger body for this view: a number of bytes, or the name of a setting that holds one
    (read per request, so an operator's setting counts), plus `headroom` for the form's other
    fields and the multipart framing."""

    def mark(view: View) -> View:
        view.body_limit = (limit, headroom)  # type: ignore[attr-defined]
        return view

    return mark


def init_app(app: Flask) -> None:
    @app.before_request
    def raise_the_limit_where_allowed() -> None:
        view = current_app.view_functions.get(request.endpoint or "")
        marked = getattr(view, "body_limit", None)
        if marked:
            limit, headroom = marked
            if isinstance(limit, str):
                limit = int(current_app.config[limit])
            request.max_content_length = limit + headroom
