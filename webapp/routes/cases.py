"""A case: where it stands, what it holds."""

from __future__ import annotations

from flask import Blueprint, render_template

from webapp.access import get_case_or_404
from webapp.extensions import db
from webapp.models import AuditAction
from webapp.services import audit

bp = Blueprint("cases", __name__, url_prefix="/cases")

RECENT_CONTACTS = 10


@bp.get("/<int:case_id>")
def view(case_id: int) -> str:
    case = get_case_or_404(case_id)
    audit.record(AuditAction.VIEW, "case", case.id)
    db.session.commit()
    open_referrals = [referral for referral in case.referrals if referral.is_open]
    return render_template(
        "cases/view.html",
        case=case,
        open_referrals=open_referrals,
        contacts=case.contacts[:RECENT_CONTACTS],
    )
