"""A referral: making one from a case, its history, and confirming what happened next."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.forms.agency import InternalReferralForm, InternalWithdrawForm
from webapp.forms.cases import ReferralForm, ReferralStatusForm, service_choices, to_utc
from webapp.forms.consents import DEFAULT_TERM
from webapp.forms.provider_links import CommitmentForm, LinkShownForm
from webapp.models import (
    Case,
    ConfirmationMethod,
    Consent,
    ConsentMethod,
    ConsentScope,
    InternalReferral,
    Referral,
    ReferralStatus,
    Service,
    ServiceCategory,
)
from webapp.queries.agency import (
    agency_sharing_in_force,
    consent_to_share_within,
    may_withdraw,
    referable_programs,
    sent_from,
)
from webapp.queries.case_state import load_state
from webapp.queries.consents import (
    consent_to_share_with,
    consents_seen_through,
    contact_channels,
    sharing_in_force,
)
from webapp.queries.directory_search import ServiceQuery, active_services, matching
from webapp.queries.provider_links import current_link, messages_of
from webapp.queries.referral_outcomes import compared_services
from webapp.queries.visibility import visible_cases_of
from webapp.services import agency, clients, provider_links, referrals
from webapp.timeutil import local_today
from webapp.web.access import get_case_or_404, get_referral_or_404
from webapp.web.fragments import render_page_or_fragment
from webapp.web.idempotency import idempotent
from webapp.web.security import back_to_case, safe_next
from webapp.web.share_links import provider_link_url, qr_code
from webapp.web.templating import say, short_date

bp = Blueprint("referrals", __name__)


@bp.route("/referrals/<int:referral_id>", methods=["GET", "POST"])
@idempotent
def view(referral_id: int) -> Response | tuple[str, int]:
    referral = get_referral_or_404(referral_id, shown=True)
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
            form.status.errors.append(say(error.args[0]))
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
    # The view is audited as the referral and its case were loaded. Reading it is a receipt
    # for the provider's answers (written on a connection of its own); only when one was marked
    # does the page start a fresh transaction, to show them read.
    if request.method == "GET" and provider_links.mark_read(referral, current_user):
        db.session.commit()
    return _referral_page(referral, form)


def _referral_page(
    referral: Referral, form: ReferralStatusForm, commitment: CommitmentForm | None = None
) -> tuple[str, int]:
    """The referral page; a form that failed on it comes back with its errors and what was
    typed."""
    link = current_link(referral)
    url = provider_link_url(link)
    commitment = commitment or CommitmentForm(
        formdata=None,
        commitment=referral.provider_commitment,
        commitment_by=referral.provider_commitment_by,
    )
    return render_template(
        "referrals/view.html",
        referral=referral,
        form=form,
        link=link,
        link_url=url,
        qr=qr_code(url),
        shown=LinkShownForm(formdata=None, obj=link) if link else None,
        may_shape=provider_links.may_choose_what_is_shown(current_user, referral.case),
        commitment=commitment,
        messages=messages_of(referral),
        channels=contact_channels(referral.case.client, local_today()),
    ), 422 if form.errors or commitment.errors else 200


@bp.post("/referrals/<int:referral_id>/commitment")
def commitment(referral_id: int) -> Response | tuple[str, int]:
    """What the provider agreed to do and by when, as the worker heard it; a refused one comes
    back on the page with what was typed."""
    referral = get_referral_or_404(referral_id)
    form = CommitmentForm()
    if form.validate_on_submit():
        provider_links.record_commitment(
            referral,
            by=current_user,
            commitment=form.commitment.data or "",
            commitment_by=form.commitment_by.data,
        )
        db.session.commit()
        flash(_("Saved what the provider agreed to do."))
        return redirect(
            url_for("referrals.view", referral_id=referral.id, _anchor="provider-commitment")
        )
    return _referral_page(referral, ReferralStatusForm(formdata=None, referral=referral), form)


def _consent_given_now(
    form: ReferralForm | InternalReferralForm, case: Case, named: str, **sharing: Any
) -> Consent | None:
    """The client's consent to share with `named` (a provider, or a program of the agency),
    recorded in the referral form itself, or None with the reason beside the field. `sharing` is
    the consent's scope and whom it names, as `clients.record_consent` takes them."""
    if not form.share_consent.data:
        form.share_consent.errors = [
            _(
                "No consent in force lets us share with %(provider)s. Ask the client; if they "
                "agree, tick this and say how.",
                provider=named,
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
        method=ConsentMethod(form.share_method.data),
        witness=witness,
        recorded_by=current_user,
        expires_on=local_today() + DEFAULT_TERM,
        case=case,
        **sharing,
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
    internal = InternalReferralForm(
        formdata=None, prefix="internal", programs=referable_programs(case)
    )
    if not form.is_submitted() and request.args.get("program", "").isdigit():
        internal.program.data = int(request.args["program"][:12])
    if form.validate_on_submit():
        service = next((s for s in services if s.id == form.service.data), None)
        if service is None:
            form.service.errors.append(_("Choose a service from the directory."))
        else:
            consent = consent_to_share_with(visible_consents, service.provider_id, today)
            if consent is None:
                consent = _consent_given_now(
                    form,
                    case,
                    service.provider.name,
                    scope=ConsentScope.SHARING,
                    provider=service.provider,
                )
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
                    form.service.errors.append(say(error.args[0]))
                else:
                    # The provider's link is made with the referral; a restricted case's only by
                    # its own worker, who chooses what it shows.
                    if provider_links.may_choose_what_is_shown(current_user, case):
                        provider_links.make_link(referral, by=current_user)
                    db.session.commit()
                    flash(
                        _(
                            "Referral to %(provider)s sent. Share the provider's link with them; "
                            "confirm it by %(day)s.",
                            provider=service.provider.name,
                            day=short_date(referral.follow_up_on),
                        )
                    )
                    return redirect(
                        url_for("referrals.view", referral_id=referral.id, _anchor="provider-link")
                    )
    status = 422 if form.errors else 200
    return _form_page(case, form, internal, status, query, services, visible_consents, today)


def _form_page(
    case: Case,
    form: ReferralForm,
    internal: InternalReferralForm,
    status: int,
    query: ServiceQuery,
    services: list[Service],
    visible_consents: list[Consent],
    today,
) -> Response:
    """The referral page: the directory's form and the agency's, one of them maybe with errors."""
    shown = matching(services, query)
    # Narrow the list to what was searched for, keeping the service already chosen.
    chosen = next((service for service in services if service.id == form.service.data), None)
    listed = shown + ([chosen] if chosen and chosen not in shown else [])
    form.service.choices = service_choices(listed)
    response = render_page_or_fragment(
        "cases/referral_form.html",
        "cases/_service_field.html",
        case=case,
        form=form,
        internal=internal,
        agency_sharing=agency_sharing_in_force(visible_consents, today),
        internal_referrals=sent_from(case),
        query=query,
        shown=len(shown),
        compared=compared_services(listed),
        has_services=bool(services),
        categories=[(c.value, _(c.label)) for c in ServiceCategory],
        sharing=sharing_in_force(visible_consents, today),
    )
    response.status_code = status
    return response


@bp.post("/cases/<int:case_id>/referrals/internal")
@idempotent
def new_internal(case_id: int) -> Response | tuple[str, int]:
    """Refer the client to another program of the agency: it lands in that program's intake
    queue with what the consent allows."""
    case = get_case_or_404(case_id)
    programs = referable_programs(case)
    form = ReferralForm(formdata=None, services=active_services(), goals=[])
    internal = InternalReferralForm(prefix="internal", programs=programs)
    visible_consents = consents_seen_through(
        case.client, visible_cases_of(current_user, case.client)
    )
    today = local_today()
    if internal.validate_on_submit():
        program = next((p for p in programs if p.id == internal.program.data), None)
        if program is None:
            internal.program.errors.append(_("Choose one of the agency's programs."))
        elif case.restricted and not agency.may_send_restricted(current_user, case):
            internal.restricted_confirmed.errors = [
                _("This case is restricted: only its worker or their supervisor may send it.")
            ]
        elif case.restricted and not internal.restricted_confirmed.data:
            internal.restricted_confirmed.errors = [
                _("Tick this to send a restricted case's intake and assessment.")
            ]
        else:
            consent = consent_to_share_within(visible_consents, program, today)
            if consent is None:
                consent = _consent_given_now(
                    internal,
                    case,
                    program.name,
                    scope=ConsentScope.AGENCY_SHARING,
                    programs=[program],
                )
            if consent is not None:
                try:
                    agency.refer_within_agency(
                        case,
                        program,
                        created_by=current_user,
                        consent=consent,
                        today=today,
                        reason=internal.reason.data or "",
                        restricted_confirmed=bool(internal.restricted_confirmed.data),
                    )
                except agency.AgencyError as error:
                    internal.program.errors.append(say(error.args[0]))
                else:
                    db.session.commit()
                    flash(
                        _(
                            "Referral to %(program)s sent: it is in their intake queue.",
                            program=program.name,
                        )
                    )
                    return redirect(back_to_case(case.id))
    db.session.rollback()
    return _form_page(
        case,
        form,
        internal,
        422,
        ServiceQuery.from_args({}),
        active_services(),
        consents_seen_through(case.client, visible_cases_of(current_user, case.client)),
        today,
    )


@bp.route("/internal-referrals/<int:referral_id>/withdraw", methods=["GET", "POST"])
def withdraw_internal(referral_id: int) -> Response | tuple[str, int]:
    """The referring case's people take back a referral the receiving program has not decided,
    with the reason (kept with the referring case; the receiving program never sees it)."""
    referral = db.session.get(InternalReferral, referral_id)
    if referral is None:
        abort(404)
    case = get_case_or_404(referral.from_case_id)
    if not may_withdraw(current_user, referral):
        abort(403)
    form = InternalWithdrawForm()
    error = None
    if request.method == "POST":
        if not referral.is_pending:
            error = _("This referral was already decided: it cannot be withdrawn.")
        elif form.validate_on_submit():
            try:
                agency.withdraw(referral, withdrawn_by=current_user, reason=form.reason.data)
            except agency.AgencyError as problem:
                db.session.rollback()
                referral = db.session.get(InternalReferral, referral_id)
                if referral.is_pending:
                    form.reason.errors = [say(problem.args[0])]
                else:
                    error = say(problem.args[0])
            else:
                db.session.commit()
                flash(
                    _(
                        "Referral to %(program)s withdrawn: it has left their intake queue.",
                        program=referral.to_program.name,
                    )
                )
                return redirect(
                    url_for("cases.view", case_id=case.id, _anchor="internal-referrals")
                )
    status = 409 if error else 422 if request.method == "POST" else 200
    db.session.commit()
    return render_template(
        "cases/internal_withdraw.html", referral=referral, case=case, form=form, error=error
    ), status
