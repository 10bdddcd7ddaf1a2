"""One person across the agency: asking for a referral, and referring between programs."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    AuditAction,
    Case,
    Consent,
    ConsentMethod,
    ConsentScope,
    IntakeScreening,
    IntakeSource,
    InternalReferral,
    InternalReferralStatus,
    Program,
    ReferralRequest,
    ScreeningOutcome,
    User,
    utcnow,
)
from webapp.queries.agency import (
    allows_sharing_with,
    may_decide,
    may_withdraw,
    open_requests_for,
    snapshot_of,
    still_allowed,
)
from webapp.queries.intake_rules import Evaluation
from webapp.services import audit, cases, clients, intake_rules
from webapp.text import Phrase, without_controls
from webapp.timeutil import local_today


class AgencyError(ValueError):
    """An agency-wide step that cannot be taken; the message says why."""


def ask_for_referral(case: Case, *, asked_by: User, program: Program, looked_for: str) -> None:
    """Put a request on the holding worker's Today: refer the person they hold to `program`."""
    looked_for = " ".join(looked_for.split())[:200]
    if not looked_for:
        raise AgencyError(Phrase("Say who you are looking for."))
    if not case.is_open or case.restricted:
        raise AgencyError(Phrase("This case cannot take requests."))
    request = ReferralRequest(
        case=case, asked_by_id=asked_by.id, program=program, looked_for=looked_for
    )
    db.session.add(request)
    db.session.flush()
    audit.record(AuditAction.CREATE, "referral_request", request.id, user=asked_by)


def may_send_restricted(user: User, case: Case) -> bool:
    """A restricted case's data travels only by its worker's or their supervisor's choice."""
    worker = case.primary_worker
    return worker is not None and user.id in (worker.id, worker.supervisor_id)


def refer_within_agency(
    case: Case,
    program: Program,
    *,
    created_by: User,
    consent: Consent | None,
    today: date,
    reason: str = "",
    restricted_confirmed: bool = False,
) -> InternalReferral:
    """Refer the case's client to another program of the agency, with a snapshot of what the
    consent allows. Answers any request to refer them there."""
    if not case.is_open:
        raise AgencyError(Phrase("This case is closed."))
    if not program.active or program.id == case.program_id:
        raise AgencyError(Phrase("Choose another active program of the agency."))
    if consent is None or consent.client_id != case.client_id:
        raise AgencyError(
            Phrase("No consent in force lets us share with %(program)s.", program=program.name)
        )
    if not allows_sharing_with(consent, program, today):
        raise AgencyError(
            Phrase("No consent in force lets us share with %(program)s.", program=program.name)
        )
    if case.restricted:
        if not may_send_restricted(created_by, case):
            raise AgencyError(
                Phrase("This case is restricted: only its worker or their supervisor may send it.")
            )
        if not restricted_confirmed:
            raise AgencyError(Phrase("This case is restricted: confirm that its intake may go."))
    pending = db.session.scalar(
        sa.select(InternalReferral.id).where(
            InternalReferral.from_case_id == case.id,
            InternalReferral.to_program_id == program.id,
            InternalReferral.status == InternalReferralStatus.PENDING,
        )
    )
    if pending is not None:
        raise AgencyError(
            Phrase(
                "A referral to %(program)s is already waiting for its decision.",
                program=program.name,
            )
        )
    referral = InternalReferral(
        from_case=case,
        to_program=program,
        consent=consent,
        reason=reason.strip(),
        snapshot=snapshot_of(case),
        restricted_sent_by_id=created_by.id if case.restricted else None,
        status=InternalReferralStatus.PENDING,
        created_by_id=created_by.id,
        created_at=utcnow(),
    )
    db.session.add(referral)
    db.session.flush()
    for request in open_requests_for(case, program):
        request.internal_referral_id = referral.id
    db.session.flush()
    audit.record(AuditAction.CREATE, "internal_referral", referral.id, user=created_by)
    return referral


def _pending(referral: InternalReferral, user: User) -> None:
    if not may_decide(user, referral):
        raise AgencyError(Phrase("Only the receiving program decides."))
    if not referral.is_pending:
        raise AgencyError(Phrase("This referral was already decided."))


def _acceptable(referral: InternalReferral, decided_by: User) -> None:
    _pending(referral, decided_by)
    if not still_allowed(referral, today=local_today()):
        raise AgencyError(
            Phrase(
                "The client's consent to share with this program is no longer in force: decline, "
                "or ask the referring worker to record a new one and refer again."
            )
        )
    if any(
        case.is_open and case.program_id == referral.to_program_id
        for case in referral.from_case.client.cases
    ):
        raise AgencyError(
            Phrase(
                "They already have an open case in %(program)s.", program=referral.to_program.name
            )
        )


def _intake_of(referral: InternalReferral) -> cases.IntakeDetails:
    snapshot = referral.snapshot
    return cases.IntakeDetails(
        source=IntakeSource.WORKER,
        presenting_circumstances=snapshot.get("presenting_circumstances", ""),
        client_priorities=snapshot.get("client_priorities", ""),
        strengths=snapshot.get("strengths", ""),
    )


def _consent_with(referral: InternalReferral, decided_by: User, case: Case | None) -> Consent:
    source = referral.from_case
    return clients.record_consent(
        source.client,
        scope=ConsentScope.DATA_COLLECTION,
        method=_data_collection_method(source),
        recorded_by=decided_by,
        note=f"Came with the referral from {source.program.name}.",
        case=case,
    )


def accept(referral: InternalReferral, *, decided_by: User, next_follow_up_on: date | None) -> Case:
    """Open a case in the receiving program on the same client: the intake comes from the
    snapshot, and the client's consent to keep their information comes with the referral."""
    _acceptable(referral, decided_by)
    case = cases.open_case(
        referral.from_case.client,
        referral.to_program,
        created_by=decided_by,
        primary_worker=decided_by,
        intake=_intake_of(referral),
        next_follow_up_on=next_follow_up_on,
    )
    _consent_with(referral, decided_by, case)
    referral.status = InternalReferralStatus.ACCEPTED
    referral.decided_by_id, referral.decided_at = decided_by.id, utcnow()
    referral.new_case_id = case.id
    db.session.flush()
    audit.record(AuditAction.UPDATE, "internal_referral", referral.id, user=decided_by)
    return case


def decide_screened(
    referral: InternalReferral,
    *,
    decided_by: User,
    next_follow_up_on: date | None,
    evaluation: Evaluation,
    full: bool,
) -> tuple[Case | None, IntakeScreening | None]:
    """A referral into a program with intake rules, decided by the answers to its questions:
    someone who does not qualify is declined with the reasons (the referring worker sees them and
    refers elsewhere); someone who qualifies for a full program waits on its list, held by the
    worker who decided (the referral is accepted, the case opens when they come off the list);
    anyone else gets their case as `accept` opens it."""
    today = local_today()
    client, program = referral.from_case.client, referral.to_program
    if not evaluation.qualified:
        decline(referral, decided_by=decided_by, reason="; ".join(evaluation.reasons))
        screening = intake_rules.record_screening(
            program=program,
            client=client,
            evaluation=evaluation,
            outcome=ScreeningOutcome.NOT_ELIGIBLE,
            screened_by=decided_by,
            today=today,
        )
        return None, screening
    if full:
        _acceptable(referral, decided_by)
        consent = _consent_with(referral, decided_by, None)
        screening = intake_rules.record_screening(
            program=program,
            client=client,
            evaluation=evaluation,
            outcome=ScreeningOutcome.WAITING,
            screened_by=decided_by,
            today=today,
            intake=_intake_of(referral),
            consent=consent,
            next_check_in_on=next_follow_up_on,
        )
        referral.status = InternalReferralStatus.ACCEPTED
        referral.decided_by_id, referral.decided_at = decided_by.id, utcnow()
        db.session.flush()
        audit.record(AuditAction.UPDATE, "internal_referral", referral.id, user=decided_by)
        return None, screening
    case = accept(referral, decided_by=decided_by, next_follow_up_on=next_follow_up_on)
    screening = None
    if evaluation.answers:
        screening = intake_rules.record_screening(
            program=program,
            client=client,
            evaluation=evaluation,
            outcome=ScreeningOutcome.OPENED,
            screened_by=decided_by,
            today=today,
            case=case,
        )
    return case, screening


def _data_collection_method(case: Case) -> ConsentMethod:
    """How the client agreed to us keeping their information in the referring case."""
    given = [
        consent
        for consent in case.client.consents
        if consent.case_id == case.id
        and consent.scope == ConsentScope.DATA_COLLECTION
        and consent.revoked_at is None
    ]
    return given[0].method if given else ConsentMethod.VERBAL


def decline(referral: InternalReferral, *, decided_by: User, reason: str) -> None:
    _pending(referral, decided_by)
    if not reason.strip():
        raise AgencyError(Phrase("Say why the program does not take this referral."))
    referral.status = InternalReferralStatus.DECLINED
    referral.decided_by_id, referral.decided_at = decided_by.id, utcnow()
    referral.decline_reason = reason.strip()
    db.session.flush()
    audit.record(AuditAction.UPDATE, "internal_referral", referral.id, user=decided_by)


def withdraw(referral: InternalReferral, *, withdrawn_by: User, reason: str) -> None:
    """The referring side takes back a referral not yet decided (sent by mistake, the client
    changed their mind or withdrew consent): it leaves the receiving program's queue, and what
    travelled with it (the snapshot of the case and the note for the program) is emptied, since
    the program never took the case. Who, when and why stay with the referring case."""
    if not may_withdraw(withdrawn_by, referral):
        raise AgencyError(Phrase("Only the referring program's workers withdraw a referral."))
    db.session.refresh(referral, with_for_update=True)
    if not referral.is_pending:
        raise AgencyError(Phrase("This referral was already decided: it cannot be withdrawn."))
    reason = without_controls(reason or "", multiline=True).strip()
    if not reason:
        raise AgencyError(Phrase("Say why the referral is withdrawn."))
    referral.status = InternalReferralStatus.WITHDRAWN
    referral.withdrawn_by_id, referral.withdrawn_at = withdrawn_by.id, utcnow()
    referral.withdrawal_reason = reason[:2000]
    referral.snapshot = {}
    referral.reason = ""
    db.session.flush()
    audit.record(AuditAction.UPDATE, "internal_referral", referral.id, user=withdrawn_by)
