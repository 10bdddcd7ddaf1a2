"""Supervision: caseloads against the model's cap, overdue contacts, gaps in the practice model,
and closures waiting for a decision."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.queries.supervision import SECTIONS, overview, section_page
from webapp.queries.visibility import is_supervisor_or_admin
from webapp.timeutil import local_today
from webapp.web.fragments import render_page_or_fragment

bp = Blueprint("supervision", __name__, url_prefix="/supervision")

# Far past any real section; a page number beyond it is refused, not counted to.
MAX_PAGE = 10_000


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


@bp.get("/<section>")
def section(section: str) -> Response:
    """One page of a section: the next rows under "More" (htmx), or a page of its own."""
    if section not in SECTIONS:
        abort(404)
    page = request.args.get("page", "1")
    if not page.isdigit() or not 1 <= int(page) <= MAX_PAGE:
        abort(400)
    listed = section_page(current_user, section, local_today(), int(page))
    return render_page_or_fragment(
        "supervision/section.html", "supervision/_cases.html", listed=listed
    )
