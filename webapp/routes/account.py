"""The signed-in person's own account: turning on two-step sign-in."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.forms.auth import CodeForm
from webapp.services import two_factor

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/two-step", methods=["GET", "POST"])
def two_step() -> Response | tuple[str, int]:
    if current_user.has_second_factor:
        return render_template("account/two_step.html", enabled=True, form=None), 200
    # The secret is kept in the signed session until the person proves their app has it.
    secret = session.setdefault("two_step_secret", two_factor.new_secret())
    form = CodeForm()
    if form.validate_on_submit():
        if two_factor.enable(current_user, secret, form.code.data):
            session.pop("two_step_secret", None)
            db.session.commit()
            flash("Two-step sign-in is on. You will be asked for a code each time you sign in.")
            return redirect(url_for("today.index"))
        form.code.errors.append("That code does not match. Check the app shows Waymark, and try the next code.")
    return render_template("account/two_step.html", enabled=False, form=form, secret=secret,
                           qr_code=two_factor.qr_code(current_user, secret)), 422 if form.errors else 200
