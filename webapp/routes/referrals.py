"""A referral: making one from a case, its history, and confirming what happened next."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.forms.cases import ReferralForm, ReferralStatusForm, service_choices, to_utc
from webapp.forms.consents import DEFAULT_TERM
from webapp.models import (
    AuditAction,
    Case,
    ConfirmationMethod,
    Consent,
    ConsentMethod,
    ConsentScope,
    Referral,
    ReferralStatus,
    Service,
    ServiceCategory,
)
from webapp.queries.case_state import load_state
from webapp.queries.consents import consent_to_share_with, consents_seen_through, sharing_in_force
from webapp.queries.directory_search import ServiceQuery, active_services, matching
from webapp.queries.visibility import visible_cases_of
from webapp.services import audit, clients, referrals
from webapp.timeutil import local_today
from webapp.web.access import get_case_or_404
from webapp.web.fragments import render_page_or_fragment
from webapp.web.idempotency import idempotent
from webapp.web.security import back_to_case, safe_next
from webapp.web.templating import short_date

bp = Blueprint("referrals", __name__)


def get_referral_or_404(referral_id: int) -> Referral:
    referral = db.session.get(Referral, referral_id)
    if referral is None:
        abort(404)
    get_case_or_404(referral.case_id)  # the referral is seen by whoever may see its case
    return referral


@bp.route("/referrals/<int:referral_id>", methods=["GET", "POST"])
@idempotent
def view(referral_id: int) -> Response | tuple[str, int]:
    referral = get_referral_or_404(referral_id)
    form = ReferralStatusForm(referral=referral)
    if referral.next_statuses and form.validate_on_submit():
        try:
            referrals.change_status(
                referral,
                ReferralStatus(form.status.data),
                confirmed_by=current_user,
                method=ConfirmationMethod(form.method.data),
                occurred_at=to_utc(form.occurred_at.data),
                note=form.note.data or "",
                follow_up_on=form.follow_up_on.data,
                appointment=referrals.Appointment(
                    form.appointment_on.data,
                    form.appointment_time.data,
                    form.appointment_place.data or "",
                )
                if form.scheduling
                else None,
            )
        except referrals.ReferralError as error:
            form.status.errors.append(str(error))
        else:
            db.session.commit()
            flash(
                _(
                    "Referral to %(provider)s: %(status)s.",
                    provider=referral.service.provider.name,
                    status=_(referral.status.label).lower(),
                )
            )
            return redirect(
                safe_next(request.args.get("next"))
                or url_for("cases.view", case_id=referral.case_id)
            )
    elif request.method == "POST" and not referral.next_statuses:
        form.status.errors = [_("This referral is finished; nothing more can be recorded on it.")]
    if request.method == "GET":
        audit.record(AuditAction.VIEW, "referral", referral.id)
        db.session.commit()
    status = 422 if form.errors else 200
    return render_template("referrals/view.html", referral=referral, form=form), status


def _consent_given_now(form: ReferralForm, case: Case, service: Service) -> Consent | None:
    """The client's consent to share with the provider, recorded in the referral form itself, or
    None with the reason beside the field."""
    provider = service.provider.name
    if not form.share_consent.data:
        form.share_consent.errors = [
            _(
                "No consent in force lets us share with %(provider)s. Ask the client; if they "
                "agree, tick this and say how.",
                provider=provider,
            )
        ]
        return None
    if form.share_method.data not in (ConsentMethod.VERBAL.value, ConsentMethod.SIGNED.value):
        form.share_method.errors = [_("Say how the client agreed.")]
        return None
    witness = (form.share_witness.data or "").strip()
    if form.share_method.data == ConsentMethod.VERBAL.value and not witness:
        form.share_witness.errors = [_("A verbal consent names who else heard it.")]
        return None
    return clients.record_consent(
        case.client,
        scope=ConsentScope.SHARING,
        method=ConsentMethod(form.share_method.data),
        witness=witness,
        recorded_by=current_user,
        provider=service.provider,
        expires_on=local_today() + DEFAULT_TERM,
        case=case,
    )


@bp.route("/cases/<int:case_id>/referrals/new", methods=["GET", "POST"])
@idempotent
def new(case_id: int) -> Response | tuple[str, int]:
    case = get_case_or_404(case_id)
    services = active_services()
    query = ServiceQuery.from_args(request.args)
    goals = load_state(case).active_goals
    form = ReferralForm(services=services, goals=goals)
    if not form.is_submitted() and request.args.get("goal", "").isdigit():
        form.goal.data = int(request.args["goal"])
    if not form.is_submitted() and request.args.get("service", "").isdigit():
        # Narrowing the list keeps the service already chosen (the filter sends it along).
        form.service.data = int(request.args["service"][:12])
    visible_consents = consents_seen_through(
        case.client, visible_cases_of(current_user, case.client)
    )
    today = local_today()
    if form.validate_on_submit():
        service = next((s for s in services if s.id == form.service.data), None)
        if service is None:
            form.service.errors.append(_("Choose a service from the directory."))
        else:
            consent = consent_to_share_with(visible_consents, service.provider_id, today)
            if consent is None:
                consent = _consent_given_now(form, case, service)
            if consent is not None:
                try:
                    referral = referrals.make_referral(
                        case,
                        service,
                        created_by=current_user,
                        today=today,
                        reason=form.reason.data or "",
                        follow_up_on=form.follow_up_on.data,
                        goal=next((goal for goal in goals if goal.id == form.goal.data), None),
                        consent=consent,
                    )
                except referrals.ReferralError as error:
                    form.service.errors.append(str(error))
                else:
                    db.session.commit()
                    flash(
                        _(
                            "Referral to %(provider)s sent. Confirm it by %(day)s.",
                            provider=service.provider.name,
                            day=short_date(referral.follow_up_on),
                        )
                    )
                    return redirect(back_to_case(case.id))
    status = 422 if form.errors else 200
    shown = matching(services, query)
    # Narrow the list to what was searched for, keeping the service already chosen.
    chosen = next((service for service in services if service.id == form.service.data), None)
    form.service.choices = service_choices(
        shown + ([chosen] if chosen and chosen not in shown else [])
    )
    response = render_page_or_fragment(
        "cases/referral_form.html",
        "cases/_service_field.html",
        case=case,
        form=form,
        query=query,
        shown=len(shown),
        has_services=bool(services),
        categories=[(c.value, _(c.label)) for c in ServiceCategory],
        sharing=sharing_in_force(visible_consents, today),
    )
    response.status_code = status
    return response
