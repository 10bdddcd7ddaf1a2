"""A case: where it stands and what to do next; logging contacts and making referrals."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.access import get_case_or_404
from webapp.extensions import db
from webapp.forms.cases import ContactForm, ReferralForm, to_utc
from webapp.idempotency import idempotent
from webapp.models import AuditAction, Case, ContactLog, ContactType, Provider, Referral, Service
from webapp.next_step import next_step
from webapp.security import safe_next
from webapp.services import audit, cases, referrals
from webapp.timeutil import local_today

bp = Blueprint("cases", __name__, url_prefix="/cases")

RECENT_CONTACTS = 10


@bp.get("/<int:case_id>")
def view(case_id: int) -> str:
    case = get_case_or_404(case_id)
    audit.record(AuditAction.VIEW, "case", case.id)
    db.session.commit()
    # The same few queries however many years of contacts and referrals the case holds.
    referrals = db.session.scalars(
        sa.select(Referral).where(Referral.case_id == case.id)
        .options(so.selectinload(Referral.service).selectinload(Service.provider))
        .order_by(Referral.created_at.desc())
    ).all()
    contacts = db.session.scalars(
        sa.select(ContactLog).where(ContactLog.case_id == case.id)
        .options(so.joinedload(ContactLog.recorded_by))
        .order_by(ContactLog.occurred_at.desc()).limit(RECENT_CONTACTS)
    ).all()
    open_referrals = [referral for referral in referrals if referral.is_open]
    today = local_today()
    return render_template(
        "cases/view.html",
        case=case,
        open_referrals=open_referrals,
        closed_referrals=[referral for referral in referrals if not referral.is_open],
        contacts=contacts,
        next_step=next_step(case, today, open_referrals),
        today=today,
    )


def _back_to(case_id: int) -> str:
    """Where a saved form returns: Today when it was opened from there, else the case."""
    return safe_next(request.args.get("next")) or url_for("cases.view", case_id=case_id)


@bp.route("/<int:case_id>/contacts/new", methods=["GET", "POST"])
@idempotent
def new_contact(case_id: int) -> Response | tuple[str, int]:
    return contact_form(get_case_or_404(case_id))


def contact_form(case: Case) -> Response | tuple[str, int]:
    """The contact log for `case`, reached by case id or (from the offline outbox) by client ID."""
    form = ContactForm()
    if form.validate_on_submit():
        try:
            cases.log_contact(
                case,
                recorded_by=current_user,
                occurred_at=to_utc(form.occurred_at.data),
                contact_type=ContactType(form.contact_type.data),
                duration_minutes=form.duration_minutes.data,
                place=form.place.data or "",
                services_given=", ".join(form.services_given.data or []),
                note=form.note.data,
                next_follow_up_on=form.next_follow_up_on.data,
            )
        except cases.CaseError as error:
            form.note.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Contact with {case.client.preferred_name} saved.")
            return redirect(_back_to(case.id))
    status = 422 if form.errors else 200
    return render_template("cases/contact_form.html", case=case, form=form), status


def _directory() -> list[Service]:
    return list(db.session.scalars(
        sa.select(Service).join(Service.provider)
        .where(Service.active, Provider.active)
        .options(so.contains_eager(Service.provider))
        .order_by(Provider.name, Service.name)
    ))


@bp.route("/<int:case_id>/referrals/new", methods=["GET", "POST"])
@idempotent
def new_referral(case_id: int) -> Response | tuple[str, int]:
    case = get_case_or_404(case_id)
    services = _directory()
    form = ReferralForm(services=services)
    if form.validate_on_submit():
        service = next((s for s in services if s.id == form.service.data), None)
        if service is None:
            form.service.errors.append("Choose a service from the directory.")
        else:
            try:
                referral = referrals.make_referral(
                    case, service, created_by=current_user, today=local_today(),
                    reason=form.reason.data or "", follow_up_on=form.follow_up_on.data,
                )
            except referrals.ReferralError as error:
                form.service.errors.append(str(error))
            else:
                db.session.commit()
                flash(f"Referral to {service.provider.name} sent. Confirm it by {referral.follow_up_on:%-d %b}.")
                return redirect(_back_to(case.id))
    status = 422 if form.errors else 200
    return render_template("cases/referral_form.html", case=case, form=form, has_services=bool(services)), status
