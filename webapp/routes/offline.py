"""What the phone keeps for working offline: the session's identity and a fresh CSRF token for
the outbox, the worker's own caseload for the forms' pickers, the form shells, and the record of
an entry the worker discarded."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import Blueprint, Response, abort, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from webapp.extensions import db
from webapp.forms.cases import ContactForm, ReferralStatusForm
from webapp.forms.clients import IntakeForm
from webapp.models import (
    ALLOWED_TRANSITIONS,
    MOVED_LABEL,
    AuditAction,
    Case,
    ReferralStatus,
)
from webapp.queries.caseload import caseload
from webapp.queries.intake_rules import questions_by_program
from webapp.queries.visibility import intake_programs
from webapp.services import audit
from webapp.timeutil import today_for
from webapp.web.security import answers_json
from webapp.web.templating import say

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
def caseload_json() -> Response:
    """The signed-in worker's own open cases: the offline pickers and the caseload cards."""
    cards = caseload(current_user, today_for(current_user))
    for card in cards:
        # The phone shows these as they are: in the worker's language.
        card["phase"], card["next_step"] = _(card["phase"]), say(card["next_step"])
        if card["last_contact"]:
            card["last_contact"]["type"] = _(card["last_contact"]["type"])
    response = jsonify(user_id=current_user.id, cases=cards)
    # Each client's card is now on the phone: a read of their record, as a page of it is.
    client_ids = db.session.scalars(
        sa.select(Case.client_id).where(Case.id.in_([card["id"] for card in cards])).distinct()
    ).all()
    audit.record_all(AuditAction.VIEW, "client", sorted(client_ids))  # written at once (a GET)
    return response


def _shell(template: str, **context) -> Response:
    """A form page with no client data and no CSRF token, which the service worker may keep."""
    response = Response(render_template(template, shell=True, **context))
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/forms/intake")
def intake_shell() -> Response:
    programs = intake_programs(current_user)
    form = IntakeForm(meta={"csrf": False}, programs=programs)
    # Every program's questions go into the shell, so the chosen program's are asked offline.
    return _shell(
        "clients/new.html",
        form=form,
        existing=None,
        check=None,
        programs=programs,
        questions=questions_by_program(programs),
        answer_errors={},
    )


@bp.get("/forms/contact")
def contact_shell() -> Response:
    return _shell("offline/contact_shell.html", form=ContactForm(meta={"csrf": False}))


@bp.get("/caseload")
def caseload_shell() -> Response:
    """My caseload as the phone last saw it online; the cards are drawn from what it keeps."""
    return _shell("offline/caseload.html")


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
    labels = {status.value: _(status.label) for status in ReferralStatus}
    # The same step again (only "scheduled" has it) reads as what it is: the appointment moved.
    labels["again"] = _(MOVED_LABEL)
    form = ReferralStatusForm(meta={"csrf": False}, referral=None)
    return _shell(
        "offline/referral_status_shell.html", form=form, transitions=transitions, labels=labels
    )
