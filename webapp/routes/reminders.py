"""Every reminder the user has: the same items Today shows and the pushes announce."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.models import AuditAction, utcnow
from webapp.queries.reminders import due_reminders
from webapp.queries.today import clients_named
from webapp.services import audit, reminders
from webapp.services import push as push_service
from webapp.text import without_controls
from webapp.timeutil import today_for
from webapp.web.templating import say

bp = Blueprint("reminders", __name__, url_prefix="/reminders")

MAX_KEY = 160


@bp.get("")
def index() -> str:
    items = due_reminders(current_user)
    page = render_template(
        "reminders/index.html",
        items=items,
        today=today_for(current_user),
        snooze_choices=SNOOZE_LABELS,
        has_device=bool(push_service.devices_of(current_user)),
    )
    # The same names Today shows, so the same views of their records (see routes/today.py).
    audit.record_all(AuditAction.VIEW, "client", clients_named(items))
    return page


SNOOZE_LABELS = {"1h": _l("1 hour"), "4h": _l("4 hours"), "1d": _l("Tomorrow"), "3d": _l("3 days")}


def _key() -> str:
    key = request.form.get("key", "")
    # A raw form value: a key is ours (kind:record:date), so control characters mean it is not one.
    if not key or len(key) > MAX_KEY or without_controls(key) != key:
        abort(400)
    return key


@bp.post("/snooze")
def snooze() -> Response:
    key = _key()
    until = reminders.snooze_until(request.form.get("for", ""), current_user, utcnow())
    if until is None:
        abort(400)
    try:
        reminders.snooze(current_user, key, until)
    except reminders.ReminderError as error:
        flash(say(error.args[0]))
    else:
        db.session.commit()
        flash(
            _("Snoozed for %(time)s.", time=str(SNOOZE_LABELS[request.form["for"]]).lower())
            if request.form["for"] != "1d"
            else _("Snoozed until tomorrow morning.")
        )
    return redirect(url_for("reminders.index"))


@bp.post("/done")
def done() -> Response:
    try:
        reminders.mark_done(current_user, _key())
    except reminders.ReminderError as error:
        flash(say(error.args[0]))
    else:
        db.session.commit()
        flash(_("Marked done. It comes back if its date changes."))
    return redirect(url_for("reminders.index"))
