"""Closing a case as planned: request, supervisor decision, reopening, and the checks after
closure."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.forms.lifecycle import ClosureForm, DecisionForm, ReopenForm, closure_form
from webapp.models import (
    SCORE_MEANINGS,
    ClosureReason,
    ClosureStatus,
    WarmHandoff,
)
from webapp.queries.case_state import CaseState, load_state
from webapp.queries.closure import closure_history, closure_review
from webapp.services import closure, hud
from webapp.services.case_changes import may_manage
from webapp.services.cases import CaseError
from webapp.timeutil import local_today
from webapp.web.access import get_case_or_404
from webapp.web.templating import say

bp = Blueprint("closure", __name__, url_prefix="/cases")


def _page(
    state: CaseState,
    form: ClosureForm,
    *,
    decision: DecisionForm | None = None,
    reopen: ReopenForm | None = None,
    missing_assessment: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    case = state.case
    history = closure_history(state)
    pending = state.pending_closure
    return render_template(
        "closure/close.html",
        case=case,
        state=state,
        form=form,
        needs_approval=closure.needs_approval(case),
        pending=pending,
        review=closure_review(state, pending) if pending is not None else None,
        score_meanings=SCORE_MEANINGS,
        may_decide=pending is not None and closure.may_approve(current_user, pending),
        may_manage=may_manage(current_user, case),
        last_returned=history.last_returned,
        closed_by=history.closed_by,
        decision=decision or DecisionForm(formdata=None),
        reopen=reopen or ReopenForm(formdata=None),
        closure_assessment=history.closure_assessment,
        missing_assessment=missing_assessment,
    ), status


@bp.route("/<int:case_id>/close", methods=["GET", "POST"])
def close(case_id: int) -> Response | tuple[str, int]:
    case = get_case_or_404(case_id)
    state = load_state(case)
    form = closure_form(state.active_goals, hud_destination=case.program.hud_elements)
    if request.method == "GET":
        return _page(state, form)
    if not may_manage(current_user, case):
        abort(403)
    if not case.is_open or state.pending_closure is not None:
        flash(_("This case is already closed or waiting for approval."))
        return redirect(url_for("closure.close", case_id=case.id))
    valid = form.validate_on_submit()
    # The closure's own checks run even when a field is wrong, so every problem shows at once.
    plan = closure.ClosurePlan(
        reason=ClosureReason(form.reason.data)
        if form.reason.data in ClosureReason._value2member_map_
        else ClosureReason.OTHER,
        outcome=form.outcome.data or "",
        goal_outcomes=form.goal_outcomes(),
        taken_over_by=form.taken_over_by.data or "",
        warm_handoff=WarmHandoff(form.warm_handoff.data)
        if form.warm_handoff.data in WarmHandoff._value2member_map_
        else WarmHandoff.NOT_APPLICABLE,
        follow_up_dates=form.follow_up_dates(),
    )
    found = closure.problems(state, plan, local_today())
    if "hud_destination" in form and not form.hud_destination.data:
        found["hud_destination"] = _("Say where they are going, or why it is not known.")
    # A missing closure assessment is no field's fault: it is said beside "Before closing", with
    # the way to record it and come back to what was typed.
    missing_assessment = say(found["assessment"]) if "assessment" in found else None
    for name, problem in found.items():
        message = say(problem)
        target = {"follow_ups": form.follow_up_1}.get(name) or (
            form[name] if name in form else None
        )
        if target is not None and message not in target.errors:
            target.errors = [*target.errors, message]
    if valid and not found:
        request_ = closure.request_closure(state, plan, user=current_user, today=local_today())
        if "hud_destination" in form:
            hud.record_exit_destination(
                case, int(form.hud_destination.data), recorded_by=current_user
            )
        db.session.commit()
        if request_.status == ClosureStatus.APPROVED:
            flash(
                _("Case closed. Post-closure checks: %(num)s.", num=len(request_.follow_up_dates))
            )
            return redirect(url_for("cases.view", case_id=case.id))
        flash(_("Closure sent to a supervisor for approval."))
        return redirect(url_for("closure.close", case_id=case.id))
    return _page(state, form, missing_assessment=missing_assessment, status=422)


@bp.post("/<int:case_id>/close/decision")
def decide(case_id: int) -> Response | tuple[str, int]:
    case = get_case_or_404(case_id)
    state = load_state(case)
    pending = state.pending_closure
    if pending is None:
        flash(_("There is no closure waiting for a decision."))
        return redirect(url_for("closure.close", case_id=case.id))
    if not closure.may_approve(current_user, pending):
        abort(403)
    form = DecisionForm()
    if not form.validate_on_submit() or form.decision.data not in ("approve", "return"):
        abort(400)
    try:
        if form.decision.data == "approve":
            closure.approve(pending, user=current_user, note=form.note.data or "")
        else:
            closure.send_back(pending, user=current_user, note=form.note.data or "")
    except CaseError as error:
        form.note.errors.append(say(error.args[0]))
        return _page(
            state,
            closure_form(state.active_goals, hud_destination=case.program.hud_elements),
            decision=form,
            status=422,
        )
    db.session.commit()
    flash(
        _("Closure approved: the case is closed.")
        if form.decision.data == "approve"
        else _("Closure sent back to the worker.")
    )
    return redirect(url_for("cases.view", case_id=case.id))


@bp.post("/<int:case_id>/reopen")
def reopen(case_id: int) -> Response | tuple[str, int]:
    case = get_case_or_404(case_id)
    if not may_manage(current_user, case):
        abort(403)
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            closure.reopen(case, reason=form.reason.data, user=current_user)
        except CaseError as error:
            form.reason.errors.append(say(error.args[0]))
        else:
            db.session.commit()
            flash(_("Case reopened."))
            return redirect(url_for("cases.view", case_id=case.id))
    state = load_state(case)
    return _page(
        state,
        closure_form(state.active_goals, hud_destination=case.program.hud_elements),
        reopen=form,
        status=422,
    )
