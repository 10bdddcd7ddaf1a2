"""Who may reach which view: login required by default, an explicit list of open views,
role decorators, and the response headers every page carries."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

from webapp.extensions import db, login_manager
from webapp.models import User
from webapp.services import audit

F = TypeVar("F", bound=Callable[..., Any])

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def public(view: F) -> F:
    """Mark a view as open to people who are not signed in (the allow-list)."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host, a scheme, or a protocol-relative URL."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def back_to_case(case_id: int) -> str:
    """Where a saved form returns: Today (or wherever it was opened from) when it says so, else the
    case."""
    return safe_next(request.args.get("next")) or url_for("cases.view", case_id=case_id)


def is_public_endpoint(app: Flask, endpoint: str | None) -> bool:
    if endpoint is None or endpoint == "static":
        return True  # routing failed (404/405 pages) or a static file
    view = app.view_functions.get(endpoint)
    return bool(getattr(view, "is_public", False))


def answers_json(view: F) -> F:
    """Mark a view whose callers are scripts: signed out, they get 401, never a login page."""
    view.answers_json = True  # type: ignore[attr-defined]
    return view


def wants_status_not_redirect() -> bool:
    """htmx, fetch and replay requests must see 401, not a login page answered with 200."""
    view = current_app.view_functions.get(request.endpoint or "")
    return (
        bool(request.htmx)
        or request.method != "GET"
        or request.accept_mimetypes.best == "application/json"
        or getattr(view, "answers_json", False)
    )


class SessionInterface(SecureCookieSessionInterface):
    """Session cookies are Secure whenever the request came over HTTPS (or the config says so).

    A static file is the same for everyone: its response neither sets the cookie nor varies on it
    (`Vary: Cookie` would make the browser's HTTP cache ask again whenever the cookie changed, so
    the service worker's install would fetch what the page had just loaded)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (
            has_request_context() and request.is_secure
        )

    def save_session(self, app: Flask, session, response: Response) -> None:
        if has_request_context() and request.endpoint == "static":
            return
        super().save_session(app, session, response)


def _bind_audit_facts() -> None:
    g.audit_binding = audit.bind(
        audit.RequestFacts(
            address=(request.remote_addr or "")[:45] or None,
            path=audit.redact(request.path)[:300],
            reading=request.method in ("GET", "HEAD"),
            signed_in=lambda: (
                current_user._get_current_object() if current_user.is_authenticated else None
            ),
        )
    )


def _unbind_audit_facts(_error: BaseException | None) -> None:
    binding = g.pop("audit_binding", None)
    if binding is not None:
        audit.unbind(binding)


def init_app(app: Flask) -> None:
    # First of all, so whatever runs before a view (CSRF, sign-in checks) is audited with the
    # request.
    app.before_request_funcs.setdefault(None, []).insert(0, _bind_audit_facts)
    app.teardown_request(_unbind_audit_facts)
    app.session_interface = SessionInterface()
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(identity: str) -> User | None:
        user_id, _, version = identity.partition(":")
        if not (user_id.isdigit() and version.isdigit()):
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or user.session_version != int(version):
            return None
        return user

    @login_manager.unauthorized_handler
    def unauthorized() -> Response:
        if wants_status_not_redirect():
            response = Response("Sign in again to continue.", status=401, mimetype="text/plain")
            if request.htmx:
                response.headers["HX-Redirect"] = url_for("auth.login")
            return response
        return redirect(
            url_for("auth.login", next=request.full_path if request.query_string else request.path)
        )

    @app.before_request
    def end_stale_sessions() -> None:
        """Idle and absolute timeouts, from the signed session's own timestamps."""
        if "_user_id" not in session:
            return
        now = time.time()
        idle = app.config["SESSION_IDLE_MINUTES"] * 60
        absolute = app.config["SESSION_ABSOLUTE_HOURS"] * 3600
        signed_in_at = session.get("signed_in_at", 0)
        seen_at = session.get("seen_at", 0)
        if now - seen_at > idle or now - signed_in_at > absolute:
            reason = (
                "You were signed out after a long time without activity."
                if now - signed_in_at <= absolute
                else "You were signed out: sessions last at most 12 hours."
            )
            session.clear()
            flash(reason)
            return
        if request.endpoint != "static":
            session["seen_at"] = now

    @app.before_request
    def require_login() -> Response | None:
        if is_public_endpoint(app, request.endpoint) or current_user.is_authenticated:
            return None
        return login_manager.unauthorized()

    @app.before_request
    def admins_use_two_step_sign_in() -> Response | None:
        """Admins must turn on the second factor before doing anything else."""
        if not (
            current_user.is_authenticated
            and current_user.is_admin
            and not current_user.has_second_factor
        ):
            return None
        if is_public_endpoint(app, request.endpoint) or request.endpoint in (
            "account.two_step",
            "auth.logout",
        ):
            return None
        if request.method == "GET" and not wants_status_not_redirect():
            flash("Admins sign in in two steps. Turn it on to continue.")
            return redirect(url_for("account.two_step"))
        abort(403)

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static" and "Cache-Control" not in headers:
            # Pages carry client data and CSRF tokens: never in a shared or disk cache.
            headers["Cache-Control"] = "no-store"
        return response


def start_session_clock() -> None:
    """At sign-in: the moment both timeouts count from."""
    session["signed_in_at"] = session["seen_at"] = time.time()
    session.permanent = True
