"""A referral: making one from a case, its history, and confirming what happened next."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.forms.cases import ReferralForm, ReferralStatusForm, service_choices, to_utc
from webapp.models import AuditAction, ConfirmationMethod, Referral, ReferralStatus, ServiceCategory
from webapp.queries.case_state import load_state
from webapp.queries.directory_search import ServiceQuery, active_services, matching
from webapp.services import audit, referrals
from webapp.timeutil import local_today
from webapp.web.access import get_case_or_404
from webapp.web.fragments import render_page_or_fragment
from webapp.web.idempotency import idempotent
from webapp.web.security import back_to_case, safe_next

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
            flash(f"Referral to {referral.service.provider.name}: {referral.status.label.lower()}.")
            return redirect(
                safe_next(request.args.get("next"))
                or url_for("cases.view", case_id=referral.case_id)
            )
    elif request.method == "POST" and not referral.next_statuses:
        form.status.errors = ["This referral is finished; nothing more can be recorded on it."]
    if request.method == "GET":
        audit.record(AuditAction.VIEW, "referral", referral.id)
        db.session.commit()
    status = 422 if form.errors else 200
    return render_template("referrals/view.html", referral=referral, form=form), status


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
    if form.validate_on_submit():
        service = next((s for s in services if s.id == form.service.data), None)
        if service is None:
            form.service.errors.append("Choose a service from the directory.")
        else:
            try:
                referral = referrals.make_referral(
                    case,
                    service,
                    created_by=current_user,
                    today=local_today(),
                    reason=form.reason.data or "",
                    follow_up_on=form.follow_up_on.data,
                    goal=next((goal for goal in goals if goal.id == form.goal.data), None),
                )
            except referrals.ReferralError as error:
                form.service.errors.append(str(error))
            else:
                db.session.commit()
                flash(
                    f"Referral to {service.provider.name} sent. Confirm it by "
                    f"{referral.follow_up_on:%-d %b}."
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
        categories=[(c.value, c.label) for c in ServiceCategory],
    )
    response.status_code = status
    return response
