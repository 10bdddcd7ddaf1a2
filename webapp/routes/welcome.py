"""A new colleague's set-up link: /welcome/<token>, where they choose their password.

Like the other links handed to people without a session: opening it changes nothing, every dead
link gets one page, the space is rate-limited per address, and the token stays out of logs and the
audit trail."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.forms.staff import SetUpForm
from webapp.services import staff
from webapp.web import link_pages
from webapp.web.security import public
from webapp.web.templating import say

bp = Blueprint("welcome", __name__, url_prefix="/welcome")

REQUESTS_PER_WINDOW = 30
link_pages.guard(bp, key="w", busy_template="welcome/busy.html", limit=lambda: REQUESTS_PER_WINDOW)


@bp.route("/<token>", methods=["GET", "POST"])
@public
def set_up(token: str) -> Response | tuple[str, int]:
    invitation = staff.find_usable(token)
    if invitation is None:
        return render_template("welcome/gone.html"), 404
    form = SetUpForm()
    if form.validate_on_submit():
        try:
            user = staff.set_up(invitation, form.password.data)
        except staff.StaffError as error:
            db.session.rollback()
            form.password.errors.append(say(error.args[0]))
        else:
            db.session.commit()
            flash(_("Your password is set. Sign in with %(email)s.", email=user.email))
            return redirect(url_for("auth.login"))
    return render_template(
        "welcome/form.html", form=form, person=invitation.user
    ), 422 if form.errors else 200
