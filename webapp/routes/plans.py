"""The service plan: goals with measures and dates, their tasks, and the client's agreement."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.forms.lifecycle import (
    AgreementForm,
    GoalForm,
    PaperForm,
    SignatureForm,
    TaskDoneForm,
    TaskForm,
    TermsForm,
)
from webapp.models import (
    AgreementMethod,
    Case,
    DocumentKind,
    Goal,
    GoalStatus,
    LifeDomain,
    PlanTask,
    SignatureParty,
    TaskOwner,
)
from webapp.queries import agreement as agreement_queries
from webapp.queries.case_state import load_state
from webapp.queries.documents import documents_of_case
from webapp.queries.network import people_of
from webapp.services import assessments, plans
from webapp.services.cases import CaseError
from webapp.timeutil import local_today
from webapp.web import i18n
from webapp.web.access import get_case_or_404
from webapp.web.templating import say

bp = Blueprint("plans", __name__, url_prefix="/cases")

GOAL_FIELDS = ("domain", "statement", "measure", "target_on", "status")


def _plan_page(
    case: Case,
    *,
    agreement: AgreementForm | None = None,
    task_forms: dict[int, TaskForm] | None = None,
    terms: TermsForm | None = None,
    paper: PaperForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    state = load_state(case)
    plan = state.plan
    if terms is None:
        terms = TermsForm(
            formdata=None,
            data={
                "starts_on": plan.starts_on if plan else None,
                "ends_on": plan.ends_on if plan else None,
                "consequences": plan.consequences if plan else "",
            },
        )
    standing = agreement_queries.standing(plan)
    if paper is None:
        worker = case.primary_worker
        paper = PaperForm(
            formdata=None,
            data={
                "names": " · ".join(
                    name
                    for name in (case.client.preferred_name, worker and worker.display_name)
                    if name
                ),
                "signed_on": local_today(),
            },
        )
    paper.terms_version.data = str(standing.terms_version)
    if agreement is None:
        plan = state.plan
        agreement = AgreementForm(
            data={
                "agreed_by": plan.agreed_by if plan and plan.agreed_by else "The client",
                "agreed_on": plan.agreed_on if plan else None,
                "agreement_method": plan.agreement_method.value
                if plan and plan.agreement_method
                else "",
                "review_on": plan.review_on if plan else None,
                "version": str(plan.version) if plan else "",
            }
        )
    task_forms = task_forms or {}
    for goal in state.goals:
        task_forms.setdefault(goal.id, TaskForm(formdata=None, prefix=f"task{goal.id}"))
    linked = {goal.id: [r for r in state.referrals if r.goal_id == goal.id] for goal in state.goals}
    return render_template(
        "plans/view.html",
        case=case,
        state=state,
        agreement=agreement,
        task_forms=task_forms,
        linked=linked,
        terms=terms,
        paper=paper,
        standing=standing,
        done_form=TaskDoneForm(formdata=None),
        today=local_today(),
        people=people_of(current_user, case.client),
        # Photos of the agreement signed on paper, filed in this case.
        paper_copies=[
            document
            for document in documents_of_case(case)
            if document.kind == DocumentKind.SIGNED_AGREEMENT
        ],
    ), status


@bp.route("/<int:case_id>/plan", methods=["GET", "POST"])
def view(case_id: int) -> Response | tuple[str, int]:
    """The plan; a POST records the client's agreement and the review date."""
    case = get_case_or_404(case_id)
    form = AgreementForm()
    if not form.validate_on_submit():
        return _plan_page(
            case,
            agreement=form if form.is_submitted() else None,
            status=422 if form.errors else 200,
        )
    version = form.version.data or ""
    if version and not version.isdigit():
        abort(400)
    try:
        plans.record_agreement(
            case,
            agreed_by=form.agreed_by.data or "",
            agreed_on=form.agreed_on.data,
            method=AgreementMethod(form.agreement_method.data)
            if form.agreement_method.data
            else None,
            review_on=form.review_on.data,
            expected_version=int(version) if version else None,
            user=current_user,
            today=local_today(),
        )
        db.session.commit()
    except (plans.StaleEdit, StaleDataError):
        db.session.rollback()
        form.agreed_on.errors.append(
            "Someone else saved the plan's agreement while you were editing. "
            "The saved version is shown; your entries are below it."
        )
        case = get_case_or_404(case_id)
        saved = plans.plan_of(case)
        form.version.data = str(saved.version) if saved else ""  # a second save is deliberate
        return _plan_page(case, agreement=form, status=409)
    except CaseError as error:
        form.agreed_on.errors.append(say(error.args[0]))
        return _plan_page(case, agreement=form, status=422)
    flash(_("Plan agreement saved.") if form.agreed_on.data else _("Plan saved."))
    return redirect(url_for("plans.view", case_id=case.id))


def _goal_details(form: GoalForm) -> plans.GoalDetails:
    return plans.GoalDetails(
        domain=LifeDomain(form.domain.data),
        statement=form.statement.data or "",
        measure=form.measure.data or "",
        target_on=form.target_on.data,
        status=GoalStatus(form.status.data),
    )


@bp.route("/<int:case_id>/plan/goals/new", methods=["GET", "POST"])
def new_goal(case_id: int) -> Response | tuple[str, int]:
    case = get_case_or_404(case_id)
    form = GoalForm(domains=assessments.domains_for(case.program))
    if form.validate_on_submit():
        try:
            plans.add_goal(case, _goal_details(form), user=current_user, today=local_today())
        except CaseError as error:
            form.statement.errors.append(say(error.args[0]))
        else:
            db.session.commit()
            flash(_("Goal added to the plan."))
            return redirect(url_for("plans.view", case_id=case.id))
    return render_template(
        "plans/goal_form.html", case=case, form=form, goal=None
    ), 422 if form.errors else 200


def _goal_or_404(case: Case, goal_id: int) -> Goal:
    goal = db.session.get(Goal, goal_id)
    if goal is None or goal.plan.case_id != case.id:
        abort(404)
    return goal


def _goal_data(goal: Goal) -> dict:
    return {
        "domain": goal.domain.value,
        "statement": goal.statement,
        "measure": goal.measure,
        "target_on": goal.target_on,
        "status": goal.status.value,
        "version": str(goal.version),
    }


@bp.route("/<int:case_id>/plan/goals/<int:goal_id>", methods=["GET", "POST"])
def edit_goal(case_id: int, goal_id: int) -> Response | tuple[str, int]:
    case = get_case_or_404(case_id)
    goal = _goal_or_404(case, goal_id)
    domains = assessments.domains_for(case.program)
    if goal.domain not in domains:
        domains = [*domains, goal.domain]
    form = GoalForm(
        domains=domains, new=False, data=None if GoalForm().is_submitted() else _goal_data(goal)
    )
    if form.validate_on_submit():
        if not (form.version.data or "").isdigit():
            abort(400)
        try:
            plans.update_goal(
                case,
                goal,
                _goal_details(form),
                expected_version=int(form.version.data),
                user=current_user,
                today=local_today(),
            )
            db.session.commit()
        except (plans.StaleEdit, StaleDataError):
            db.session.rollback()
            goal = _goal_or_404(get_case_or_404(case_id), goal_id)
            theirs = GoalForm(
                formdata=None, domains=domains, data=_goal_data(goal), meta={"csrf": False}
            )
            return render_template(
                "conflict.html",
                form=form,
                theirs=theirs,
                fields=GOAL_FIELDS,
                version=goal.version,
                what="this goal",
                action=url_for("plans.edit_goal", case_id=case_id, goal_id=goal_id),
                back=url_for("plans.view", case_id=case_id),
            ), 409
        except CaseError as error:
            form.statement.errors.append(say(error.args[0]))
        else:
            flash(_("Goal saved."))
            return redirect(url_for("plans.view", case_id=case.id))
    return render_template(
        "plans/goal_form.html", case=case, form=form, goal=goal
    ), 422 if form.errors else 200


@bp.post("/<int:case_id>/plan/goals/<int:goal_id>/tasks")
def add_task(case_id: int, goal_id: int) -> Response | tuple[str, int]:
    case = get_case_or_404(case_id)
    goal = _goal_or_404(case, goal_id)
    form = TaskForm(prefix=f"task{goal.id}")
    if form.validate_on_submit():
        try:
            plans.add_task(
                case,
                goal,
                description=form.description.data,
                due_on=form.due_on.data,
                responsible=TaskOwner(form.responsible.data),
                user=current_user,
                support_person=form.support_person.data or "",
                provider_name=form.provider_name.data or "",
                place=form.place.data or "",
                schedule=form.schedule.data or "",
                frequency=form.frequency.data or "",
            )
        except CaseError as error:
            form.description.errors.append(say(error.args[0]))
        else:
            db.session.commit()
            flash(_("Task added."))
            return redirect(url_for("plans.view", case_id=case.id, _anchor=f"goal-{goal.id}"))
    return _plan_page(case, task_forms={goal.id: form}, status=422)


@bp.post("/<int:case_id>/plan/tasks/<int:task_id>")
def set_task_done(case_id: int, task_id: int) -> Response | tuple[str, int]:
    case = get_case_or_404(case_id)
    task = db.session.get(PlanTask, task_id)
    if task is None or task.goal.plan.case_id != case.id:
        abort(404)
    form = TaskDoneForm()
    if not form.validate_on_submit() or form.done.data not in ("yes", "no"):
        abort(400)
    try:
        plans.set_task_done(case, task, form.done.data == "yes", user=current_user)
    except CaseError as error:
        flash(say(error.args[0]))
    else:
        db.session.commit()
    return redirect(url_for("plans.view", case_id=case.id, _anchor=f"goal-{task.goal_id}"))


def _task_or_404(case: Case, task_id: int) -> PlanTask:
    task = db.session.get(PlanTask, task_id)
    if task is None or task.goal.plan.case_id != case.id:
        abort(404)
    return task


def _task_data(task: PlanTask) -> dict:
    return {
        "description": task.description,
        "responsible": task.responsible.value,
        "due_on": task.due_on,
        "support_person": task.support_person,
        "provider_name": task.provider_name,
        "place": task.place,
        "schedule": task.schedule,
        "frequency": task.frequency,
    }


@bp.route("/<int:case_id>/plan/tasks/<int:task_id>/edit", methods=["GET", "POST"])
def edit_task(case_id: int, task_id: int) -> Response | tuple[str, int]:
    """A task's what, who, where, when, how often and by when."""
    case = get_case_or_404(case_id)
    task = _task_or_404(case, task_id)
    form = TaskForm(editing=True, data=None if TaskForm().is_submitted() else _task_data(task))
    if form.validate_on_submit():
        try:
            plans.update_task(
                case,
                task,
                plans.TaskDetails(
                    description=form.description.data or "",
                    responsible=TaskOwner(form.responsible.data),
                    due_on=form.due_on.data,
                    support_person=form.support_person.data or "",
                    provider_name=form.provider_name.data or "",
                    place=form.place.data or "",
                    schedule=form.schedule.data or "",
                    frequency=form.frequency.data or "",
                ),
                user=current_user,
            )
        except CaseError as error:
            form.description.errors.append(say(error.args[0]))
        else:
            db.session.commit()
            flash(_("Task saved."))
            return redirect(url_for("plans.view", case_id=case.id, _anchor=f"goal-{task.goal_id}"))
    return render_template(
        "plans/task_form.html",
        case=case,
        form=form,
        task=task,
        people=people_of(current_user, case.client),
    ), 422 if form.errors else 200


@bp.post("/<int:case_id>/plan/terms")
def terms(case_id: int) -> Response | tuple[str, int]:
    """The agreement's term and what happens if a responsibility is not carried out."""
    case = get_case_or_404(case_id)
    form = TermsForm()
    if form.validate_on_submit():
        try:
            plans.set_terms(
                case,
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                consequences=form.consequences.data or "",
                user=current_user,
            )
        except CaseError as error:
            form.starts_on.errors.append(say(error.args[0]))
        else:
            db.session.commit()
            flash(_("The agreement's terms are saved."))
            return redirect(url_for("plans.view", case_id=case.id, _anchor="terms-heading"))
    return _plan_page(case, terms=form, status=422)


def _terms_version(field_data: str | None) -> int:
    if not (field_data or "").isdigit() or len(field_data or "") > 9:
        abort(400)
    return int(field_data or "0")


@bp.route("/<int:case_id>/plan/sign", methods=["GET", "POST"])
def sign(case_id: int) -> Response | tuple[str, int]:
    """One party signs the plan as it stands, on this phone's screen."""
    case = get_case_or_404(case_id)
    state = load_state(case)
    standing = agreement_queries.standing(state.plan)
    form = SignatureForm()
    if not form.is_submitted():
        form.party.data = request.args.get("party") or SignatureParty.CLIENT.value
        if form.party.data == SignatureParty.CLIENT.value:
            form.name.data = case.client.preferred_name
        form.terms_version.data = str(standing.terms_version)
    status = 200
    if form.validate_on_submit():
        try:
            plans.sign_on_screen(
                case,
                party=SignatureParty(form.party.data),
                name=form.name.data or "",
                strokes=form.strokes.strokes,
                terms_version=_terms_version(form.terms_version.data),
                user=current_user,
                today=local_today(),
            )
        except plans.StaleEdit as error:
            db.session.rollback()
            form.strokes.errors = [say(error.args[0])]
            form.terms_version.data = str(standing.terms_version)
            status = 409
        except CaseError as error:
            form.strokes.errors = [say(error.args[0])]
            status = 422
        else:
            db.session.commit()
            flash(_("Signed. Thank you."))
            return redirect(url_for("plans.view", case_id=case.id, _anchor="signatures-heading"))
    elif form.is_submitted():
        status = 422
    form.strokes.data = ""  # a refused drawing is drawn again, never sent back
    return render_template(
        "plans/sign.html", case=case, state=state, standing=standing, form=form
    ), status


@bp.post("/<int:case_id>/plan/paper")
def paper(case_id: int) -> Response | tuple[str, int]:
    """The printed agreement was signed on paper: who, on which day (who recorded it is the
    signed-in user). The photo of the page is for the documents work."""
    case = get_case_or_404(case_id)
    form = PaperForm()
    if form.validate_on_submit():
        try:
            plans.mark_signed_on_paper(
                case,
                names=form.names.data or "",
                signed_on=form.signed_on.data,
                terms_version=_terms_version(form.terms_version.data),
                user=current_user,
                today=local_today(),
            )
        except plans.StaleEdit as error:
            db.session.rollback()
            form.names.errors.append(say(error.args[0]))
            return _plan_page(get_case_or_404(case_id), paper=form, status=409)
        except CaseError as error:
            form.names.errors.append(say(error.args[0]))
        else:
            db.session.commit()
            flash(_("Recorded as signed on paper."))
            return redirect(url_for("plans.view", case_id=case.id, _anchor="signatures-heading"))
    return _plan_page(case, paper=form, status=422)


@bp.get("/<int:case_id>/plan/agreement")
def agreement(case_id: int) -> str:
    """The agreement to print or hand over: the six elements of a contract, in the client's
    language where Waymark has it (else the worker's)."""
    case = get_case_or_404(case_id)
    g.language = i18n.choose(request.args.get("lang"), case.client.language, current_user.language)
    state = load_state(case)
    db.session.commit()  # the read is audited
    return render_template(
        "plans/agreement.html",
        case=case,
        state=state,
        standing=agreement_queries.standing(state.plan),
        contracts=agreement_queries.secondary_contracts(state.referrals),
        today=local_today(),
    )
