"""Supervision: caseloads against the model's cap, overdue contacts, gaps in the practice model,
and closures waiting for a decision."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from webapp.queries.supervision import overview
from webapp.queries.visibility import is_supervisor_or_admin
from webapp.timeutil import local_today

bp = Blueprint("supervision", __name__, url_prefix="/supervision")


@bp.before_request
def supervisors_only() -> None:
    if not is_supervisor_or_admin(current_user):
        abort(403)


@bp.get("")
def index() -> str:
    today = local_today()
    return render_template(
        "supervision/index.html", view=overview(current_user, today), today=today
    )
