"""A case: where it stands and what to do next, and the changes made from its page."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from webapp import database
from webapp.extensions import db
from webapp.forms.lifecycle import (
    FollowUpForm,
    LoopBackForm,
    ModelForm,
    RestrictionForm,
    RiskForm,
    SupervisionNoteForm,
    TeamForm,
    TransferForm,
)
from webapp.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseModel,
    CaseTeamMember,
    ContactLog,
    Phase,
    PostClosureFollowUp,
    RiskLevel,
    TeamRole,
    User,
    utcnow,
)
from webapp.queries import assessments as assessment_reads
from webapp.queries.agency import internal_referrals_of, may_withdraw
from webapp.queries.agreement import standing as agreement_standing
from webapp.queries.case_state import load_state, standard_for
from webapp.queries.documents import documents_of_case
from webapp.queries.next_step import next_step
from webapp.queries.provider_links import providers_to_tell
from webapp.queries.teams import team_candidates, team_of
from webapp.queries.visibility import can_view_case, may_restrict, supervises_in
from webapp.services import assessments, case_changes, cases, closure, teams
from webapp.services.case_changes import LOOP_BACKS, may_manage, may_supervise
from webapp.services.cases import CaseError
from webapp.timeutil import local_today
from webapp.web.access import get_case_or_404
from webapp.web.templating import say

bp = Blueprint("cases", __name__, url_prefix="/cases")

RECENT_CONTACTS = 10


@bp.get("/<int:case_id>")
def view(case_id: int) -> tuple[str, int]:
    return case_page(get_case_or_404(case_id, so.joinedload(Case.intake)))


def case_page(case: Case, *, status: int = 200, **forms: object) -> tuple[str, int]:
    """The case page; a form that failed on it comes back through `forms` with its errors."""
    # The same few queries however many years of contacts and referrals the case holds.
    state = load_state(case)
    contacts = db.session.scalars(
        sa.select(ContactLog)
        .where(ContactLog.case_id == case.id)
        .options(so.joinedload(ContactLog.recorded_by))
        .order_by(ContactLog.occurred_at.desc())
        .limit(RECENT_CONTACTS)
    ).all()
    events = db.session.scalars(
        sa.select(CaseEvent)
        .where(CaseEvent.case_id == case.id)
        .options(so.joinedload(CaseEvent.user))
        .order_by(CaseEvent.occurred_at.desc(), CaseEvent.id.desc())
    ).all()
    today = local_today()
    domains = assessments.domains_for(case.program)
    strengths_from = assessment_reads.latest_strengths(state.assessments)
    internal = internal_referrals_of(case)
    follow_up_forms = forms.pop("follow_up_forms", {})
    for follow_up in state.follow_ups:
        follow_up_forms.setdefault(
            follow_up.id, FollowUpForm(formdata=None, prefix=f"follow{follow_up.id}")
        )
    return render_template(
        "cases/view.html",
        case=case,
        state=state,
        agreement=agreement_standing(state.plan),
        open_referrals=state.open_referrals,
        closed_referrals=[referral for referral in state.referrals if not referral.is_open],
        providers_to_tell=providers_to_tell(case, utcnow(), today),
        contacts=contacts,
        events=events,
        users=_names_of(events),
        changes=assessments.change_from_baseline(state.assessments, domains),
        strengths_from=strengths_from,
        strengths=assessment_reads.strengths_of(strengths_from) if strengths_from else [],
        next_step=next_step(state, today),
        may_manage=may_manage(current_user, case),
        may_supervise=may_supervise(current_user, case),
        risk_form=forms.pop("risk_form", None)
        or RiskForm(formdata=None, data={"risk_level": case.risk_level.value}),
        may_change_model=supervises_in(current_user, case.program_id),
        team=team_of(case),
        documents=documents_of_case(case),
        may_change_team=case.is_open and teams.may_change_team(current_user, case),
        may_add_to_team=case.is_open and teams.may_add_to(current_user, case),
        team_form=_team_form(case, forms.pop("team_form", None)),
        model_form=forms.pop("model_form", None)
        or ModelForm(formdata=None, data={"model": case.model.value}),
        phase_form=forms.pop("phase_form", None)
        or LoopBackForm(
            formdata=None, phases=sorted(LOOP_BACKS.get(case.phase, ()), key=list(Phase).index)
        ),
        note_form=forms.pop("note_form", None) or SupervisionNoteForm(formdata=None),
        may_restrict=may_restrict(current_user, case),
        recorded_checks=state.recorded_checks,
        restriction_form=forms.pop("restriction_form", None)
        or RestrictionForm(formdata=None, data={"restricted": "" if case.restricted else "y"}),
        follow_up_forms=follow_up_forms,
        internal_referrals=internal["sent"],
        came_with=internal["came_with"],
        may_withdraw=may_withdraw,
        today=today,
    ), status


@bp.post("/<int:case_id>/restriction")
def change_restriction(case_id: int) -> Response | tuple[str, int]:
    """Restrict the case to its worker, their supervisor and admins, or lift that, with a reason."""
    case = get_case_or_404(case_id)
    if not may_restrict(current_user, case):
        abort(403)
    form = RestrictionForm()
    if form.validate_on_submit():
        try:
            case_changes.set_restricted(
                case, form.restricted.data == "y", reason=form.reason.data, user=current_user
            )
        except cases.CaseError as error:
            form.reason.errors.append(say(error.args[0]))
        else:
            db.session.commit()
            flash(
                _("Only the worker, their supervisor and admins can see this case now.")
                if case.restricted
                else _("Everyone in the program can see this case again.")
            )
            return redirect(url_for("cases.view", case_id=case.id))
    return case_page(case, restriction_form=form, status=422)


def _names_of(events: list[CaseEvent]) -> dict[str, str]:
    """Display names for the worker ids a transfer event keeps."""
    ids = {
        int(value)
        for event in events
        if event.kind == CaseEventKind.TRANSFER
        for value in (event.old_value, event.new_value)
        if value.isdigit()
    }
    if not ids:
        return {}
    return {
        str(user.id): user.display_name
        for user in db.session.scalars(sa.select(User).where(User.id.in_(ids)))
    }


@bp.post("/<int:case_id>/risk")
def change_risk(case_id: int) -> Response | tuple[str, int]:
    case = get_case_or_404(case_id)
    form = RiskForm()
    if form.validate_on_submit():
        try:
            case_changes.change_risk(
                case, RiskLevel(form.risk_level.data), reason=form.reason.data, user=current_user
            )
        except cases.CaseError as error:
            form.risk_level.errors.append(say(error.args[0]))
        else:
            db.session.commit()
            flash(_("Risk level now %(risk)s.", risk=_(case.risk_level.label).lower()))
            return redirect(url_for("cases.view", case_id=case.id))
    return case_page(case, risk_form=form, status=422)


@bp.post("/<int:case_id>/model")
def change_model(case_id: int) -> Response | tuple[str, int]:
    """A supervisor in the program (or an admin) works this case in another model."""
    case = get_case_or_404(case_id)
    if not supervises_in(current_user, case.program_id):
        abort(403)
    form = ModelForm()
    if form.validate_on_submit():
        try:
            case_changes.change_model(
                case, CaseModel(form.model.data), reason=form.reason.data, user=current_user
            )
        except cases.CaseError as error:
            form.model.errors.append(say(error.args[0]))
        else:
            db.session.commit()
            flash(
                _(
                    "This case is now worked as %(model)s: its contact standard and reassessments "
                    "follow.",
                    model=_(case.model.label).lower(),
                )
            )
            return redirect(url_for("cases.view", case_id=case.id))
    return case_page(case, model_form=form, status=422)


def _team_form(case: Case, form: TeamForm | None) -> TeamForm:
    form = form or TeamForm(formdata=None)
    form.member.choices = [(0, _("Choose a colleague…"))] + [
        (u.id, u.display_name) for u in team_candidates(case)
    ]
    return form


@bp.post("/<int:case_id>/team")
def add_to_team(case_id: int) -> Response | tuple[str, int]:
    case = get_case_or_404(case_id)
    # A restricted case's team is widened by its own worker only.
    if not teams.may_add_to(current_user, case):
        abort(403)
    form = TeamForm()
    form.member.choices = [(u.id, u.display_name) for u in team_candidates(case)]
    if form.validate_on_submit():
        member = db.session.get(User, form.member.data)
        try:
            teams.add(case, member, TeamRole(form.role.data), by=current_user)
        except teams.TeamError as error:
            db.session.rollback()
            form.member.errors.append(say(error.args[0]))
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s is on this case's team: they see it and get its items on Today.",
                    name=member.display_name,
                )
            )
            return redirect(url_for("cases.view", case_id=case.id, _anchor="team"))
    return case_page(case, team_form=form, status=422)


@bp.post("/<int:case_id>/team/<int:member_id>/remove")
def remove_from_team(case_id: int, member_id: int) -> Response:
    case = get_case_or_404(case_id)
    membership = db.session.get(CaseTeamMember, member_id)
    if membership is None or membership.case_id != case.id or membership.removed_at:
        abort(404)
    if not teams.may_change_team(current_user, case):
        abort(403)
    teams.remove(membership, by=current_user)
    db.session.commit()
    flash(_("%(name)s is off this case's team.", name=membership.user.display_name))
    return redirect(url_for("cases.view", case_id=case.id, _anchor="team"))


@bp.post("/<int:case_id>/phase")
def loop_back(case_id: int) -> Response | tuple[str, int]:
    case = get_case_or_404(case_id)
    if not may_manage(current_user, case):
        abort(403)
    form = LoopBackForm(phases=sorted(LOOP_BACKS.get(case.phase, ()), key=list(Phase).index))
    if form.validate_on_submit():
        try:
            case_changes.loop_back(
                case, Phase(form.phase.data), reason=form.reason.data, user=current_user
            )
        except cases.CaseError as error:
            form.phase.errors.append(say(error.args[0]))
        else:
            db.session.commit()
            flash(_("Case back in %(phase)s.", phase=_(case.phase.label).lower()))
            return redirect(url_for("cases.view", case_id=case.id))
    return case_page(case, phase_form=form, status=422)


@bp.post("/<int:case_id>/supervision-notes")
def add_supervision_note(case_id: int) -> Response | tuple[str, int]:
    case = get_case_or_404(case_id)
    if not may_supervise(current_user, case):
        abort(403)
    form = SupervisionNoteForm()
    if form.validate_on_submit():
        case_changes.add_supervision_note(case, form.note.data, user=current_user)
        db.session.commit()
        flash(_("Review note saved."))
        return redirect(url_for("cases.view", case_id=case.id, _anchor="history-heading"))
    return case_page(case, note_form=form, status=422)


@bp.route("/<int:case_id>/transfer", methods=["GET", "POST"])
def transfer(case_id: int) -> Response | tuple[str, int]:
    case = get_case_or_404(case_id)
    if not may_manage(current_user, case):
        abort(403)
    candidates = case_changes.transfer_candidates(case)
    caseloads = case_changes.open_caseloads([user.id for user in candidates])
    cap = standard_for(case).caseload_cap
    form = TransferForm()
    form.worker.choices = [
        SelectChoice(
            user.id,
            _(
                "%(name)s (%(open)s of %(cap)s cases)",
                name=user.display_name,
                open=caseloads.get(user.id, 0),
                cap=cap,
            ),
        )
        for user in candidates
    ]
    if case.is_open and form.validate_on_submit():
        new_worker = next((user for user in candidates if user.id == form.worker.data), None)
        if new_worker is None:
            form.worker.errors.append(_("Choose someone who works in this program."))
        else:
            case_changes.transfer(case, new_worker, note=form.note.data, user=current_user)
            db.session.commit()
            flash(_("Case transferred to %(name)s.", name=new_worker.display_name))
            return redirect(
                url_for("today.index")
                if not can_view_case(current_user, case)
                else url_for("cases.view", case_id=case.id)
            )
    return render_template(
        "cases/transfer.html",
        case=case,
        form=form,
        cap=cap,
        over=[user.id for user in candidates if caseloads.get(user.id, 0) >= cap],
    ), 422 if form.errors else 200


@bp.get("/<int:case_id>/handoff")
def handoff(case_id: int) -> str:
    """Where this case stands: what a worker taking it over reads first."""
    case = get_case_or_404(case_id)
    if case.handoff_pending and case.primary_worker_id == current_user.id:
        # The one write this page makes, in a transaction of its own that takes the write lock
        # first (on SQLite a read transaction cannot always become a writing one).
        db.session.rollback()
        with database.writes():
            case = db.session.get_one(Case, case_id)
            case_changes.handoff_read(case, current_user)
            db.session.commit()
    state = load_state(case)
    transfer_event = db.session.scalar(
        sa.select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind == CaseEventKind.TRANSFER)
        .options(so.joinedload(CaseEvent.user))
        .order_by(CaseEvent.occurred_at.desc())
        .limit(1)
    )
    contacts = db.session.scalars(
        sa.select(ContactLog)
        .where(ContactLog.case_id == case.id)
        .order_by(ContactLog.occurred_at.desc())
        .limit(3)
    ).all()
    return render_template(
        "cases/handoff.html",
        case=case,
        state=state,
        transfer=transfer_event,
        contacts=contacts,
        next_step=next_step(state, local_today()),
    )


@bp.post("/<int:case_id>/follow-ups/<int:follow_up_id>")
def record_follow_up(case_id: int, follow_up_id: int) -> Response | tuple[str, int]:
    case = get_case_or_404(case_id)
    follow_up = db.session.get(PostClosureFollowUp, follow_up_id)
    if follow_up is None or follow_up.case_id != case.id:
        abort(404)
    form = FollowUpForm(prefix=f"follow{follow_up.id}")
    if form.validate_on_submit():
        try:
            closure.record_follow_up(follow_up, note=form.note.data, user=current_user)
        except CaseError as error:
            flash(say(error.args[0]))
        else:
            db.session.commit()
            flash(_("Post-closure check recorded."))
        return redirect(url_for("cases.view", case_id=case.id, _anchor="follow-ups"))
    return case_page(case, follow_up_forms={follow_up.id: form}, status=422)
