"""A client's record: their cases, consents and history."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.access import get_client_or_404, visible_cases_of
from webapp.extensions import db
from webapp.models import AuditAction
from webapp.services import audit
from webapp.timeutil import local_today

bp = Blueprint("clients", __name__, url_prefix="/clients")


@bp.get("/<persistent_id>")
def view(persistent_id: str) -> Response | str:
    client = get_client_or_404(persistent_id)
    if persistent_id != client.display_id:
        # One stable URL per person: typed spellings and merged IDs lead to it.
        return redirect(url_for("clients.view", persistent_id=client.display_id))
    audit.record(AuditAction.VIEW, "client", client.id)
    db.session.commit()
    return render_template(
        "clients/view.html",
        client=client,
        cases=visible_cases_of(current_user, client),
        today=local_today(),
    )
