"""Error pages in the app's own layout, and the CSRF failure that keeps what was typed."""

from __future__ import annotations

from flask import Flask, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from webapp.extensions import db
from webapp.fragments import render_page_or_fragment

MESSAGES = {
    400: ("Something in that request was not right", "The page sent something we could not read. Go back and try again."),
    401: ("Please sign in", "Your session has ended. Sign in again to continue."),
    403: ("Not for your role", "Your account does not have access to this page. Ask an admin if you need it."),
    404: ("Not found", "There is nothing here, or it is not shared with you. Check the address or search again."),
    405: ("That does not work here", "This page cannot be used that way. Go back and use its buttons or links."),
    413: ("Too much to send at once", "What you sent is larger than this form accepts. Shorten it and try again."),
    422: ("Something needs fixing", "Check the form: the problem is shown beside the field."),
    429: ("Too many tries", "Please wait a little before trying again."),
    500: ("Something went wrong on our side", "Nothing you did caused this. What you saved before is safe; try again in a moment."),
}

# Never echo these back into a page, even to the person who typed them.
_SECRET_FIELDS = ("password", "csrf_token", "totp", "token")


def _error_response(code: int, title: str | None = None, message: str | None = None):
    default_title, default_message = MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400])
    response = render_page_or_fragment(
        "errors/error.html", "errors/_error.html",
        code=code, title=title or default_title, message=message or default_message,
    )
    response.status_code = code
    return response


def kept_fields() -> list[tuple[str, str]]:
    """What the person typed, minus secrets, to put back in front of them."""
    return [
        (name, value)
        for name, value in request.form.items(multi=True)
        if not any(secret in name.lower() for secret in _SECRET_FIELDS)
    ]


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        response = render_page_or_fragment(
            "errors/csrf.html", "errors/_csrf.html",
            fields=kept_fields(), action=request.path, reason=error.description,
        )
        response.status_code = 400
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        response = _error_response(error.code)
        if error.code == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(500)
    def server_error(error: Exception):
        db.session.rollback()
        return _error_response(500)
