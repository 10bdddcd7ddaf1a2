"""What the phone keeps for working offline: the session's identity and a fresh CSRF token for
the outbox, the worker's own caseload for the forms' pickers, the form shells, and the record of
an entry the worker discarded."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, Response, abort, jsonify, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from webapp.extensions import db
from webapp.forms.cases import ContactForm, ReferralStatusForm
from webapp.forms.clients import IntakeForm
from webapp.models import (
    ALLOWED_TRANSITIONS,
    CLOSED_REFERRAL_STATUSES,
    AuditAction,
    Case,
    Referral,
    ReferralStatus,
    Service,
)
from webapp.queries.visibility import intake_programs, visible_cases
from webapp.services import audit
from webapp.web.security import answers_json

bp = Blueprint("offline", __name__)


@bp.get("/session")
@answers_json
def session_info() -> Response:
    """Who is signed in, and a fresh CSRF token: asked for before every outbox replay."""
    return jsonify(user_id=current_user.id, csrf_token=generate_csrf())


@bp.post("/outbox/discarded")
@answers_json
def discarded() -> Response:
    """A worker discarded an entry saved on their phone that was never accepted: the trail keeps
    that it happened (its key and what kind of form), never what it held."""
    key = request.form.get("key", "")
    try:
        key = str(uuid.UUID(key))
    except ValueError:
        abort(400, description="The entry's key must be a UUID.")
    audit.record(AuditAction.DISCARD, "outbox_entry", key)
    db.session.commit()
    return jsonify(discarded=key)


@bp.get("/offline/caseload.json")
@answers_json
def caseload() -> Response:
    """The signed-in worker's own open cases, just enough for the offline pickers."""
    cases = db.session.scalars(
        sa.select(Case)
        .where(
            Case.primary_worker_id == current_user.id,
            Case.closed_at.is_(None),
            visible_cases(current_user),
        )
        .options(
            so.selectinload(Case.client),
            so.selectinload(Case.program),
            so.selectinload(Case.referrals)
            .selectinload(Referral.service)
            .selectinload(Service.provider),
        )
        .order_by(Case.id)
    ).all()
    return jsonify(
        user_id=current_user.id,
        cases=[
            {
                "id": case.id,
                "name": case.client.preferred_name,
                "client_id": case.client.display_id,
                "program": case.program.name,
                "referrals": [
                    {
                        "id": r.id,
                        "provider": r.service.provider.name,
                        "service": r.service.name,
                        "status": r.status.value,
                    }
                    for r in case.referrals
                    if r.status not in CLOSED_REFERRAL_STATUSES
                ],
            }
            for case in cases
        ],
    )


def _shell(template: str, **context) -> Response:
    """A form page with no client data and no CSRF token, which the service worker may keep."""
    response = Response(render_template(template, shell=True, **context))
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/forms/intake")
def intake_shell() -> Response:
    form = IntakeForm(meta={"csrf": False}, programs=intake_programs(current_user))
    return _shell("clients/new.html", form=form, existing=None, check=None)


@bp.get("/forms/contact")
def contact_shell() -> Response:
    return _shell("offline/contact_shell.html", form=ContactForm(meta={"csrf": False}))


@bp.get("/outbox")
def outbox() -> Response:
    """The outbox page; what it lists lives on the phone, not on the server."""
    return _shell("offline/outbox.html")


@bp.get("/forms/referral-status")
def referral_status_shell() -> Response:
    transitions = {
        status.value: [s.value for s in ReferralStatus if s in following]
        for status, following in ALLOWED_TRANSITIONS.items()
    }
    labels = {status.value: status.label for status in ReferralStatus}
    form = ReferralStatusForm(meta={"csrf": False}, referral=None)
    return _shell(
        "offline/referral_status_shell.html", form=form, transitions=transitions, labels=labels
    )
