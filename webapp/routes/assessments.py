"""Assessments of a case's needs and strengths: baseline, reassessment and closure."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.forms.lifecycle import assessment_form
from webapp.models import SCORE_MEANINGS, AssessmentKind
from webapp.queries import assessments as assessment_reads
from webapp.queries.case_state import load_state
from webapp.services import assessments
from webapp.services.cases import CaseError
from webapp.web.access import get_case_or_404
from webapp.web.security import back_to_case, safe_next
from webapp.web.templating import say

bp = Blueprint("assessments", __name__, url_prefix="/cases")


@bp.route("/<int:case_id>/assessments/new", methods=["GET", "POST"])
def new(case_id: int) -> Response | tuple[str, int]:
    case = get_case_or_404(case_id)
    state = load_state(case)
    domains = assessments.domains_for(case.program)
    form = assessment_form(domains)
    if request.method == "GET":
        asked = request.args.get("kind")
        default = AssessmentKind.BASELINE if state.baseline is None else AssessmentKind.REASSESSMENT
        form.kind.data = (
            asked if asked in {kind.value for kind in AssessmentKind} else default.value
        )
    if form.validate_on_submit():
        details = assessments.AssessmentDetails(
            kind=AssessmentKind(form.kind.data),
            assessed_on=form.assessed_on.data,
            scores=form.scores(),
            strengths_personal=form.strengths_personal.data or "",
            strengths_family=form.strengths_family.data or "",
            strengths_community=form.strengths_community.data or "",
            needs=form.needs.data or "",
            client_view=form.client_view.data or "",
            copy_strengths=form.copy_strengths.data,
        )
        try:
            assessments.record_assessment(
                case, details, recorded_by=current_user, existing=state.assessments
            )
        except CaseError as error:
            form.kind.errors.append(say(error.args[0]))
        else:
            db.session.commit()
            flash(
                _("Reassessment saved.")
                if details.kind == AssessmentKind.REASSESSMENT
                else _("%(kind)s assessment saved.", kind=_(details.kind.label))
            )
            # Back where the worker was going (the closure form sends them here with `next`).
            return redirect(back_to_case(case.id))
    last_strengths = assessment_reads.latest_strengths(state.assessments)
    previous = {
        change.domain: change
        for change in assessments.change_from_baseline(state.assessments, domains)
    }
    return render_template(
        "assessments/new.html",
        case=case,
        form=form,
        previous=previous,
        last_strengths=last_strengths,
        last_strengths_list=assessment_reads.strengths_of(last_strengths) if last_strengths else [],
        back=safe_next(request.args.get("next")),
    ), 422 if form.errors else 200


@bp.get("/<int:case_id>/assessments")
def history(case_id: int) -> str:
    case = get_case_or_404(case_id)
    recorded = load_state(case).assessments
    return render_template(
        "assessments/history.html",
        case=case,
        entries=[(a, assessment_reads.strengths_of(a)) for a in reversed(recorded)],
        paths=assessment_reads.domain_paths(recorded),
    )


@bp.get("/<int:case_id>/assessments/<int:assessment_id>")
def view(case_id: int, assessment_id: int) -> str:
    case = get_case_or_404(case_id)
    assessment = assessment_reads.assessment_of(case, assessment_id)
    if assessment is None:
        abort(404)
    return render_template(
        "assessments/view.html",
        case=case,
        assessment=assessment,
        scores=assessment_reads.scores_in_order(assessment),
        strengths=assessment_reads.strengths_of(assessment),
        score_meanings=SCORE_MEANINGS,
    )
