"""Supervision: caseloads against the model's cap, overdue contacts, gaps in the practice model,
and closures waiting for a decision."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.models import AuditAction
from webapp.queries.supervision import SECTIONS, caseload_page, overview, section_page
from webapp.queries.visibility import is_supervisor_or_admin
from webapp.services import audit
from webapp.timeutil import local_today
from webapp.web.fragments import render_page_or_fragment
from webapp.web.paging import page_number

bp = Blueprint("supervision", __name__, url_prefix="/supervision")


@bp.before_request
def supervisors_only() -> None:
    if not is_supervisor_or_admin(current_user):
        abort(403)


def _seen(page, case_lists):
    """The clients a list showed (name and ID) were seen: a view of each one's record, as a
    search that shows them is. A GET's events are written at once, on a connection of their
    own: nothing to commit."""
    audit.record_all(
        AuditAction.VIEW,
        "client",
        sorted({case.client_id for cases in case_lists for case in cases}),
    )
    return page


def _viewer():
    """The signed-in user itself: the overview asks who they are once a worker of thousands, and
    through the request-local proxy each asking costs a lookup."""
    return current_user._get_current_object()


@bp.get("")
def index() -> str:
    today = local_today()
    view = overview(_viewer(), today)
    page = render_template("supervision/index.html", view=view, today=today)
    return _seen(
        page,
        [
            *(listed.cases for listed in view.sections.values()),
            [request.case for request in view.closures],
        ],
    )


@bp.get("/caseloads")
def caseloads() -> Response:
    """One page of the caseloads: the next rows under "More" (htmx), or a page of its own.
    Workers' names and counts only: no client is shown."""
    return render_page_or_fragment(
        "supervision/caseloads.html",
        "supervision/_caseloads.html",
        caseloads=caseload_page(_viewer(), local_today(), page_number()),
    )


@bp.get("/<section>")
def section(section: str) -> Response:
    """One page of a section: the next rows under "More" (htmx), or a page of its own."""
    if section not in SECTIONS:
        abort(404)
    listed = section_page(_viewer(), section, local_today(), page_number())
    response = render_page_or_fragment(
        "supervision/section.html", "supervision/_cases.html", listed=listed
    )
    return _seen(response, [listed.cases])
