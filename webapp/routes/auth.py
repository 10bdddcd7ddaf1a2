"""Signing in and out."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.forms.auth import CodeForm, LoginForm
from webapp.models import N_, AuditAction, User
from webapp.services import accounts, audit, two_factor
from webapp.services import push as push_service
from webapp.text import without_controls
from webapp.web.security import public, safe_next, start_session_clock
from webapp.web.throttle import sign_in_refused

bp = Blueprint("auth", __name__)

FAILED_LOGIN_MESSAGE = N_("That email and password do not match an active account.")
THROTTLED_MESSAGE = N_(
    "Too many failed sign-ins from this device. Wait 15 minutes and try again, "
    "or ask an admin to check the account."
)


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("today.index"))
    form = LoginForm()
    if form.validate_on_submit():
        if sign_in_refused(form.email.data, request.remote_addr):
            accounts.record_failed_login(form.email.data)
            db.session.commit()
            form.password.errors.append(_(THROTTLED_MESSAGE))
            response = make_response(render_template("auth/login.html", form=form), 429)
            response.headers["Retry-After"] = str(current_app.config["LOGIN_THROTTLE_MINUTES"] * 60)
            return response
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            accounts.record_failed_login(form.email.data)
            db.session.commit()
            form.password.errors.append(_(FAILED_LOGIN_MESSAGE))
        else:
            target = safe_next(request.args.get("next")) or url_for("today.index")
            if user.has_second_factor:
                db.session.commit()
                session.clear()
                session.update(
                    second_step_user=user.id, second_step_since=time.time(), second_step_next=target
                )
                return redirect(url_for("auth.second_step"))
            return _sign_in(user, target)
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


def _sign_in(user: User, target: str) -> Response:
    session.clear()  # a new session at sign-in, so nothing carries over
    login_user(user)
    start_session_clock()
    accounts.record_login(user)
    db.session.commit()
    return redirect(target)


SECOND_STEP_SECONDS = 300


@bp.route("/login/code", methods=["GET", "POST"])
@public
def second_step() -> Response | tuple[str, int]:
    """The second sign-in step, for accounts with an authenticator app."""
    user_id, since = session.get("second_step_user"), session.get("second_step_since", 0)
    user = db.session.get(User, user_id) if user_id else None
    if user is None or not user.active or time.time() - since > SECOND_STEP_SECONDS:
        session.clear()
        flash(_("Sign in again: the code step waits at most five minutes."))
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if sign_in_refused(user.email, request.remote_addr):
            form.code.errors.append(_(THROTTLED_MESSAGE))
            return render_template("auth/code.html", form=form), 429
        if two_factor.check_code(user, form.code.data):
            return _sign_in(user, session.get("second_step_next") or url_for("today.index"))
        accounts.record_failed_login(user.email)
        db.session.commit()
        form.code.errors.append(
            _("That code is not right, or was used already. Wait for the next one.")
        )
    return render_template("auth/code.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
def logout() -> Response:
    user = current_user._get_current_object()
    endpoint = request.form.get("push_endpoint", "")
    # A raw form value: one with control characters is no subscription (and PostgreSQL refuses NUL).
    if endpoint and len(endpoint) <= 1000 and without_controls(endpoint) == endpoint:
        push_service.remove_endpoint(user, endpoint)
    accounts.end_sessions(user)
    audit.record(AuditAction.LOGOUT, "user", user.id, user=user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."))
    return redirect(url_for("auth.login"))
