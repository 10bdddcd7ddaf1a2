"""Self-intakes waiting for review: accept (duplicate check, client, case) or turn down."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from webapp.extensions import db
from webapp.forms.agency import InternalAcceptForm, InternalDeclineForm
from webapp.forms.intake_rules import read_answers
from webapp.forms.invites import AcceptForm, RejectForm
from webapp.forms.self_intake import NEEDS
from webapp.models import (
    AuditAction,
    Client,
    InternalReferral,
    InternalReferralStatus,
    Invitation,
    SelfIntakeSubmission,
    SubmissionStatus,
)
from webapp.queries import duplicates
from webapp.queries.agency import may_decide, still_allowed, waiting_for
from webapp.queries.intake_rules import evaluate, is_full, questions_of
from webapp.queries.visibility import visible_invitations
from webapp.services import agency, audit, clients, intake_rules, self_intake
from webapp.timeutil import local_today, next_working_day
from webapp.web.templating import say

bp = Blueprint("intake_queue", __name__, url_prefix="/intake-queue")

NEW = "new"


def _mine() -> sa.Select:
    """Self-intakes this reviewer may see: their programs', and none that names a client hidden from
    them."""
    return (
        sa.select(SelfIntakeSubmission)
        .join(SelfIntakeSubmission.invitation)
        .where(visible_invitations(current_user))
    )


@bp.get("")
def index() -> str:
    waiting = db.session.scalars(
        _mine()
        .where(SelfIntakeSubmission.status == SubmissionStatus.PENDING)
        .options(so.contains_eager(SelfIntakeSubmission.invitation).joinedload(Invitation.program))
        .order_by(SelfIntakeSubmission.submitted_at)
    ).all()
    return render_template(
        "intake_queue/index.html", waiting=waiting, internal=waiting_for(current_user)
    )


def _person(answers: dict) -> duplicates.Person:
    try:
        born = (
            date.fromisoformat(answers["date_of_birth"]) if answers.get("date_of_birth") else None
        )
    except ValueError:
        born = None
    return duplicates.Person(
        names=[answers.get("preferred_name", ""), answers.get("legal_name", "")],
        date_of_birth=born,
        approximate_age=answers.get("age"),
        phone=answers.get("phone") or None,
    )


def _new_client(answers: dict, language: str) -> clients.ClientDetails:
    person = _person(answers)
    yes_no = {"yes": True, "no": False}
    return clients.ClientDetails(
        preferred_name=answers.get("preferred_name", ""),
        legal_name=answers.get("legal_name") or None,
        date_of_birth=person.date_of_birth,
        estimated_birth_year=local_today().year - person.approximate_age
        if person.approximate_age and not person.date_of_birth
        else None,
        language=language,
        phone=answers.get("phone") or None,
        safe_to_call=yes_no.get(answers.get("safe_to_call", "")),
        safe_to_text=yes_no.get(answers.get("safe_to_text", "")),
        contact_notes=answers.get("contact_notes", ""),
    )


def _submission_or_404(submission_id: int) -> SelfIntakeSubmission:
    submission = db.session.scalar(_mine().where(SelfIntakeSubmission.id == submission_id))
    if submission is None:
        abort(404)
    return submission


def _page(
    submission: SelfIntakeSubmission,
    *,
    accept: AcceptForm | None = None,
    reject: RejectForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    invitation = submission.invitation
    check = duplicates.check(current_user, _person(submission.answers), local_today())
    known: list[Client] = [invitation.client] if invitation.client else []
    known += [candidate.client for candidate in check.candidates if candidate.client not in known]
    if accept is None:
        accept = AcceptForm(formdata=None, prefix="accept")
        # Someone who asked for help is contacted soon, not at the contact standard's pace.
        accept.next_follow_up_on.data = next_working_day(local_today())
        accept.client.data = (
            known[0].persistent_id if invitation.client else (None if check.has_likely else NEW)
        )
    accept.client.choices = _choices(known)
    return render_template(
        "intake_queue/review.html",
        submission=submission,
        answers=submission.answers,
        check=check,
        accept=accept,
        reject=reject or RejectForm(formdata=None, prefix="reject"),
        needs=NEEDS,
        invitation=invitation,
    ), status


def _choices(known: list[Client]) -> list[SelectChoice]:
    return [
        SelectChoice(client.persistent_id, f"{client.preferred_name} · {client.display_id}")
        for client in known
    ] + [SelectChoice(NEW, _("A new client record"))]


@bp.get("/<int:submission_id>")
def review(submission_id: int) -> tuple[str, int]:
    submission = _submission_or_404(submission_id)
    audit.record(AuditAction.VIEW, "self_intake_submission", submission.id)
    db.session.commit()
    return _page(submission)


@bp.post("/<int:submission_id>/accept")
def accept(submission_id: int) -> Response | tuple[str, int]:
    submission = _submission_or_404(submission_id)
    form = AcceptForm(prefix="accept")
    check = duplicates.check(current_user, _person(submission.answers), local_today())
    known = [submission.invitation.client] if submission.invitation.client else []
    known += [candidate.client for candidate in check.candidates if candidate.client not in known]
    form.client.choices = _choices(known)
    if form.validate_on_submit():
        existing = next(
            (client for client in known if client.persistent_id == form.client.data), None
        )
        try:
            case = self_intake.accept(
                submission,
                reviewer=current_user,
                existing_client=existing,
                new_client=None
                if existing
                else _new_client(submission.answers, submission.language),
                next_follow_up_on=form.next_follow_up_on.data or next_working_day(local_today()),
            )
        except (self_intake.SelfIntakeError, clients.ClientError) as error:
            form.client.errors.append(say(error.args[0]))
        else:
            db.session.commit()
            flash(
                _("Self-intake accepted: %(name)s's case is open.", name=case.client.preferred_name)
            )
            return redirect(url_for("cases.view", case_id=case.id))
    return _page(submission, accept=form, status=422)


@bp.post("/<int:submission_id>/reject")
def reject(submission_id: int) -> Response | tuple[str, int]:
    submission = _submission_or_404(submission_id)
    form = RejectForm(prefix="reject")
    if form.validate_on_submit():
        try:
            self_intake.reject(submission, reviewer=current_user, reason=form.reason.data)
        except self_intake.SelfIntakeError as error:
            form.reason.errors.append(say(error.args[0]))
        else:
            db.session.commit()
            flash(_("Self-intake turned down."))
            return redirect(url_for("intake_queue.index"))
    return _page(submission, reject=form, status=422)


# --- Internal referrals from another program of the agency --------------------------------------


def _internal_or_404(referral_id: int) -> InternalReferral:
    """Only the receiving program's own workers and supervisors see an internal referral."""
    referral = db.session.get(InternalReferral, referral_id)
    if referral is None:
        abort(404)
    if not may_decide(current_user, referral):
        audit.record(AuditAction.ACCESS_DENIED, "internal_referral", referral.id)
        db.session.commit()
        abort(404)
    return referral


def _internal_page(
    referral: InternalReferral,
    *,
    accept: InternalAcceptForm | None = None,
    decline: InternalDeclineForm | None = None,
    answer_errors: dict[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    if referral.status == InternalReferralStatus.WITHDRAWN:
        # Withdrawn before a decision: only that it was, never who or what it carried.
        return render_template("intake_queue/internal_withdrawn.html", referral=referral), (
            200 if request.method == "GET" else 409
        )
    # Once the client's consent no longer allows it, a referral not yet decided shows nothing
    # more of them than their name; what was accepted stays readable (history, not new sharing).
    withheld = referral.is_pending and not still_allowed(referral, local_today())
    return render_template(
        "intake_queue/internal.html",
        referral=referral,
        withheld=withheld,
        snapshot={} if withheld else referral.snapshot,
        client=referral.from_case.client,
        accept=accept or InternalAcceptForm(formdata=None, prefix="accept"),
        decline=decline or InternalDeclineForm(formdata=None, prefix="decline"),
        questions=questions_of(referral.to_program),
        answer_errors=answer_errors or {},
    ), status


@bp.get("/internal/<int:referral_id>")
def internal(referral_id: int) -> tuple[str, int]:
    referral = _internal_or_404(referral_id)
    audit.record(AuditAction.VIEW, "internal_referral", referral.id)
    return _internal_page(referral)


@bp.post("/internal/<int:referral_id>/accept")
def accept_internal(referral_id: int) -> Response | tuple[str, int]:
    """Accepting asks the receiving program's intake questions: someone who does not qualify is
    declined with the reasons, someone who qualifies for a full program waits on its list."""
    referral = _internal_or_404(referral_id)
    form = InternalAcceptForm(prefix="accept")
    questions = questions_of(referral.to_program)
    answers, answer_errors = read_answers(questions, request.form)
    if form.validate_on_submit() and not answer_errors:
        try:
            case, screening = agency.decide_screened(
                referral,
                decided_by=current_user,
                next_follow_up_on=form.next_follow_up_on.data or next_working_day(local_today()),
                evaluation=evaluate(questions, answers),
                full=is_full(referral.to_program),
            )
        except (agency.AgencyError, intake_rules.IntakeRuleError) as error:
            db.session.rollback()
            referral = _internal_or_404(referral_id)
            form.next_follow_up_on.errors = [say(error.args[0])]
        else:
            db.session.commit()
            if case is not None:
                flash(
                    _(
                        "Referral accepted: %(name)s's case is open, with the intake.",
                        name=case.client.preferred_name,
                    )
                )
                return redirect(url_for("cases.view", case_id=case.id))
            if screening.qualified:
                flash(
                    _(
                        "Referral accepted: %(program)s is full, so %(name)s waits on its list, "
                        "priority %(priority)s.",
                        program=screening.program.name,
                        name=screening.client.preferred_name,
                        priority=_(screening.priority.label),
                    )
                )
                return redirect(url_for("waiting.entry", screening_id=screening.id))
            flash(
                _(
                    "Declined: %(name)s does not qualify for %(program)s. The referring worker "
                    "sees why.",
                    name=screening.client.preferred_name,
                    program=screening.program.name,
                )
            )
            return redirect(url_for("intake_queue.index"))
    return _internal_page(referral, accept=form, answer_errors=answer_errors, status=422)


@bp.post("/internal/<int:referral_id>/decline")
def decline_internal(referral_id: int) -> Response | tuple[str, int]:
    referral = _internal_or_404(referral_id)
    form = InternalDeclineForm(prefix="decline")
    if form.validate_on_submit():
        try:
            agency.decline(referral, decided_by=current_user, reason=form.reason.data)
        except agency.AgencyError as error:
            form.reason.errors = [say(error.args[0])]
        else:
            db.session.commit()
            flash(_("Referral declined; the referring worker sees why."))
            return redirect(url_for("intake_queue.index"))
    return _internal_page(referral, decline=form, status=422)
