"""Waiting lists: the people a full program accepted, by priority then date; each one's check-in,
the resources offered while they wait, and taking them off the list into a case."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.forms.intake_rules import CheckInForm, LeaveForm, OfferForm, TakeOffForm
from webapp.models import (
    WORKER_ROLES,
    AuditAction,
    IntakeScreening,
    LeftReason,
    Program,
    ScreeningOutcome,
)
from webapp.queries.intake_rules import is_full, open_cases_in, waiting_counts, waiting_list
from webapp.queries.visibility import in_programs_of, programs_of
from webapp.services import audit, intake_rules
from webapp.timeutil import local_today
from webapp.web.access import get_screening_or_404
from webapp.web.fragments import render_page_or_fragment
from webapp.web.paging import page_number
from webapp.web.templating import say

bp = Blueprint("waiting", __name__, url_prefix="/waiting")


@bp.get("")
def index() -> str:
    """The waiting lists of the user's programs, with how many wait on each."""
    programs = db.session.scalars(
        sa.select(Program)
        .where(Program.id.in_(programs_of(current_user)))
        .order_by(Program.active.desc(), Program.name)
    ).all()
    return render_template(
        "waiting/index.html", programs=programs, counts=waiting_counts(current_user)
    )


@bp.get("/programs/<int:program_id>")
def program_list(program_id: int) -> Response:
    """A program's waiting list a page at a time: "More" brings the next page in place (htmx),
    or `?page=N` on its own."""
    program = db.session.get(Program, program_id)
    if program is None or not in_programs_of(current_user, program.id):
        abort(404)
    waiting = waiting_list(current_user, program, page_number())
    response = render_page_or_fragment(
        "waiting/list.html",
        "waiting/_entries.html",
        program=program,
        waiting=waiting,
        full=is_full(program),
        open_cases=open_cases_in(program),
        today=local_today(),
    )
    # Each person listed was seen (name, ID), as in a search: a view of their record.
    # (A GET's events are written at once on a connection of their own: nothing to commit.)
    audit.record_all(
        AuditAction.VIEW, "client", [screening.client_id for screening in waiting.screenings]
    )
    return response


def _entry(screening: IntakeScreening, **forms) -> str:
    today = local_today()
    return render_template(
        "waiting/entry.html",
        screening=screening,
        check_in_form=forms.get("check_in_form")
        or CheckInForm(formdata=None, data={"next_check_in_on": screening.next_check_in_on}),
        offer_form=forms.get("offer_form") or OfferForm(formdata=None, data={"offered_on": today}),
        take_off_form=TakeOffForm(formdata=None),
        leave_form=forms.get("leave_form") or LeaveForm(formdata=None),
        error=forms.get("error"),
        today=today,
    )


def _waiting_or_case(screening: IntakeScreening) -> Response | None:
    """Someone no longer waiting: their case, when it opened (the case page decides who sees it)."""
    if screening.outcome == ScreeningOutcome.OPENED and screening.case_id is not None:
        return redirect(url_for("cases.view", case_id=screening.case_id))
    return None


@bp.get("/<int:screening_id>")
def entry(screening_id: int) -> Response | str:
    screening = get_screening_or_404(screening_id)
    moved = _waiting_or_case(screening)
    if moved is not None:
        return moved
    return _entry(screening)


@bp.post("/<int:screening_id>/check-in")
def check_in(screening_id: int) -> Response | tuple[str, int]:
    screening = get_screening_or_404(screening_id)
    form = CheckInForm()
    if form.validate_on_submit():
        try:
            intake_rules.plan_check_in(
                screening, form.next_check_in_on.data, by=current_user, today=local_today()
            )
        except intake_rules.IntakeRuleError as error:
            if not _mark(form, error):
                return _entry(screening, error=say(error.args[0])), 409
        else:
            db.session.commit()
            flash(_("Next check-in saved."))
            return redirect(url_for("waiting.entry", screening_id=screening.id))
    return _entry(screening, check_in_form=form), 422


@bp.post("/<int:screening_id>/offers")
def offer(screening_id: int) -> Response | tuple[str, int]:
    screening = get_screening_or_404(screening_id)
    form = OfferForm()
    if form.validate_on_submit():
        try:
            intake_rules.offer_resource(
                screening,
                what=form.what.data,
                offered_on=form.offered_on.data,
                by=current_user,
                today=local_today(),
            )
        except intake_rules.IntakeRuleError as error:
            if not _mark(form, error):
                return _entry(screening, error=say(error.args[0])), 409
        else:
            db.session.commit()
            flash(_("Resource offered: saved with their place on the list."))
            return redirect(url_for("waiting.entry", screening_id=screening.id))
    return _entry(screening, offer_form=form), 422


@bp.post("/<int:screening_id>/take-off")
def take_off(screening_id: int) -> Response | tuple[str, int]:
    """The case opens with whoever takes the person off as its primary worker when they carry
    cases in the program; otherwise (an admin, a supervisor outside it) the worker who held them."""
    screening = get_screening_or_404(screening_id)
    form = TakeOffForm()
    if not form.validate_on_submit():
        abort(400)
    worker = current_user
    carries = current_user.role in WORKER_ROLES and in_programs_of(
        current_user, screening.program_id
    )
    if not carries:
        holder = screening.holding_worker
        if holder is None or not holder.active or not in_programs_of(holder, screening.program_id):
            return _entry(
                screening,
                error=_(
                    "Nobody in the program holds them now: a worker of %(program)s takes them off "
                    "the list.",
                    program=screening.program.name,
                ),
            ), 409
        worker = holder
    try:
        case = intake_rules.take_off(screening, by=current_user, worker=worker, today=local_today())
    except intake_rules.IntakeRuleError as error:
        db.session.rollback()
        screening = get_screening_or_404(screening_id)
        return _entry(screening, error=say(error.args[0])), 409
    db.session.commit()
    flash(
        _(
            "%(name)s is off the waiting list: their case in %(program)s is open.",
            name=case.client.preferred_name,
            program=case.program.name,
        )
    )
    return redirect(url_for("cases.view", case_id=case.id))


@bp.post("/<int:screening_id>/leave")
def leave(screening_id: int) -> Response | tuple[str, int]:
    """Take the person off the list without opening a case, with the reason: the same people who
    may take them off into a case (the program's people who see the list)."""
    screening = get_screening_or_404(screening_id)
    form = LeaveForm()
    if form.validate_on_submit():
        try:
            intake_rules.leave(
                screening,
                by=current_user,
                reason=LeftReason(form.reason.data),
                note=form.note.data or "",
            )
        except intake_rules.IntakeRuleError as error:
            db.session.rollback()
            screening = get_screening_or_404(screening_id)
            if not _mark(form, error):
                return _entry(screening, error=say(error.args[0])), 409
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s is off the waiting list of %(program)s: %(reason)s.",
                    name=screening.client.preferred_name,
                    program=screening.program.name,
                    reason=_(screening.left_reason.label).lower(),
                )
            )
            return redirect(url_for("waiting.entry", screening_id=screening.id))
    return _entry(screening, leave_form=form), 422


def _mark(form, error: intake_rules.IntakeRuleError) -> bool:
    """The error beside the field it names; False when it names none (said above the page)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is None:
        return False
    field.errors = [*field.errors, say(error.args[0])]
    return True
