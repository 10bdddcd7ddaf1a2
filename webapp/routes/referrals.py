"""A referral: its history, and confirming what happened next."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.forms.cases import ReferralStatusForm, to_utc
from webapp.models import AuditAction, ConfirmationMethod, Referral, ReferralStatus
from webapp.services import audit, referrals
from webapp.web.access import get_case_or_404
from webapp.web.idempotency import idempotent
from webapp.web.security import safe_next

bp = Blueprint("referrals", __name__, url_prefix="/referrals")


def get_referral_or_404(referral_id: int) -> Referral:
    referral = db.session.get(Referral, referral_id)
    if referral is None:
        abort(404)
    get_case_or_404(referral.case_id)  # the referral is seen by whoever may see its case
    return referral


@bp.route("/<int:referral_id>", methods=["GET", "POST"])
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
            )
        except referrals.ReferralError as error:
            form.status.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Referral to {referral.service.provider.name}: {referral.status.label.lower()}.")
            return redirect(safe_next(request.args.get("next")) or url_for("cases.view", case_id=referral.case_id))
    elif request.method == "POST" and not referral.next_statuses:
        form.status.errors = ["This referral is finished; nothing more can be recorded on it."]
    if request.method == "GET":
        audit.record(AuditAction.VIEW, "referral", referral.id)
        db.session.commit()
    status = 422 if form.errors else 200
    return render_template("referrals/view.html", referral=referral, form=form), status
