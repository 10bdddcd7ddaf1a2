"""Today: the signed-in worker's due work, most pressing first."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, render_template
from flask_login import current_user

from webapp.extensions import db
from webapp.models import CLOSED_REFERRAL_STATUSES, Case, Referral, RiskLevel, Service
from webapp.timeutil import local_today

bp = Blueprint("today", __name__)


@bp.get("/")
def index() -> str:
    today = local_today()
    my_open_cases = sa.select(Case).where(Case.primary_worker_id == current_user.id, Case.closed_at.is_(None))
    with_client = so.selectinload(Case.client)
    urgent = db.session.scalars(
        my_open_cases.where(Case.risk_level == RiskLevel.URGENT).options(with_client).order_by(Case.opened_at)
    ).all()
    follow_ups = db.session.scalars(
        my_open_cases.where(Case.next_follow_up_on <= today)
        .options(with_client)
        .order_by(Case.next_follow_up_on, Case.id)
    ).all()
    referrals = db.session.scalars(
        sa.select(Referral)
        .join(Referral.case)
        .where(
            Case.primary_worker_id == current_user.id,
            Case.closed_at.is_(None),
            Referral.status.not_in(CLOSED_REFERRAL_STATUSES),
            Referral.follow_up_on <= today,
        )
        .options(
            so.contains_eager(Referral.case).selectinload(Case.client),
            so.selectinload(Referral.service).selectinload(Service.provider),
        )
        .order_by(Referral.follow_up_on, Referral.id)
    ).all()
    return render_template(
        "today/index.html", urgent=urgent, follow_ups=follow_ups, referrals=referrals, today=today
    )
