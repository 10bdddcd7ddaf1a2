"""The signed-in person's own account: two-step sign-in, reminders and their settings."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import refresh as refresh_language
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.forms.auth import CodeForm
from webapp.forms.settings import SettingsForm
from webapp.models import PushSubscription
from webapp.services import accounts, two_factor
from webapp.services import push as push_service
from webapp.web.security import answers_json
from webapp.web.templating import say
from webapp.web_push import PushError, vapid_keys

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
            flash(_("Two-step sign-in is on. You will be asked for a code each time you sign in."))
            return redirect(url_for("today.index"))
        form.code.errors.append(
            _("That code does not match. Check the app shows Waymark, and try the next code.")
        )
    return render_template(
        "account/two_step.html",
        enabled=False,
        form=form,
        secret=secret,
        qr_code=two_factor.qr_code(current_user, secret),
    ), 422 if form.errors else 200


@bp.route("/settings", methods=["GET", "POST"])
def settings() -> Response | tuple[str, int]:
    """Reminders on this device, the devices that get them, the time zone and quiet hours."""
    user = current_user._get_current_object()
    form = SettingsForm(
        organisation_zone=current_app.config["TIMEZONE"],
        data=None
        if request.method == "POST"
        else {
            "language": user.language or "",
            "work_phone": user.work_phone,
            "time_zone": user.time_zone or "",
            "quiet_from": user.quiet_from,
            "quiet_until": user.quiet_until,
        },
    )
    if form.validate_on_submit():
        accounts.update_settings(
            user,
            language=form.language.data or None,
            work_phone=(form.work_phone.data or "").strip(),
            time_zone=form.time_zone.data or None,
            quiet_from=form.quiet_from.data,
            quiet_until=form.quiet_until.data,
        )
        db.session.commit()
        # The page that confirms a new language is already in it.
        refresh_language()
        flash(_("Settings saved."))
        return redirect(url_for("account.settings"))
    return render_template(
        "account/settings.html",
        form=form,
        devices=push_service.devices_of(user),
        server_key=vapid_keys().application_server_key,
    ), 422 if form.errors else 200


@bp.post("/push-subscriptions")
@answers_json
def add_push_subscription() -> tuple[Response, int]:
    """The browser's subscription, sent by static/js/reminders.js after the user tapped "Turn
    on"."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
        return jsonify(
            error="Send the subscription as JSON: endpoint, keys.p256dh, keys.auth."
        ), 400
    fields = (
        data.get("endpoint"),
        data["keys"].get("p256dh"),
        data["keys"].get("auth"),
        data.get("label", ""),
    )
    if not all(isinstance(value, str) for value in fields) or len(fields[0]) > 1000:
        return jsonify(error="The subscription is not in the expected form."), 400
    try:
        subscription = push_service.subscribe(
            current_user, endpoint=fields[0], p256dh=fields[1], auth=fields[2], label=fields[3]
        )
    except PushError as error:
        return jsonify(error=say(error.args[0])), 400
    db.session.commit()
    return jsonify(id=subscription.id, label=subscription.device_label), 201


@bp.post("/push-subscriptions/<int:subscription_id>/delete")
def remove_push_subscription(subscription_id: int) -> Response:
    subscription = db.session.get(PushSubscription, subscription_id)
    if subscription is None or subscription.user_id != current_user.id:
        abort(404)
    push_service.remove(current_user, subscription)
    db.session.commit()
    flash(_("That device will get no more reminders."))
    return redirect(url_for("account.settings"))


@bp.post("/push-test")
def push_test() -> Response:
    """Send a test notification to each of the user's devices and say how each went."""
    results = push_service.send_test(current_user._get_current_object())
    db.session.commit()
    if not results:
        flash(_("No device gets reminders yet: turn them on first."))
    for label, outcome in results:
        flash(
            _("%(device)s: test sent.", device=label)
            if outcome == "sent"
            else _("%(device)s: not delivered (%(why)s).", device=label, why=outcome)
        )
    return redirect(url_for("account.settings"))
