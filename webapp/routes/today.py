"""Today: the signed-in worker's due work, most pressing first."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from webapp.timeutil import local_today
from webapp.today import due_items

bp = Blueprint("today", __name__)


@bp.get("/")
def index() -> str:
    today = local_today()
    return render_template("today/index.html", items=due_items(current_user, today), today=today)
