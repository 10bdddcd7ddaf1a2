"""A client's consents and releases of information: listed, recorded and revoked."""

from __future__ import annotations

from datetime import datetime, time

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.forms.cases import to_utc
from webapp.forms.consents import ConsentForm, RevokeConsentForm
from webapp.models import Client, ConsentMethod, ConsentScope, Program, Provider, utcnow
from webapp.queries.consents import (
    EXPIRING_WITHIN,
    consents_by_state,
    consents_seen_through,
    open_cases_to_record_in,
    who_may_be_named,
)
from webapp.queries.visibility import visible_cases_of
from webapp.services import clients
from webapp.timeutil import local_today
from webapp.web.access import get_client_or_404
from webapp.web.templating import local_date, say

bp = Blueprint("consents", __name__, url_prefix="/clients")


def _consent_form(client: Client, **kwargs) -> ConsentForm:
    providers, programs = who_may_be_named()
    cases = open_cases_to_record_in(visible_cases_of(current_user, client))
    return ConsentForm(providers=providers, programs=programs, cases=cases, **kwargs)


def _page(
    client: Client,
    form: ConsentForm,
    revoking: tuple[int, RevokeConsentForm] | None = None,
    *,
    status: int = 200,
) -> tuple[str, int]:
    visible = visible_cases_of(current_user, client)
    today = local_today()
    listed = consents_by_state(client, visible, today)
    revoke_forms = {
        consent.id: RevokeConsentForm(prefix=f"revoke-{consent.id}", formdata=None)
        for consent in listed.current + listed.expiring
    }
    if revoking is not None:
        revoke_forms[revoking[0]] = revoking[1]
    return render_template(
        "consents/index.html",
        client=client,
        listed=listed,
        form=form,
        revoke_forms=revoke_forms,
        can_record=bool(form.case.choices),
        today=today,
        expiring_within=EXPIRING_WITHIN,
    ), status


@bp.route("/<persistent_id>/consents", methods=["GET", "POST"])
def index(persistent_id: str) -> Response | tuple[str, int]:
    client = get_client_or_404(persistent_id)
    form = _consent_form(client)
    if form.is_submitted() and not form.case.choices:
        abort(403)  # no open case of theirs to record it in
    if form.validate_on_submit():
        case = next(
            case
            for case in visible_cases_of(current_user, client)
            if str(case.id) == form.case.data
        )
        scope = ConsentScope(form.scope.data)
        given_on = form.given_on.data
        clients.record_consent(
            client,
            scope=scope,
            method=ConsentMethod(form.method.data),
            recorded_by=current_user,
            given_at=utcnow()
            if given_on == local_today()
            else to_utc(datetime.combine(given_on, time(12))),
            provider=db.session.get(Provider, int(form.provider.data))
            if scope == ConsentScope.SHARING
            else None,
            programs=db.session.scalars(
                sa.select(Program).where(Program.id.in_(form.programs.data or []))
            ).all(),
            all_programs=form.all_programs.data,
            expires_on=form.expires_on.data,
            witness=form.witness.data or "",
            note=form.note.data or "",
            case=case,
        )
        db.session.commit()
        flash(_("Consent recorded: %(scope)s.", scope=_(scope.label)))
        return redirect(url_for("consents.index", persistent_id=client.display_id))
    return _page(client, form, status=422 if form.errors else 200)


@bp.post("/<persistent_id>/consents/<int:consent_id>/revoke")
def revoke(persistent_id: str, consent_id: int) -> Response | tuple[str, int]:
    client = get_client_or_404(persistent_id)
    consent = next(
        (
            consent
            for consent in consents_seen_through(client, visible_cases_of(current_user, client))
            if consent.id == consent_id
        ),
        None,
    )
    if consent is None:
        abort(404)
    if consent.revoked_at is not None:  # a second tap, or two people at once
        flash(_("Consent already revoked on %(day)s.", day=local_date(consent.revoked_at)))
        return redirect(url_for("consents.index", persistent_id=client.display_id))
    form = RevokeConsentForm(prefix=f"revoke-{consent.id}")
    if form.validate_on_submit():
        try:
            clients.revoke_consent(consent, revoked_by=current_user, reason=form.reason.data)
        except clients.ClientError as error:
            form.reason.errors = [say(error.args[0])]
        else:
            db.session.commit()
            flash(
                _(
                    "Consent revoked: %(scope)s. Nothing more is shared under it.",
                    scope=_(consent.scope.label),
                )
            )
            return redirect(url_for("consents.index", persistent_id=client.display_id))
    return _page(client, _consent_form(client, formdata=None), (consent.id, form), status=422)
