"""Today: the signed-in worker's due work, most pressing first."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from webapp.queries.reminders import due_reminders
from webapp.timeutil import today_for

bp = Blueprint("today", __name__)


@bp.get("/")
def index() -> str:
    return render_template(
        "today/index.html", items=due_reminders(current_user), today=today_for(current_user)
    )
