"""Building a case's practice records through the services, for the lifecycle tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from webapp.extensions import db
from webapp.models import (
    AgreementMethod,
    AssessmentKind,
    Case,
    ConsentMethod,
    ConsentScope,
    Goal,
    GoalStatus,
    IntakeScreening,
    Invitation,
    LifeDomain,
    Provider,
    Referral,
    ScreeningOutcome,
    SelfIntakeSubmission,
    Service,
    SubmissionStatus,
    User,
    WaitPriority,
)
from webapp.queries.case_state import load_state
from webapp.services import assessments, clients, plans, referrals
from webapp.timeutil import local_today


def assess(
    case: Case,
    user: User,
    kind: AssessmentKind = AssessmentKind.BASELINE,
    *,
    scores: dict[LifeDomain, int] | None = None,
    on: date | None = None,
):
    scores = scores or {LifeDomain.HOUSING: 1, LifeDomain.INCOME: 2}
    assessment = assessments.record_assessment(
        case,
        assessments.AssessmentDetails(
            kind=kind,
            assessed_on=on or local_today(),
            scores={
                domain: (score, f"{domain.label} is at {score}.")
                for domain, score in scores.items()
            },
        ),
        recorded_by=user,
        existing=load_state(case).assessments,
    )
    db.session.commit()
    return assessment


def add_goal(case: Case, user: User, statement: str = "Move into my own flat") -> Goal:
    goal = plans.add_goal(
        case,
        plans.GoalDetails(
            domain=LifeDomain.HOUSING,
            statement=statement,
            measure="Keys in hand",
            target_on=local_today() + timedelta(days=60),
            status=GoalStatus.IN_PROGRESS,
        ),
        user=user,
        today=local_today(),
    )
    db.session.commit()
    return goal


def agree(case: Case, user: User, review_in_days: int | None = 30) -> None:
    plans.record_agreement(
        case,
        agreed_by="The client",
        agreed_on=local_today(),
        method=AgreementMethod.IN_PERSON,
        review_on=local_today() + timedelta(days=review_in_days)
        if review_in_days is not None
        else None,
        expected_version=None,
        user=user,
        today=local_today(),
    )
    db.session.commit()


def a_service() -> Service:
    service = Service(
        name="Emergency shelter bed",
        category="housing",
        provider=Provider(name="Harbor Light Shelter", phone="555-0175"),
    )
    db.session.add(service)
    db.session.commit()
    return service


def planned_case(make_case, program, worker: User, **kwargs) -> tuple[Case, Goal]:
    """A case with a baseline and an agreed plan of one goal."""
    case = make_case(program, worker, **kwargs)
    assess(case, worker)
    goal = add_goal(case, worker)
    agree(case, worker)
    return case, goal


def request_goals_met_closure(case: Case, user: User, goal: Goal) -> None:
    """A closure assessment, then a closure asked for with every goal met."""
    from webapp.models import ClosureReason, GoalStatus
    from webapp.services import closure

    assess(case, user, AssessmentKind.CLOSURE)
    closure.request_closure(
        load_state(case),
        closure.ClosurePlan(
            reason=ClosureReason.GOALS_MET,
            outcome="Housed.",
            goal_outcomes={goal.id: GoalStatus.MET},
        ),
        user=user,
        today=local_today(),
    )


def refer(case: Case, service: Service, **kwargs) -> Referral:
    """A referral as a worker makes one: the client's consent to share with the provider first."""
    consent = clients.record_consent(
        case.client,
        scope=ConsentScope.SHARING,
        method=ConsentMethod.VERBAL,
        witness="A colleague",
        recorded_by=kwargs.get("created_by"),
        provider=service.provider,
        expires_on=local_today() + timedelta(days=365),
        case=case,
    )
    return referrals.make_referral(case, service, consent=consent, **kwargs)


def waiting_for_a_place(
    program_id: int,
    client_id: int,
    *,
    holder: User | None = None,
    priority: WaitPriority = WaitPriority.NORMAL,
    since: date | None = None,
    check_in: date | None = None,
) -> IntakeScreening:
    """Someone who qualified for a full program and waits on its list (no case yet)."""
    screening = IntakeScreening(
        program_id=program_id,
        client_id=client_id,
        answers=[],
        qualified=True,
        priority=priority,
        outcome=ScreeningOutcome.WAITING,
        intake={},
        waiting_since=since or local_today(),
        next_check_in_on=check_in,
        holding_worker_id=holder.id if holder else None,
    )
    db.session.add(screening)
    return screening


def pending_self_intake(
    program_id: int,
    created_by: User,
    name: str,
    *,
    client_id: int | None = None,
    token: str = "a",
    submitted_at: datetime | None = None,
) -> SelfIntakeSubmission:
    """A self-intake a client sent through a link, waiting for the program's review."""
    invitation = Invitation(
        token_hash=token * 64,
        program_id=program_id,
        client_id=client_id,
        created_by_id=created_by.id,
        expires_at=datetime.now(UTC) + timedelta(days=7),
    )
    db.session.add(invitation)
    db.session.flush()
    submission = SelfIntakeSubmission(
        invitation_id=invitation.id,
        answers={"preferred_name": name},
        language="en",
        status=SubmissionStatus.PENDING,
    )
    if submitted_at is not None:
        submission.submitted_at = submitted_at
    db.session.add(submission)
    return submission
