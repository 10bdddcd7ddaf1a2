"""Assessments of a case's needs and strengths: baseline, reassessment and closure."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.forms.lifecycle import assessment_form
from webapp.models import AssessmentKind
from webapp.queries.case_state import load_state
from webapp.services import assessments
from webapp.services.cases import CaseError
from webapp.web.access import get_case_or_404

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
        )
        try:
            assessments.record_assessment(
                case, details, recorded_by=current_user, existing=state.assessments
            )
        except CaseError as error:
            form.kind.errors.append(str(error))
        else:
            db.session.commit()
            flash(
                "Reassessment saved."
                if details.kind == AssessmentKind.REASSESSMENT
                else f"{details.kind.label} assessment saved."
            )
            return redirect(url_for("cases.view", case_id=case.id))
    previous = {
        change.domain: change
        for change in assessments.change_from_baseline(state.assessments, domains)
    }
    return render_template(
        "assessments/new.html", case=case, form=form, previous=previous
    ), 422 if form.errors else 200
