"""Reports on outcomes and practice, with their CSV exports and a de-identified case extract."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from webapp.extensions import db
from webapp.forms.reports import WITH_CHILDREN, ReportFilterForm
from webapp.models import AuditAction, CaseModel, User, program_memberships
from webapp.reports import extract
from webapp.reports.catalogue import REPORTS
from webapp.reports.charts import chart_for
from webapp.reports.scope import CaseStatus, Scope, may_see_reports, report_programs
from webapp.services import audit
from webapp.timeutil import local_today
from webapp.web.csv_export import csv_response

bp = Blueprint("reports", __name__, url_prefix="/reports")

DEFAULT_RANGE = timedelta(days=365)
# Rows of one table on the page; a phone does not scroll through four thousand workers.
PAGE_ROWS = 50
# Workers the picker lists at most; past it, a program is chosen first.
WORKER_PICKER_MOST = 100


@bp.before_request
def supervisors_only() -> None:
    if not may_see_reports(current_user):
        abort(403)


def _worker_choices(program_ids: list[int]) -> tuple[list[sa.Row], bool]:
    """The workers the picker offers, as (id, name) rows, and whether it was cut short. The
    chosen program's workers; with every program, all of them only while they are few: an
    admin's agency has thousands (19 KB of a 27 KB page, and no list to scroll on a phone). A
    worker already chosen stays chosen, and any worker of the viewer's programs is a valid
    choice, whatever the picker lists."""
    chosen = request.args.get("program", "")
    shown = [int(chosen)] if chosen.isdigit() and int(chosen) in program_ids else program_ids
    members = sa.select(program_memberships.c.user_id)
    listed = db.session.execute(
        sa.select(User.id, User.display_name)
        .where(User.id.in_(members.where(program_memberships.c.program_id.in_(shown))))
        .order_by(User.display_name)
        .limit(WORKER_PICKER_MOST + 1)
    ).all()
    capped = len(listed) > WORKER_PICKER_MOST
    if capped:
        listed = []
    asked = request.args.get("worker", "")
    if asked.isdigit() and len(asked) < 10 and int(asked) not in {row.id for row in listed}:
        listed += db.session.execute(
            sa.select(User.id, User.display_name).where(
                User.id == int(asked),
                User.id.in_(members.where(program_memberships.c.program_id.in_(program_ids))),
            )
        ).all()
    return listed, capped


def _filters() -> tuple[ReportFilterForm, Scope | None]:
    """The filter form from the query string, and the scope it describes when it is valid."""
    programs = report_programs(current_user)
    program_ids = [program.id for program in programs]
    workers, picker_capped = _worker_choices(program_ids)
    form = ReportFilterForm(request.args, programs=programs, workers=workers)
    if picker_capped:
        form.worker.description = _("Choose a program first to pick one of its workers.")
    if not form.validate() or not program_ids:
        return form, None
    until = form.until.data or local_today()
    since = form.since.data or until - DEFAULT_RANGE
    if since > until:
        form.since.errors.append(_("The start date is after the end date."))
        return form, None
    return form, Scope(
        viewer=current_user._get_current_object(),
        program_ids=(int(form.program.data),) if form.program.data else tuple(program_ids),
        since=since,
        until=until,
        worker_id=int(form.worker.data) if form.worker.data else None,
        model=CaseModel(form.model.data) if form.model.data else None,
        status=form.status.data or CaseStatus.ALL,
        with_children=form.households.data == WITH_CHILDREN,
    )


@bp.get("")
def index() -> tuple[str, int]:
    form, scope = _filters()
    tables = [report(scope) for report in REPORTS.values()] if scope else []
    return render_template(
        "reports/index.html",
        form=form,
        scope=scope,
        reports=[(table, chart_for(table)) for table in tables],
        has_programs=bool(form.program.choices[1:]),
        page_rows=PAGE_ROWS,
    ), 422 if form.errors else 200


def _export_name(key: str, scope: Scope) -> str:
    return f"waymark-{key}-{scope.since.isoformat()}-to-{scope.until.isoformat()}.csv"


@bp.get("/<key>.csv")
def export(key: str) -> Response:
    form, scope = _filters()
    if key == "extract":
        if scope is None:
            abort(422)
        audit.record(AuditAction.EXPORT, "case_extract", None)
        return csv_response(
            _export_name("cases-deidentified", scope), extract.HEADER, extract.rows(scope)
        )
    report = REPORTS.get(key)
    if report is None:
        abort(404)
    if scope is None:
        abort(422)
    table = report(scope)
    audit.record(AuditAction.EXPORT, "report", key)
    return csv_response(_export_name(key, scope), table.columns, table.rows)
