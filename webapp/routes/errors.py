"""Error pages in the app's own layout, and the CSRF failure that keeps what was typed."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app, request, session
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.exceptions import HTTPException

from webapp.extensions import db
from webapp.web.fragments import render_page_or_fragment

MESSAGES = {
    400: (
        _l("Something in that request was not right"),
        _l("The page sent something we could not read. Go back and try again."),
    ),
    401: (_l("Please sign in"), _l("Your session has ended. Sign in again to continue.")),
    403: (
        _l("Not for your role"),
        _l("Your account does not have access to this page. Ask an admin if you need it."),
    ),
    404: (
        _l("Not found"),
        _l(
            "There is nothing here, or it is not shared with you. "
            "Check the address or search again."
        ),
    ),
    405: (
        _l("That does not work here"),
        _l("This page cannot be used that way. Go back and use its buttons or links."),
    ),
    413: (
        _l("Too much to send at once"),
        _l("What you sent is larger than this form accepts. Shorten it and try again."),
    ),
    422: (
        _l("Something needs fixing"),
        _l("Check the form: the problem is shown beside the field."),
    ),
    429: (_l("Too many tries"), _l("Please wait a little before trying again.")),
    500: (
        _l("Something went wrong on our side"),
        _l("Nothing you did caused this. What you saved before is safe; try again in a moment."),
    ),
}

# Never echo these back into a page, even to the person who typed them.
_SECRET_FIELDS = ("password", "csrf_token", "totp", "token")


def _error_response(code: int, title: str | None = None, message: str | None = None):
    default_title, default_message = MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400])
    response = render_page_or_fragment(
        "errors/error.html",
        "errors/_error.html",
        code=code,
        title=title or default_title,
        message=message or default_message,
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


def sent_too_late_from_this_session() -> bool:
    """Whether the refused request carried a token we signed for this very session, refused
    only because the form was open longer than the time limit.

    Only then is the request surely the person's own: a missing or forged token, a token of
    another session (any colleague can get a validly signed one), or a good token that failed
    the referrer check could all be someone else's request, and putting its fields in a form
    with a fresh token would let one tap send it.
    """
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    limit = current_app.config.get("WTF_CSRF_TIME_LIMIT", 3600)
    secret = session.get(field)
    # Where Flask-WTF looks: the form field first, then the headers.
    headers = current_app.config.get("WTF_CSRF_HEADERS", ())
    sent = request.form.get(field) or next(
        (request.headers[h] for h in headers if request.headers.get(h)), None
    )
    if not sent or not isinstance(secret, str) or limit is None:
        return False
    serializer = URLSafeTimedSerializer(
        current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key,
        salt="wtf-csrf-token",
    )
    try:
        signed, signed_at = serializer.loads(sent, return_timestamp=True)
    except BadData:
        return False
    if not isinstance(signed, str) or not hmac.compare_digest(signed.encode(), secret.encode()):
        return False
    return datetime.now(UTC) - signed_at > timedelta(seconds=limit)


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        own = sent_too_late_from_this_session()
        response = render_page_or_fragment(
            "errors/csrf.html",
            "errors/_csrf.html",
            kept=own,
            fields=kept_fields() if own else [],
            action=request.path,
            reason=error.description,
        )
        response.status_code = 400
        # The outbox sends with the token it kept; this tells it to fetch a fresh one and resend.
        response.headers["X-Waymark-CSRF"] = "refused"
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
