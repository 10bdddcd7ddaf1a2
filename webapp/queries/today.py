"""Today: everything due for one worker, as one list, most urgent first.

A fixed handful of queries whatever the caseload: the worker's open cases with their assessment
and plan dates, their referrals waiting for a confirmation, post-closure follow-ups, and (for
supervisors) closures waiting for approval. A worker's open cases are bounded by the caseload cap,
so the rest is arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models import (
    ACTIVE_GOAL_STATUSES,
    CLOSED_REFERRAL_STATUSES,
    Assessment,
    AssessmentKind,
    Case,
    Client,
    ClosureRequest,
    ClosureStatus,
    Consent,
    Goal,
    InternalReferral,
    InternalReferralStatus,
    Invitation,
    PlanTask,
    PostClosureFollowUp,
    Referral,
    ReferralMessage,
    ReferralRequest,
    ReferralStatus,
    ReminderKind,
    RiskLevel,
    SelfIntakeSubmission,
    Service,
    ServicePlan,
    SubmissionStatus,
    TaskOwner,
    User,
)
from webapp.queries.case_state import last_contact_day, standard_for
from webapp.queries.caseload import one_line
from webapp.queries.consents import EXPIRING_WITHIN, renewed
from webapp.queries.intake_rules import check_ins_due
from webapp.queries.merges import open_suggestions_for
from webapp.queries.visibility import (
    is_supervisor_or_admin,
    team_cases_of,
    visible_cases,
    visible_invitations,
)
from webapp.text import Phrase
from webapp.timeutil import to_local

# An internal referral waits this long for the receiving program's decision before the referring
# worker's Today asks them to chase it: a program's queue is read on working days, and three days
# cover a weekend.
INTERNAL_REFERRAL_NAG_AFTER = timedelta(days=3)


@dataclass(frozen=True)
class Target:
    """Where an item leads, as an endpoint and its arguments: the page (or the dispatcher, which
    has no request) builds the URL, not the read side."""

    endpoint: str
    arguments: tuple[tuple[str, str | int], ...] = ()

    @classmethod
    def to(cls, endpoint: str, **arguments: str | int) -> Target:
        return cls(endpoint, tuple(sorted(arguments.items())))

    @property
    def args(self) -> dict[str, str | int]:
        return dict(self.arguments)


@dataclass(frozen=True)
class TodayItem:
    kind: ReminderKind
    case: Case | None  # None for what has no case yet (a self-intake to review)
    due: date
    detail: str
    action_label: str
    action: Target
    # The record the item is about when it is not the case itself (referral, check, closure
    # request).
    record: int | None = None
    title: str | None = None
    program: str | None = None

    @property
    def key(self) -> str:
        """Stable while the item is the same item: a new due date makes a new reminder."""
        return f"{self.kind}:{self.record or self.case.id}:{self.due.isoformat()}"

    @property
    def heading(self) -> str:
        return self.title or self.case.client.preferred_name

    @property
    def program_name(self) -> str:
        return self.program or self.case.program.name

    @property
    def link(self) -> Target:
        return Target.to("cases.view", case_id=self.case.id) if self.case else self.action

    @property
    def urgent(self) -> bool:
        return self.case is not None and self.case.risk_level == RiskLevel.URGENT

    def overdue_days(self, today: date) -> int:
        return (today - self.due).days

    def sort_key(self, today: date) -> tuple:
        return (
            not self.urgent,
            -self.overdue_days(today),
            self.kind.rank,
            self.record or self.case.id,
        )


def _held_open_by(user: User) -> sa.ColumnElement[bool]:
    """The worker's own open cases and those whose team they are on, through the one visibility
    rule (a worker who left the program keeps none of its cases on Today)."""
    return sa.and_(
        sa.or_(Case.primary_worker_id == user.id, Case.id.in_(team_cases_of(user))),
        Case.closed_at.is_(None),
        visible_cases(user),
    )


def _log_contact(case: Case) -> tuple[str, Target]:
    return Phrase("Log contact"), Target.to("contacts.for_case", case_id=case.id, next="/")


def due_items(user: User, today: date) -> list[TodayItem]:
    cases = db.session.scalars(
        sa.select(Case)
        .where(_held_open_by(user))
        .options(so.selectinload(Case.client), so.selectinload(Case.program))
    ).all()
    case_ids = [case.id for case in cases]
    last_assessed = dict(
        db.session.execute(
            sa.select(Assessment.case_id, sa.func.max(Assessment.assessed_on))
            .where(Assessment.case_id.in_(case_ids), Assessment.kind != AssessmentKind.CLOSURE)
            .group_by(Assessment.case_id)
        ).all()
    )
    reviews = dict(
        db.session.execute(
            sa.select(ServicePlan.case_id, ServicePlan.review_on).where(
                ServicePlan.case_id.in_(case_ids),
                ServicePlan.agreed_on.is_not(None),
                ServicePlan.review_on.is_not(None),
            )
        ).all()
    )
    items: list[TodayItem] = []
    for case in cases:
        if case.handoff_pending and case.primary_worker_id == user.id:
            items.append(
                TodayItem(
                    ReminderKind.HANDOFF,
                    case,
                    today,
                    Phrase("Transferred to you: read where it stands"),
                    Phrase("Read handoff"),
                    Target.to("cases.handoff", case_id=case.id),
                )
            )
        if case.id in last_assessed:
            due = last_assessed[case.id] + timedelta(
                days=standard_for(case).reassessment_interval_days
            )
            if due <= today:
                items.append(
                    TodayItem(
                        ReminderKind.REASSESSMENT,
                        case,
                        due,
                        Phrase("Reassessment due"),
                        Phrase("Reassess"),
                        Target.to("assessments.new", case_id=case.id, kind="reassessment"),
                    )
                )
        if case.id in reviews and reviews[case.id] <= today:
            items.append(
                TodayItem(
                    ReminderKind.PLAN_REVIEW,
                    case,
                    reviews[case.id],
                    Phrase("Plan review due"),
                    Phrase("Review plan"),
                    Target.to("plans.view", case_id=case.id),
                )
            )
        if case.next_follow_up_on is not None and case.next_follow_up_on <= today:
            items.append(
                TodayItem(
                    ReminderKind.FOLLOW_UP,
                    case,
                    case.next_follow_up_on,
                    Phrase("Follow-up"),
                    *_log_contact(case),
                )
            )
            continue
        standard = standard_for(case).contact_standard_days
        last = last_contact_day(case)
        if last + timedelta(days=standard) < today:
            detail = Phrase(
                "No contact for %(days)s days (standard: every %(standard)s)",
                days=(today - last).days,
                standard=standard,
            )
            items.append(
                TodayItem(
                    ReminderKind.CONTACT_STANDARD,
                    case,
                    last + timedelta(days=standard),
                    detail,
                    *_log_contact(case),
                )
            )
        elif case.risk_level == RiskLevel.URGENT:
            items.append(
                TodayItem(
                    ReminderKind.URGENT,
                    case,
                    today,
                    Phrase("Urgent risk"),
                    Phrase("Open case"),
                    Target.to("cases.view", case_id=case.id),
                )
            )

    referrals = db.session.scalars(
        sa.select(Referral)
        .join(Referral.case)
        .where(
            _held_open_by(user),
            Referral.status.not_in(CLOSED_REFERRAL_STATUSES),
            Referral.follow_up_on <= today,
        )
        .options(
            so.contains_eager(Referral.case),
            so.selectinload(Referral.service).selectinload(Service.provider),
        )
    ).all()
    for referral in referrals:
        # The status's own label may hold brackets ("Connected (client attended)"): no second pair.
        detail = Phrase(
            "Referral to %(provider)s, %(status)s: check what happened",
            provider=referral.service.provider.name,
            status=Phrase(referral.status.label).lower(),
        )
        items.append(
            TodayItem(
                ReminderKind.REFERRAL,
                referral.case,
                referral.follow_up_on,
                detail,
                Phrase("Confirm"),
                Target.to("referrals.view", referral_id=referral.id, next="/"),
                referral.id,
            )
        )
    items.extend(_appointment_items(user, today))
    items.extend(_provider_answer_items(user))
    items.extend(_provider_promise_items(user, today))
    items.extend(_plan_task_items(user, today))
    items.extend(_consent_items(user, today))
    items.extend(_post_closure_items(user, today))
    items.extend(_approval_items(user, today))
    items.extend(_self_intake_items(user))
    items.extend(_referral_request_items(user))
    items.extend(_internal_referral_items(user, today))
    items.extend(_referrals_asked_for_items(user))
    items.extend(_merge_suggestion_items(user))
    items.extend(_waiting_check_in_items(user, today))
    items.sort(key=lambda item: item.sort_key(today))
    return items


def _appointment_items(user: User, today: date) -> list[TodayItem]:
    """Appointments booked for today on the worker's open cases."""
    referrals = db.session.scalars(
        sa.select(Referral)
        .join(Referral.case)
        .where(
            _held_open_by(user),
            Referral.status == ReferralStatus.SCHEDULED,
            Referral.appointment_on == today,
        )
        .options(
            so.contains_eager(Referral.case).selectinload(Case.client),
            so.contains_eager(Referral.case).selectinload(Case.program),
            so.selectinload(Referral.service).selectinload(Service.provider),
        )
    ).all()
    items = []
    for referral in referrals:
        where = f"{referral.service.provider.name} ({referral.service.name})"
        when = f"{referral.appointment_time:%H:%M}" if referral.appointment_time else ""
        appointment = Phrase(
            "Appointment today: %(name)s at %(where)s",
            name=referral.case.client.preferred_name,
            where=where,
        )
        parts = (("when", when), ("place", referral.appointment_place))
        # Only separators: the words are in the phrases put into it.
        message = ", ".join(["%(appointment)s", *(f"%({name})s" for name, part in parts if part)])
        detail = Phrase(
            message,
            appointment=appointment,
            when=when,
            place=referral.appointment_place or "",
        )
        items.append(
            TodayItem(
                ReminderKind.APPOINTMENT,
                referral.case,
                today,
                detail,
                Phrase("Open referral"),
                Target.to("referrals.view", referral_id=referral.id, next="/"),
                referral.id,
            )
        )
    return items


def _provider_answer_items(user: User) -> list[TodayItem]:
    """What providers answered on their links about referrals of the worker's open cases, until
    the worker reads the referral: one item per referral, saying the latest answer (a new answer
    makes a new item, and a new reminder)."""
    rows = db.session.execute(
        sa.select(ReferralMessage, Referral)
        .join(Referral, Referral.id == ReferralMessage.referral_id)
        .join(Referral.case)
        .where(
            _held_open_by(user),
            ReferralMessage.from_provider.is_(True),
            ReferralMessage.seen_at.is_(None),
        )
        .options(
            so.contains_eager(Referral.case).selectinload(Case.client),
            so.contains_eager(Referral.case).selectinload(Case.program),
            so.selectinload(Referral.service).selectinload(Service.provider),
            so.selectinload(ReferralMessage.status_change),
        )
        .order_by(ReferralMessage.id)
    ).all()
    unread: dict[int, list[ReferralMessage]] = {}
    referral_of: dict[int, Referral] = {}
    for message, referral in rows:
        unread.setdefault(referral.id, []).append(message)
        referral_of[referral.id] = referral
    items = []
    for referral_id, messages in unread.items():
        referral, latest = referral_of[referral_id], messages[-1]
        provider = referral.service.provider.name
        if latest.status_change is not None:
            detail = Phrase(
                "Confirmed by %(provider)s: %(status)s",
                provider=provider,
                status=Phrase(latest.status_change.status.label).lower(),
            )
        else:
            detail = Phrase("%(provider)s sent a note", provider=provider)
        if len(messages) > 1:
            detail = Phrase(
                "%(latest)s (%(count)s answers to read)", latest=detail, count=len(messages)
            )
        items.append(
            TodayItem(
                ReminderKind.PROVIDER_ANSWER,
                referral.case,
                to_local(latest.sent_at).date(),
                detail,
                Phrase("Read"),
                Target.to("referrals.view", referral_id=referral.id, next="/"),
                latest.id,
            )
        )
    return items


# The provider's promise is kept once the client is connected, or the referral has ended.
_PROMISE_PENDING = (
    ReferralStatus.SENT,
    ReferralStatus.ACKNOWLEDGED,
    ReferralStatus.SCHEDULED,
    ReferralStatus.NO_SHOW,
)


def _provider_promise_items(user: User, today: date) -> list[TodayItem]:
    """What a provider agreed to do by a day now past, on the worker's open cases, while the
    client is not yet connected."""
    referrals = db.session.scalars(
        sa.select(Referral)
        .join(Referral.case)
        .where(
            _held_open_by(user),
            Referral.status.in_(_PROMISE_PENDING),
            Referral.provider_commitment_by < today,
        )
        .options(
            so.contains_eager(Referral.case).selectinload(Case.client),
            so.contains_eager(Referral.case).selectinload(Case.program),
            so.selectinload(Referral.service).selectinload(Service.provider),
        )
    ).all()
    return [
        TodayItem(
            ReminderKind.PROVIDER_OVERDUE,
            referral.case,
            referral.provider_commitment_by,
            Phrase(
                "%(provider)s agreed, by %(day)s: “%(what)s”. Ask them where it stands",
                provider=referral.service.provider.name,
                what=one_line(referral.provider_commitment),
                day=referral.provider_commitment_by,
            ),
            Phrase("Open referral"),
            Target.to("referrals.view", referral_id=referral.id, next="/"),
            referral.id,
        )
        for referral in referrals
    ]


def _plan_task_items(user: User, today: date) -> list[TodayItem]:
    """Plan tasks due or overdue on the worker's open cases: their own to do, anyone else's
    (the client's, a provider's) to follow up. Tasks of a goal that has its outcome are done
    with."""
    rows = db.session.execute(
        sa.select(PlanTask, Case)
        .join(PlanTask.goal)
        .join(Goal.plan)
        .join(Case, Case.id == ServicePlan.case_id)
        .where(
            _held_open_by(user),
            Goal.status.in_(ACTIVE_GOAL_STATUSES),
            PlanTask.done_at.is_(None),
            PlanTask.due_on <= today,
        )
        .options(so.selectinload(Case.client), so.selectinload(Case.program))
    ).all()
    items = []
    for task, case in rows:
        what = one_line(task.description)
        if task.responsible == TaskOwner.CASE_MANAGER:
            detail = Phrase("Do: %(what)s", what=what)
        elif task.responsible == TaskOwner.CLIENT:
            detail = Phrase(
                "Follow up with %(name)s on: %(what)s", name=case.client.preferred_name, what=what
            )
        else:
            detail = Phrase(
                "Follow up with %(name)s on: %(what)s (%(owner)s's task)",
                name=case.client.preferred_name,
                what=what,
                owner=Phrase(task.responsible.label).lower(),
            )
        items.append(
            TodayItem(
                ReminderKind.PLAN_TASK,
                case,
                task.due_on,
                detail,
                Phrase("Open plan"),
                Target.to("plans.view", case_id=case.id, _anchor=f"goal-{task.goal_id}"),
                task.id,
            )
        )
    return items


def _consent_items(user: User, today: date) -> list[TodayItem]:
    """Consents recorded in the worker's open cases that run out within two weeks, unless a
    later one for the same purpose already renews them."""
    consents = db.session.scalars(
        sa.select(Consent)
        .join(Case, Case.id == Consent.case_id)
        .where(
            _held_open_by(user),
            Consent.revoked_at.is_(None),
            Consent.expires_on.between(today, today + EXPIRING_WITHIN),
        )
        .options(
            so.selectinload(Consent.client).selectinload(Client.consents),
            so.selectinload(Consent.provider),
        )
    ).all()
    cases = {
        case.id: case
        for case in db.session.scalars(
            sa.select(Case)
            .where(Case.id.in_({consent.case_id for consent in consents}))
            .options(so.selectinload(Case.client), so.selectinload(Case.program))
        )
    }
    items = []
    for consent in consents:
        if renewed(consent, today):
            continue
        scope = Phrase(consent.scope.label)
        what = (
            Phrase("%(scope)s: %(provider)s", scope=scope, provider=consent.provider.name)
            if consent.provider
            else scope
        )
        items.append(
            TodayItem(
                ReminderKind.CONSENT_EXPIRING,
                cases[consent.case_id],
                consent.expires_on,
                Phrase(
                    "Consent runs out %(day)s: %(what)s. Renew it with the client, or let it end",
                    day=consent.expires_on,
                    what=what,
                ),
                Phrase("Consents"),
                Target.to("consents.index", persistent_id=cases[consent.case_id].client.display_id),
                consent.id,
            )
        )
    return items


def _post_closure_items(user: User, today: date) -> list[TodayItem]:
    follow_ups = db.session.scalars(
        sa.select(PostClosureFollowUp)
        .join(PostClosureFollowUp.case)
        .where(
            Case.primary_worker_id == user.id,
            visible_cases(user),
            PostClosureFollowUp.done_at.is_(None),
            PostClosureFollowUp.cancelled.is_(False),
            PostClosureFollowUp.due_on <= today,
        )
        .options(
            so.contains_eager(PostClosureFollowUp.case).selectinload(Case.client),
            so.contains_eager(PostClosureFollowUp.case).selectinload(Case.program),
        )
    ).all()
    return [
        TodayItem(
            ReminderKind.POST_CLOSURE,
            follow_up.case,
            follow_up.due_on,
            Phrase("Post-closure check: how are they doing?"),
            Phrase("Record check"),
            Target.to("cases.view", case_id=follow_up.case.id, _anchor="follow-ups"),
            follow_up.id,
        )
        for follow_up in follow_ups
    ]


def pending_closures_for(user: User) -> sa.Select:
    """Closures waiting for a decision `user` may take: cases they may see, not their own
    requests."""
    return (
        sa.select(ClosureRequest)
        .join(ClosureRequest.case)
        .where(
            ClosureRequest.status == ClosureStatus.PENDING,
            ClosureRequest.requested_by_id != user.id,
            visible_cases(user),
        )
        .order_by(ClosureRequest.requested_at)
    )


def _approval_items(user: User, today: date) -> list[TodayItem]:
    if not is_supervisor_or_admin(user):
        return []
    requests = db.session.scalars(
        pending_closures_for(user).options(
            so.contains_eager(ClosureRequest.case).selectinload(Case.client),
            so.contains_eager(ClosureRequest.case).selectinload(Case.program),
        )
    ).all()
    return [
        TodayItem(
            ReminderKind.CLOSURE_APPROVAL,
            request.case,
            to_local(request.requested_at).date(),
            Phrase("Closure waiting for your approval"),
            Phrase("Decide"),
            Target.to("closure.close", case_id=request.case.id),
            request.id,
        )
        for request in requests
    ]


def _self_intake_items(user: User) -> list[TodayItem]:
    """Answers a client sent through one of this worker's links, waiting for review."""
    submissions = db.session.scalars(
        sa.select(SelfIntakeSubmission)
        .join(SelfIntakeSubmission.invitation)
        .where(
            Invitation.created_by_id == user.id,
            visible_invitations(user),
            SelfIntakeSubmission.status == SubmissionStatus.PENDING,
        )
        .options(so.contains_eager(SelfIntakeSubmission.invitation).joinedload(Invitation.program))
    ).all()
    return [
        TodayItem(
            ReminderKind.SELF_INTAKE,
            None,
            to_local(submission.submitted_at).date(),
            Phrase("New self-intake to review"),
            Phrase("Review"),
            Target.to("intake_queue.review", submission_id=submission.id),
            submission.id,
            title=submission.answers.get("preferred_name") or Phrase("Self-intake"),
            program=submission.invitation.program.name,
        )
        for submission in submissions
    ]


def _referral_request_items(user: User) -> list[TodayItem]:
    """Workers of other programs asking this worker to refer someone they hold (the worker sees
    their own client's name: it is their case)."""
    requests = db.session.scalars(
        sa.select(ReferralRequest)
        .join(ReferralRequest.case)
        .where(
            _held_open_by(user),
            ReferralRequest.internal_referral_id.is_(None),
        )
        .options(
            so.contains_eager(ReferralRequest.case).selectinload(Case.client),
            so.contains_eager(ReferralRequest.case).selectinload(Case.program),
            so.selectinload(ReferralRequest.asked_by),
            so.selectinload(ReferralRequest.program),
        )
    ).all()
    items = []
    for request in requests:
        asker = request.asked_by.display_name if request.asked_by else Phrase("A colleague")
        items.append(
            TodayItem(
                ReminderKind.REFERRAL_REQUEST,
                request.case,
                to_local(request.asked_at).date(),
                Phrase(
                    "%(asker)s (%(program)s) asks you to refer someone matching "
                    "\u2018%(typed)s\u2019 to %(program)s",
                    asker=asker,
                    program=request.program.name,
                    typed=request.looked_for,
                ),
                Phrase("Refer"),
                Target.to(
                    "referrals.new",
                    case_id=request.case.id,
                    program=request.program_id,
                    _anchor="internal-referral",
                ),
                request.id,
            )
        )
    return items


def _internal_referral_items(user: User, today: date) -> list[TodayItem]:
    """The worker's internal referrals still waiting for the receiving program's decision after
    INTERNAL_REFERRAL_NAG_AFTER: chase them until accepted or declined."""
    referrals = db.session.scalars(
        sa.select(InternalReferral)
        .join(InternalReferral.from_case)
        .where(
            Case.primary_worker_id == user.id,
            visible_cases(user),
            InternalReferral.status == InternalReferralStatus.PENDING,
        )
        .options(
            so.contains_eager(InternalReferral.from_case).selectinload(Case.client),
            so.contains_eager(InternalReferral.from_case).selectinload(Case.program),
            so.selectinload(InternalReferral.to_program),
        )
    ).all()
    items = []
    for referral in referrals:
        due = to_local(referral.created_at).date() + INTERNAL_REFERRAL_NAG_AFTER
        if due > today:
            continue
        items.append(
            TodayItem(
                ReminderKind.INTERNAL_REFERRAL,
                referral.from_case,
                due,
                Phrase(
                    "Referral to %(program)s not decided yet: ask them",
                    program=referral.to_program.name,
                ),
                Phrase("Open case"),
                Target.to(
                    "cases.view", case_id=referral.from_case_id, _anchor="internal-referrals"
                ),
                referral.id,
            )
        )
    return items


def _referrals_asked_for_items(user: User) -> list[TodayItem]:
    """Internal referrals that answered this worker's own request, waiting in their program's
    queue: the worker who asked decides (or a colleague does from the queue)."""
    referrals = db.session.scalars(
        sa.select(InternalReferral)
        .where(
            InternalReferral.id.in_(
                sa.select(ReferralRequest.internal_referral_id).where(
                    ReferralRequest.asked_by_id == user.id
                )
            )
        )
        .where(
            InternalReferral.status == InternalReferralStatus.PENDING,
            InternalReferral.to_program_id.in_([program.id for program in user.programs]),
        )
        .options(
            so.joinedload(InternalReferral.from_case).joinedload(Case.client),
            so.joinedload(InternalReferral.from_case).joinedload(Case.program),
            so.joinedload(InternalReferral.to_program),
        )
    ).all()
    return [
        TodayItem(
            ReminderKind.REFERRAL_TO_DECIDE,
            None,
            to_local(referral.created_at).date(),
            Phrase(
                "Referred by %(program)s, as you asked: accept or decline",
                program=referral.from_case.program.name,
            ),
            Phrase("Decide"),
            Target.to("intake_queue.internal", referral_id=referral.id),
            referral.id,
            title=referral.from_case.client.preferred_name,
            program=referral.to_program.name,
        )
        for referral in referrals
    ]


def _merge_suggestion_items(user: User) -> list[TodayItem]:
    """Records a worker thinks are one person, for whoever may merge both."""
    if not is_supervisor_or_admin(user):
        return []
    items = []
    for suggestion in open_suggestions_for(user):
        client, other = suggestion.client, suggestion.other
        by = suggestion.suggested_by.display_name if suggestion.suggested_by else Phrase("Someone")
        items.append(
            TodayItem(
                ReminderKind.MERGE_SUGGESTED,
                None,
                to_local(suggestion.created_at).date(),
                Phrase(
                    "%(by)s thinks %(client)s and %(other)s (%(name)s) are one person",
                    by=by,
                    client=client.display_id,
                    other=other.display_id,
                    name=other.preferred_name,
                ),
                Phrase("Compare"),
                Target.to(
                    "merge.merge_into",
                    persistent_id=client.display_id,
                    other=other.display_id,
                ),
                suggestion.id,
                title=client.preferred_name,
                program=Phrase("Possible duplicate"),
            )
        )
    return items


def _waiting_check_in_items(user: User, today: date) -> list[TodayItem]:
    """People waiting for a place whom the worker holds, on the day of their check-in."""
    return [
        TodayItem(
            ReminderKind.WAITING_CHECK_IN,
            None,
            screening.next_check_in_on,
            Phrase(
                "Waiting for a place (%(priority)s priority): check in, offer what helps meanwhile",
                priority=Phrase(screening.priority.label).lower(),
            ),
            Phrase("Check in"),
            Target.to("waiting.entry", screening_id=screening.id),
            screening.id,
            title=screening.client.preferred_name,
            program=screening.program.name,
        )
        for screening in check_ins_due(user, today)
    ]
