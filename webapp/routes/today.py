"""Today: the signed-in worker's due work, most pressing first."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from webapp.models import AuditAction
from webapp.queries.reminders import due_reminders
from webapp.queries.today import clients_named
from webapp.services import audit
from webapp.timeutil import today_for

bp = Blueprint("today", __name__)


@bp.get("/")
def index() -> str:
    items = due_reminders(current_user)
    page = render_template("today/index.html", items=items, today=today_for(current_user))
    # Each client an item names was seen, as in a search: a view of their record, whether the
    # item is about their case or not (someone waiting for a place, a referral to decide). A GET's
    # events are written at once, on a connection of their own: nothing to commit.
    audit.record_all(AuditAction.VIEW, "client", clients_named(items))
    return page
