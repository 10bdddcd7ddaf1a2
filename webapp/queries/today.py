"""Today: everything due for one worker, as one list, most urgent first.

A fixed handful of queries whatever the caseload: the worker's open cases with their assessment
and plan dates, their referrals waiting for a confirmation, post-closure follow-ups, and (for
supervisors) closures waiting for approval. A worker's open cases are bounded by the caseload cap,
so the rest is arithmetic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql

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
    program_memberships,
)
from webapp.queries.case_state import last_contact_day, standard_for
from webapp.queries.caseload import one_line
from webapp.queries.consents import EXPIRING_WITHIN, renewed
from webapp.queries.intake_rules import check_ins_due_for
from webapp.queries.merges import open_suggestions_for
from webapp.queries.visibility import (
    is_supervisor_or_admin,
    team_case_pairs,
    visible_cases,
    visible_cases_to,
    visible_invitations_to,
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
    # The client an item without a case names (a waiting-list check-in, a referral to decide, a
    # self-intake sent through a client's own link), and a second one it names (the other record
    # of a possible duplicate): showing their names on Today is a view of them, as for a case's.
    client_id: int | None = None
    other_client_id: int | None = None

    @property
    def key(self) -> str:
        """Stable while the item is the same item: a new due date makes a new reminder."""
        return f"{self.kind}:{self.record or self.case.id}:{self.due.isoformat()}"

    @property
    def clients_named(self) -> tuple[int, ...]:
        """The clients whose names the item shows."""
        first = self.case.client_id if self.case is not None else self.client_id
        return tuple(client for client in (first, self.other_client_id) if client is not None)

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


class _Batch:
    """Users whose Today is worked out together, each on their own today (time zones differ).

    Every query below is asked once for the whole batch, its rows tagged with the user they are
    for: the dispatcher works out hundreds of users in the same fixed number of statements as one
    user's page. The dates a query filters on are widened to the batch's span of todays, then each
    user's own today is applied to the rows."""

    def __init__(self, users: list[tuple[User, date]]) -> None:
        self.users = {user.id: user for user, _ in users}
        self.today = {user.id: today for user, today in users}
        self.ids = sorted(self.users)
        self.earliest, self.latest = min(self.today.values()), max(self.today.values())
        # The user a row is for, as a `User` in the query: the visibility rules are applied to it.
        self.viewer = so.aliased(User, name="viewer")
        # The open cases the users hold and may see, and who holds each: `_case_items` reads
        # them first, through the visibility rule; what hangs off them is then read by their ids
        # (one bound value), not by asking the rule again in every query.
        self.cases: dict[int, Case] = {}
        self.holders: dict[int, list[int]] = {}

    def held_open_query(self) -> sa.Select:
        """(user id, case) over the users' own open cases and those whose team they are on,
        through the one visibility rule (a worker who left the program keeps none of its cases on
        Today)."""
        held = sa.union(
            sa.select(Case.primary_worker_id.label("user_id"), Case.id.label("case_id")).where(
                Case.primary_worker_id.in_(self.ids), Case.closed_at.is_(None)
            ),
            team_case_pairs(self.ids),
        ).subquery("held")
        return (
            sa.select(held.c.user_id, Case)
            .select_from(held)
            .join(Case, Case.id == held.c.case_id)
            .join(self.viewer, self.viewer.id == held.c.user_id)
            .where(Case.closed_at.is_(None), visible_cases_to(self.viewer))
            .order_by(held.c.user_id, Case.id)
        )

    def on_held(self, case_id: sa.ColumnElement[int], *entities) -> sa.Select | None:
        """*entities for rows whose `case_id` is one of the held cases (each row once, whoever
        holds it: `holders` says for whom), or None when nobody holds any."""
        if not self.cases:
            return None
        return sa.select(*entities).where(_one_of(case_id, sorted(self.cases)))

    def for_holders(self, rows, case_id_of) -> list[tuple]:
        """Each row of an `on_held` query once for each user who holds its case, the user's id
        first."""
        return [(user_id, *row) for row in rows for user_id in self.holders[case_id_of(row)]]

    def primary_of(self, *entities) -> sa.Select:
        """(user id, *entities) over every case (open or closed) the users are primary worker of
        and may see. `Case` is in the FROM for the caller to join to."""
        return (
            sa.select(Case.primary_worker_id, *entities)
            .select_from(Case)
            .join(self.viewer, self.viewer.id == Case.primary_worker_id)
            .where(Case.primary_worker_id.in_(self.ids), visible_cases_to(self.viewer))
        )

    def empty(self) -> dict[int, list[TodayItem]]:
        return {user_id: [] for user_id in self.ids}


def _one_of(column: sa.ColumnElement[int], ids: list[int]) -> sa.ColumnElement[bool]:
    """`column` is one of `ids`, given as one bound value however many there are (a batch of the
    dispatcher's holds thousands of cases): an array on PostgreSQL, a JSON array on SQLite."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, ids, type_=postgresql.ARRAY(sa.Integer)))
    elements = sa.func.json_each(sa.bindparam(None, json.dumps(ids))).table_valued("value")
    return column.in_(sa.select(elements.c.value))


def clients_named(items: list[TodayItem]) -> list[int]:
    """Every client a list of items names, once each: a page that shows them is a view of each
    one's record (Today, /reminders)."""
    return sorted({client for item in items for client in item.clients_named})


def _log_contact(case: Case) -> tuple[str, Target]:
    return Phrase("Log contact"), Target.to("contacts.for_case", case_id=case.id, next="/")


def due_items(user: User, today: date) -> list[TodayItem]:
    """Everything due for `user` on `today`: the one-user case of `due_items_for`."""
    return due_items_for([(user, today)])[user.id]


def due_items_for(users: list[tuple[User, date]]) -> dict[int, list[TodayItem]]:
    """Each user's Today (by user id), each on their own day, in a fixed number of statements
    for the lot (plus one or two per supervisor or admin for merge suggestions)."""
    if not users:
        return {}
    batch = _Batch(users)
    items = batch.empty()
    for part in (
        _case_items,
        _referral_items,
        _appointment_items,
        _provider_answer_items,
        _provider_promise_items,
        _plan_task_items,
        _consent_items,
        _post_closure_items,
        _approval_items,
        _self_intake_items,
        _referral_request_items,
        _internal_referral_items,
        _referrals_asked_for_items,
        _merge_suggestion_items,
        _waiting_check_in_items,
    ):
        for user_id, found in part(batch).items():
            items[user_id].extend(found)
    for user_id, found in items.items():
        today = batch.today[user_id]
        found.sort(key=lambda item: item.sort_key(today))
    return items


def _case_items(batch: _Batch) -> dict[int, list[TodayItem]]:
    rows = db.session.execute(
        batch.held_open_query().options(
            so.joinedload(Case.client, innerjoin=True), so.joinedload(Case.program, innerjoin=True)
        )
    ).all()
    for user_id, case in rows:
        batch.cases[case.id] = case
        batch.holders.setdefault(case.id, []).append(user_id)
    items = batch.empty()
    if not rows:
        return items
    case_ids = sorted(batch.cases)
    last_assessed = dict(
        db.session.execute(
            sa.select(Assessment.case_id, sa.func.max(Assessment.assessed_on))
            .where(_one_of(Assessment.case_id, case_ids), Assessment.kind != AssessmentKind.CLOSURE)
            .group_by(Assessment.case_id)
        ).all()
    )
    reviews = dict(
        db.session.execute(
            sa.select(ServicePlan.case_id, ServicePlan.review_on).where(
                _one_of(ServicePlan.case_id, case_ids),
                ServicePlan.agreed_on.is_not(None),
                ServicePlan.review_on.is_not(None),
            )
        ).all()
    )
    for user_id, case in rows:
        items[user_id].extend(
            _items_of_case(case, user_id, batch.today[user_id], last_assessed, reviews)
        )
    return items


def _items_of_case(
    case: Case, user_id: int, today: date, last_assessed: dict, reviews: dict
) -> list[TodayItem]:
    items = []
    if case.handoff_pending and case.primary_worker_id == user_id:
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
        due = last_assessed[case.id] + timedelta(days=standard_for(case).reassessment_interval_days)
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
        return items
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
    return items


# A referral's service and its provider (both required) come in the same statement.
_WITH_PROVIDER = (
    so.joinedload(Referral.service, innerjoin=True).joinedload(Service.provider, innerjoin=True),
)


def _referral_items(batch: _Batch) -> dict[int, list[TodayItem]]:
    query = batch.on_held(Referral.case_id, Referral)
    if query is None:
        return {}
    # The cases are in the session already (`_case_items` loaded the held cases first).
    rows = db.session.execute(
        query.where(
            Referral.status.not_in(CLOSED_REFERRAL_STATUSES),
            Referral.follow_up_on <= batch.latest,
        ).options(*_WITH_PROVIDER)
    )
    rows = batch.for_holders(rows, lambda row: row[0].case_id)
    items = batch.empty()
    for user_id, referral in rows:
        if referral.follow_up_on > batch.today[user_id]:
            continue
        # The status's own label may hold brackets ("Connected (client attended)"): no second pair.
        detail = Phrase(
            "Referral to %(provider)s, %(status)s: check what happened",
            provider=referral.service.provider.name,
            status=Phrase(referral.status.label).lower(),
        )
        items[user_id].append(
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
    return items


def _appointment_items(batch: _Batch) -> dict[int, list[TodayItem]]:
    """Appointments booked for today on the worker's open cases."""
    query = batch.on_held(Referral.case_id, Referral)
    if query is None:
        return {}
    rows = db.session.execute(
        query.where(
            Referral.status == ReferralStatus.SCHEDULED,
            Referral.appointment_on.between(batch.earliest, batch.latest),
        ).options(*_WITH_PROVIDER)
    )
    rows = batch.for_holders(rows, lambda row: row[0].case_id)
    items = batch.empty()
    for user_id, referral in rows:
        today = batch.today[user_id]
        if referral.appointment_on != today:
            continue
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
        items[user_id].append(
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


def _provider_answer_items(batch: _Batch) -> dict[int, list[TodayItem]]:
    """What providers answered on their links about referrals of the worker's open cases, until
    the worker reads the referral: one item per referral, saying the latest answer (a new answer
    makes a new item, and a new reminder)."""
    query = batch.on_held(Referral.case_id, ReferralMessage, Referral)
    if query is None:
        return {}
    rows = db.session.execute(
        query.where(
            ReferralMessage.referral_id == Referral.id,
            ReferralMessage.from_provider.is_(True),
            ReferralMessage.seen_at.is_(None),
        )
        .options(*_WITH_PROVIDER, so.joinedload(ReferralMessage.status_change))
        .order_by(ReferralMessage.id)
    )
    rows = batch.for_holders(rows, lambda row: row[1].case_id)
    unread: dict[tuple[int, int], list[ReferralMessage]] = {}
    referral_of: dict[int, Referral] = {}
    for user_id, message, referral in rows:
        unread.setdefault((user_id, referral.id), []).append(message)
        referral_of[referral.id] = referral
    items = batch.empty()
    for (user_id, referral_id), messages in unread.items():
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
        items[user_id].append(
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


def _provider_promise_items(batch: _Batch) -> dict[int, list[TodayItem]]:
    """What a provider agreed to do by a day now past, on the worker's open cases, while the
    client is not yet connected."""
    query = batch.on_held(Referral.case_id, Referral)
    if query is None:
        return {}
    rows = db.session.execute(
        query.where(
            Referral.status.in_(_PROMISE_PENDING),
            Referral.provider_commitment_by < batch.latest,
        ).options(*_WITH_PROVIDER)
    )
    rows = batch.for_holders(rows, lambda row: row[0].case_id)
    items = batch.empty()
    for user_id, referral in rows:
        if referral.provider_commitment_by >= batch.today[user_id]:
            continue
        items[user_id].append(
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
        )
    return items


def _plan_task_items(batch: _Batch) -> dict[int, list[TodayItem]]:
    """Plan tasks due or overdue on the worker's open cases: their own to do, anyone else's
    (the client's, a provider's) to follow up. Tasks of a goal that has its outcome are done
    with."""
    query = batch.on_held(ServicePlan.case_id, PlanTask, ServicePlan.case_id)
    if query is None:
        return {}
    rows = db.session.execute(
        query.where(
            Goal.plan_id == ServicePlan.id,
            PlanTask.goal_id == Goal.id,
            Goal.status.in_(ACTIVE_GOAL_STATUSES),
            PlanTask.done_at.is_(None),
            PlanTask.due_on <= batch.latest,
        )
    )
    rows = batch.for_holders(rows, lambda row: row[1])
    items = batch.empty()
    for user_id, task, case_id in rows:
        if task.due_on > batch.today[user_id]:
            continue
        case = batch.cases[case_id]
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
        items[user_id].append(
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


def _consent_items(batch: _Batch) -> dict[int, list[TodayItem]]:
    """Consents recorded in the worker's open cases that run out within two weeks, unless a
    later one for the same purpose already renews them."""
    query = batch.on_held(Consent.case_id, Consent)
    if query is None:
        return {}
    rows = db.session.execute(
        query.where(
            Consent.revoked_at.is_(None),
            Consent.expires_on.between(batch.earliest, batch.latest + EXPIRING_WITHIN),
        ).options(
            # Renewed or not is read from the client's other consents.
            so.joinedload(Consent.client, innerjoin=True).selectinload(Client.consents),
            so.joinedload(Consent.provider),
        )
    )
    rows = batch.for_holders(rows, lambda row: row[0].case_id)
    items = batch.empty()
    for user_id, consent in rows:
        case = batch.cases[consent.case_id]
        today = batch.today[user_id]
        if not today <= consent.expires_on <= today + EXPIRING_WITHIN or renewed(consent, today):
            continue
        scope = Phrase(consent.scope.label)
        what = (
            Phrase("%(scope)s: %(provider)s", scope=scope, provider=consent.provider.name)
            if consent.provider
            else scope
        )
        items[user_id].append(
            TodayItem(
                ReminderKind.CONSENT_EXPIRING,
                case,
                consent.expires_on,
                Phrase(
                    "Consent runs out %(day)s: %(what)s. Renew it with the client, or let it end",
                    day=consent.expires_on,
                    what=what,
                ),
                Phrase("Consents"),
                Target.to("consents.index", persistent_id=case.client.display_id),
                consent.id,
            )
        )
    return items


# A case's client and program, whose names an item shows, in the same statement as the case.
_CASE_NAMES = (so.joinedload(Case.client), so.joinedload(Case.program))


def _post_closure_items(batch: _Batch) -> dict[int, list[TodayItem]]:
    rows = db.session.execute(
        batch.primary_of(PostClosureFollowUp, Case)
        .join(PostClosureFollowUp, PostClosureFollowUp.case_id == Case.id)
        .where(
            PostClosureFollowUp.done_at.is_(None),
            PostClosureFollowUp.cancelled.is_(False),
            PostClosureFollowUp.due_on <= batch.latest,
        )
        .options(*_CASE_NAMES)
    ).all()
    items = batch.empty()
    for user_id, follow_up, case in rows:
        if follow_up.due_on > batch.today[user_id]:
            continue
        items[user_id].append(
            TodayItem(
                ReminderKind.POST_CLOSURE,
                case,
                follow_up.due_on,
                Phrase("Post-closure check: how are they doing?"),
                Phrase("Record check"),
                Target.to("cases.view", case_id=case.id, _anchor="follow-ups"),
                follow_up.id,
            )
        )
    return items


def _pending_closure(viewer_id, sees_case: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    return sa.and_(
        ClosureRequest.status == ClosureStatus.PENDING,
        ClosureRequest.requested_by_id != viewer_id,
        sees_case,
    )


def pending_closures_for(user: User) -> sa.Select:
    """Closures waiting for a decision `user` may take: cases they may see, not their own
    requests."""
    return (
        sa.select(ClosureRequest)
        .join(ClosureRequest.case)
        .where(_pending_closure(user.id, visible_cases(user)))
        .order_by(ClosureRequest.requested_at)
    )


def _approval_items(batch: _Batch) -> dict[int, list[TodayItem]]:
    """For the batch's supervisors and admins: each pending closure each of them may decide."""
    deciders = [user_id for user_id, user in batch.users.items() if is_supervisor_or_admin(user)]
    if not deciders:
        return {}
    viewer = batch.viewer
    rows = db.session.execute(
        sa.select(viewer.id, ClosureRequest)
        .select_from(ClosureRequest)
        .join(ClosureRequest.case)
        .join(viewer, viewer.id.in_(deciders))
        .where(_pending_closure(viewer.id, visible_cases_to(viewer)))
        .order_by(viewer.id, ClosureRequest.requested_at)
        .options(
            so.contains_eager(ClosureRequest.case).joinedload(Case.client),
            so.contains_eager(ClosureRequest.case).joinedload(Case.program),
        )
    ).all()
    items = batch.empty()
    for user_id, request in rows:
        items[user_id].append(
            TodayItem(
                ReminderKind.CLOSURE_APPROVAL,
                request.case,
                to_local(request.requested_at).date(),
                Phrase("Closure waiting for your approval"),
                Phrase("Decide"),
                Target.to("closure.close", case_id=request.case.id),
                request.id,
            )
        )
    return items


def _self_intake_items(batch: _Batch) -> dict[int, list[TodayItem]]:
    """Answers a client sent through one of this worker's links, waiting for review."""
    viewer = batch.viewer
    rows = db.session.execute(
        sa.select(viewer.id, SelfIntakeSubmission)
        .select_from(SelfIntakeSubmission)
        .join(SelfIntakeSubmission.invitation)
        .join(viewer, viewer.id == Invitation.created_by_id)
        .where(
            Invitation.created_by_id.in_(batch.ids),
            visible_invitations_to(viewer),
            SelfIntakeSubmission.status == SubmissionStatus.PENDING,
        )
        .options(so.contains_eager(SelfIntakeSubmission.invitation).joinedload(Invitation.program))
    ).all()
    items = batch.empty()
    for user_id, submission in rows:
        items[user_id].append(
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
                # Sent through a link for a client on record: the answers are about them.
                client_id=submission.invitation.client_id,
            )
        )
    return items


def _referral_request_items(batch: _Batch) -> dict[int, list[TodayItem]]:
    """Workers of other programs asking this worker to refer someone they hold (the worker sees
    their own client's name: it is their case)."""
    query = batch.on_held(ReferralRequest.case_id, ReferralRequest)
    if query is None:
        return {}
    rows = db.session.execute(
        query.where(ReferralRequest.internal_referral_id.is_(None)).options(
            so.joinedload(ReferralRequest.asked_by),
            so.joinedload(ReferralRequest.program, innerjoin=True),
        )
    )
    rows = batch.for_holders(rows, lambda row: row[0].case_id)
    items = batch.empty()
    for user_id, request in rows:
        asker = request.asked_by.display_name if request.asked_by else Phrase("A colleague")
        items[user_id].append(
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


def _internal_referral_items(batch: _Batch) -> dict[int, list[TodayItem]]:
    """The worker's internal referrals still waiting for the receiving program's decision after
    INTERNAL_REFERRAL_NAG_AFTER: chase them until accepted or declined."""
    rows = db.session.execute(
        batch.primary_of(InternalReferral, Case)
        .join(InternalReferral, InternalReferral.from_case_id == Case.id)
        .where(InternalReferral.status == InternalReferralStatus.PENDING)
        .options(*_CASE_NAMES, so.joinedload(InternalReferral.to_program))
    ).all()
    items = batch.empty()
    for user_id, referral, case in rows:
        due = to_local(referral.created_at).date() + INTERNAL_REFERRAL_NAG_AFTER
        if due > batch.today[user_id]:
            continue
        items[user_id].append(
            TodayItem(
                ReminderKind.INTERNAL_REFERRAL,
                case,
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


def _referrals_asked_for_items(batch: _Batch) -> dict[int, list[TodayItem]]:
    """Internal referrals that answered this worker's own request, waiting in their program's
    queue (one of the worker's programs): the worker who asked decides (or a colleague does from
    the queue)."""
    membership = program_memberships.alias()
    rows = db.session.execute(
        sa.select(ReferralRequest.asked_by_id, InternalReferral)
        .join(InternalReferral, InternalReferral.id == ReferralRequest.internal_referral_id)
        .join(
            membership,
            sa.and_(
                membership.c.user_id == ReferralRequest.asked_by_id,
                membership.c.program_id == InternalReferral.to_program_id,
            ),
        )
        .where(
            ReferralRequest.asked_by_id.in_(batch.ids),
            InternalReferral.status == InternalReferralStatus.PENDING,
        )
        .options(
            so.joinedload(InternalReferral.from_case).joinedload(Case.client),
            so.joinedload(InternalReferral.from_case).joinedload(Case.program),
            so.joinedload(InternalReferral.to_program),
        )
        .order_by(ReferralRequest.asked_by_id, InternalReferral.id)
    ).all()
    items = batch.empty()
    seen = set()
    for user_id, referral in rows:
        if (user_id, referral.id) in seen:  # asked for twice, answered once
            continue
        seen.add((user_id, referral.id))
        items[user_id].append(
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
                client_id=referral.from_case.client_id,
            )
        )
    return items


def _merge_suggestion_items(batch: _Batch) -> dict[int, list[TodayItem]]:
    """Records a worker thinks are one person, for whoever may merge both: asked per supervisor
    or admin (who may merge is worked out per client, and they are a few in each batch)."""
    return {
        user_id: _merge_suggestions_of(user)
        for user_id, user in batch.users.items()
        if is_supervisor_or_admin(user)
    }


def _merge_suggestions_of(user: User) -> list[TodayItem]:
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
                client_id=client.id,
                other_client_id=other.id,
            )
        )
    return items


def _waiting_check_in_items(batch: _Batch) -> dict[int, list[TodayItem]]:
    """People waiting for a place whom the worker holds, on the day of their check-in."""
    items = batch.empty()
    for user_id, screening in check_ins_due_for(batch.ids, batch.today):
        items[user_id].append(
            TodayItem(
                ReminderKind.WAITING_CHECK_IN,
                None,
                screening.next_check_in_on,
                Phrase(
                    "Waiting for a place (%(priority)s priority): check in, offer what helps "
                    "meanwhile",
                    priority=Phrase(screening.priority.label).lower(),
                ),
                Phrase("Check in"),
                Target.to("waiting.entry", screening_id=screening.id),
                screening.id,
                title=screening.client.preferred_name,
                program=screening.program.name,
                client_id=screening.client_id,
            )
        )
    return items
