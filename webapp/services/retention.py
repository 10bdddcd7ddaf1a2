"""Retention: legal holds, and anonymising a client whose every case was kept long enough.

Anonymising replaces what names or describes the person — names and aliases, birth date (the year
stays, as reports count ages), phone and contact notes, and every free text written about them:
intake, contacts, assessments, plans, closure, referrals and messages with providers, referrals
between programs, self-intake answers, consents' notes, their network and, when no other client
still lives there, their household. IDs, dates, codes, scores and statuses stay, so reports keep
counting the cases. `SCRUBBED` names each column it replaces and `KEPT` each text column it
deliberately leaves; tests/test_retention.py fails when a text column is in neither.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    Assessment,
    AssessmentScore,
    AuditAction,
    Case,
    CaseEvent,
    Client,
    ClientAlias,
    ClientMerge,
    ClientNameToken,
    ClientRelationship,
    ClosureRequest,
    Consent,
    ContactLog,
    Document,
    Goal,
    Household,
    HouseholdMember,
    Intake,
    IntakeScreening,
    InternalReferral,
    Invitation,
    LegalHold,
    MergeSuggestion,
    PlanSignature,
    PlanTask,
    PostClosureFollowUp,
    Referral,
    ReferralMessage,
    ReferralRequest,
    ReferralStatusChange,
    RetentionRun,
    SelfIntakeSubmission,
    ServicePlan,
    User,
    WaitingOffer,
    utcnow,
)
from webapp.queries import retention as queries
from webapp.services import audit
from webapp.text import Phrase

# What a replaced name reads: no language's word, so every page shows it as it is.
REMOVED = "—"

# Every text column anonymising replaces ("table.column").
SCRUBBED = {
    "clients.preferred_name",
    "clients.legal_name",
    "clients.name_key",
    "clients.phone",
    "clients.phone_digits",
    "clients.contact_notes",
    "client_aliases.name",
    "client_name_tokens.token",
    "client_name_tokens.metaphone",
    "client_name_tokens.nysiis",
    "client_name_tokens.name_key",
    "client_merges.survivor_before",
    "merge_suggestions.note",
    "consents.witness",
    "consents.note",
    "consents.revocation_note",
    "legal_holds.reason",
    "cases.closure_outcome",
    "intakes.presenting_circumstances",
    "intakes.safety_details",
    "intakes.client_priorities",
    "intakes.strengths",
    "intakes.communication_preferences",
    "contact_logs.place",
    "contact_logs.note",
    "contact_logs.collateral_name",
    "assessments.strengths_personal",
    "assessments.strengths_family",
    "assessments.strengths_community",
    "assessments.needs",
    "assessments.client_view",
    "assessment_scores.narrative",
    "service_plans.agreed_by",
    "goals.statement",
    "goals.measure",
    "plan_tasks.description",
    "plan_tasks.support_person",
    "case_events.note",
    "closure_requests.outcome",
    "closure_requests.taken_over_by",
    "closure_requests.decision_note",
    "post_closure_follow_ups.note",
    "referrals.reason",
    "referrals.provider_commitment",
    "referrals.appointment_place",
    "referral_status_changes.note",
    "referral_status_changes.appointment_place",
    "referral_messages.note",
    "internal_referrals.reason",
    "internal_referrals.decline_reason",
    "internal_referrals.snapshot",
    "internal_referrals.withdrawal_reason",
    "referral_requests.looked_for",
    "invitations.note",
    "self_intake_submissions.answers",
    "self_intake_submissions.reject_reason",
    "households.name",
    "household_members.name",
    "client_relationships.name",
    "client_relationships.how_to_reach",
    "service_plans.consequences",
    "plan_tasks.place",
    "plan_tasks.schedule",
    "plan_tasks.frequency",
    "plan_tasks.provider_name",
    "plan_signatures.name",
    "plan_signatures.strokes",
    "documents.title",
    "documents.sha256",
    "intake_screenings.intake",
    "intake_screenings.reasons",
    "intake_screenings.referred_to",
    "intake_screenings.left_note",
    "waiting_offers.what",
}

# Text columns left as they are, and why.
_CODES = "a code from a fixed list, read through label()"
_STAFF = "staff, the agency's programs or its directory: not a client's record"
KEPT = {
    "documents.kind": _CODES,
    "documents.content_type": "the file's type (image/jpeg, application/pdf)",
    "documents.stored_name": "a random name, never the upload's; the file itself is removed",
    "plan_signatures.party": _CODES,
    "plan_signatures.method": _CODES,
    "hud_answers.race": "HUD's race codes, kept as reports keep the other coded answers",
    "intake_screenings.answers": "answers to the program's own questions, chosen from its list, "
    "kept as assessment scores are (the free text of the screening is replaced)",
    "intake_screenings.outcome": _CODES,
    "intake_screenings.priority": _CODES,
    "intake_screenings.left_reason": _CODES,
    "eligibility_questions.text": _STAFF,
    "eligibility_questions.kind": _STAFF,
    "eligibility_questions.choices": _STAFF,
    "eligibility_questions.qualifying": _STAFF,
    "eligibility_questions.priority": _STAFF,
    "eligibility_questions.priority_answers": _STAFF,
    "assessment_scores.domain": _CODES,
    "assessments.kind": _CODES,
    "audit_events.action": _CODES,
    "audit_events.record_type": _CODES,
    "audit_events.record_id": "an internal id, never a name",
    "audit_events.address": "the staff member's network address",
    "audit_events.path": "a path: ids only (query strings are never kept)",
    "case_events.kind": _CODES,
    "case_events.old_value": "codes: a phase, risk level, model or worker id",
    "case_events.new_value": "codes: a phase, risk level, model or worker id",
    "case_team_members.role": _CODES,
    "cases.model": _CODES,
    "cases.phase": _CODES,
    "cases.risk_level": _CODES,
    "cases.closure_reason": _CODES,
    "cases.loop_back_phase": _CODES,
    "client_merges.moved": "row ids by table",
    "clients.persistent_id": "the client's ID, kept for reports and links",
    "clients.language": "a language code: a de-identified fact reports count",
    "closure_requests.reason": _CODES,
    "closure_requests.goal_outcomes": "goal ids to outcome codes",
    "closure_requests.warm_handoff": _CODES,
    "closure_requests.follow_up_dates": "dates",
    "closure_requests.status": _CODES,
    "consents.scope": _CODES,
    "consents.method": _CODES,
    "contact_logs.contact_type": _CODES,
    "contact_logs.services_given": "service category codes",
    "contact_logs.collateral_relationship": _CODES,
    "goals.domain": _CODES,
    "goals.status": _CODES,
    "household_members.relationship": _CODES,
    "client_relationships.kind": _CODES,
    "idempotency_keys.key": "a random key a phone made",
    "idempotency_keys.request_path": "a path: ids only",
    "idempotency_keys.response_location": "a path: ids only",
    "idempotency_keys.client_id_reissued": "a client ID",
    "intakes.source": _CODES,
    "internal_referrals.status": _CODES,
    "invitations.token_hash": "a hash of a spent link",
    "invitations.language": _CODES,
    "plan_tasks.responsible": _CODES,
    "provider_links.token_hash": "a hash of a link",
    "provider_links.salt": "a hash's salt",
    "provider_links.name_shown": _CODES,
    "push_attempts.push_host": _STAFF,
    "push_attempts.outcome": _STAFF,
    "push_attempts.detail": _STAFF,
    "push_subscriptions.endpoint": _STAFF,
    "push_subscriptions.p256dh": _STAFF,
    "push_subscriptions.auth": _STAFF,
    "push_subscriptions.device_label": _STAFF,
    "rate_buckets.key": "an address and a window",
    "referral_messages.kind": _CODES,
    "referral_status_changes.status": _CODES,
    "referral_status_changes.method": _CODES,
    "referrals.status": _CODES,
    "reminder_states.item_key": "a reminder's kind and record id",
    "retention_runs.digest": "a hash",
    "retention_runs.policy": "program ids and years",
    "retention_runs.client_ids": "internal ids",
    "self_intake_submissions.language": _CODES,
    "self_intake_submissions.status": _CODES,
    "service_plans.agreement_method": _CODES,
    "staff_invitations.token_hash": _STAFF,
    **{
        f"{table}.{column}": _STAFF
        for table, columns in {
            "users": (
                "email",
                "display_name",
                "password_hash",
                "role",
                "totp_secret",
                "time_zone",
                "language",
                "work_phone",
            ),
            "programs": ("name", "description", "model", "closure_approval", "assessment_domains"),
            "providers": (
                "hsds_id",
                "name",
                "description",
                "phone",
                "email",
                "website",
                "address",
                "street",
                "city",
                "state_province",
                "postal_code",
                "country",
            ),
            "services": (
                "hsds_id",
                "name",
                "category",
                "description",
                "eligibility",
                "area",
                "hours",
                "what_to_bring",
            ),
        }.items()
        for column in columns
    },
}


class RetentionError(ValueError):
    """A hold or a run that cannot be made; the message says why."""


def place_hold(client: Client, *, reason: str, placed_by: User) -> LegalHold:
    """Keep this client's record whatever the policy, until the hold is lifted."""
    reason = reason.strip()
    if not reason:
        raise RetentionError(Phrase("Say why the record is held."))
    if client.anonymised_at is not None:
        raise RetentionError(Phrase("This record was already anonymised."))
    if queries.hold_in_force(client) is not None:
        raise RetentionError(Phrase("This record is already held."))
    hold = LegalHold(client_id=client.id, reason=reason, placed_by_id=placed_by.id)
    db.session.add(hold)
    db.session.flush()
    audit.record(AuditAction.CREATE, "legal_hold", hold.id, user=placed_by)
    return hold


def lift_hold(hold: LegalHold, *, lifted_by: User) -> None:
    if hold.lifted_at is None:
        hold.lifted_at, hold.lifted_by_id = utcnow(), lifted_by.id
        db.session.flush()
        audit.record(AuditAction.UPDATE, "legal_hold", hold.id, user=lifted_by)


def record_report(report: queries.Report) -> RetentionRun:
    """Keep what a report found, so apply acts on exactly that."""
    run = db.session.scalar(sa.select(RetentionRun).where(RetentionRun.digest == report.digest))
    if run is None:
        run = RetentionRun(
            digest=report.digest,
            policy=report.policy,
            as_of=report.as_of,
            client_ids=[found.client_id for found in report.clients],
        )
        db.session.add(run)
        db.session.flush()
    audit.record(AuditAction.CREATE, "retention_run", run.id)
    return run


def _blank(model: type, where: sa.ColumnElement[bool], **values: object) -> None:
    db.session.execute(sa.update(model).where(where).values(**values))


def anonymise(client: Client) -> bool:
    """Replace everything that names or describes this client, in every table; the records
    merged into it go with it. False when it was already done."""
    if client.anonymised_at is not None:
        return False
    now = utcnow()
    people = [
        client.id,
        *db.session.scalars(sa.select(Client.id).where(Client.merged_into_id == client.id)),
    ]
    for person in db.session.scalars(sa.select(Client).where(Client.id.in_(people))):
        birth: date | None = person.date_of_birth
        person.estimated_birth_year = birth.year if birth else person.estimated_birth_year
        person.date_of_birth = None
        person.preferred_name, person.legal_name, person.name_key = REMOVED, None, ""
        person.phone, person.phone_digits, person.contact_notes = None, None, ""
        person.anonymised_at = now
    db.session.execute(sa.delete(ClientAlias).where(ClientAlias.client_id.in_(people)))
    db.session.execute(sa.delete(ClientNameToken).where(ClientNameToken.client_id.in_(people)))
    _blank(
        ClientMerge,
        sa.or_(ClientMerge.survivor_id.in_(people), ClientMerge.merged_id.in_(people)),
        survivor_before={},
    )
    _blank(
        MergeSuggestion,
        sa.or_(MergeSuggestion.client_id.in_(people), MergeSuggestion.other_id.in_(people)),
        note="",
    )
    _blank(Consent, Consent.client_id.in_(people), witness="", note="", revocation_note="")
    _blank(LegalHold, LegalHold.client_id.in_(people), reason="")

    cases = sa.select(Case.id).where(Case.client_id.in_(people)).scalar_subquery()
    _blank(Case, Case.id.in_(cases), closure_outcome="")
    _blank(
        Intake,
        Intake.case_id.in_(cases),
        presenting_circumstances="",
        safety_details="",
        client_priorities="",
        strengths="",
        communication_preferences="",
    )
    _blank(ContactLog, ContactLog.case_id.in_(cases), place="", note="", collateral_name="")
    assessments = sa.select(Assessment.id).where(Assessment.case_id.in_(cases)).scalar_subquery()
    _blank(
        Assessment,
        Assessment.id.in_(assessments),
        strengths_personal="",
        strengths_family="",
        strengths_community="",
        needs="",
        client_view="",
    )
    _blank(AssessmentScore, AssessmentScore.assessment_id.in_(assessments), narrative="")
    plans = sa.select(ServicePlan.id).where(ServicePlan.case_id.in_(cases)).scalar_subquery()
    _blank(ServicePlan, ServicePlan.id.in_(plans), agreed_by="")
    goals = sa.select(Goal.id).where(Goal.plan_id.in_(plans)).scalar_subquery()
    _blank(Goal, Goal.id.in_(goals), statement="", measure="")
    _blank(
        PlanTask,
        PlanTask.goal_id.in_(goals),
        description="",
        support_person="",
        place="",
        schedule="",
        frequency="",
        provider_name="",
    )
    _blank(ServicePlan, ServicePlan.id.in_(plans), consequences="")
    _blank(PlanSignature, PlanSignature.plan_id.in_(plans), name=REMOVED, strokes=sa.null())
    # Their documents go: each marked deleted (audited, as any deletion) and its file removed
    # once the batch is committed (jobs.retention).
    for document in db.session.scalars(
        sa.select(Document).where(Document.client_id.in_(people), Document.deleted_at.is_(None))
    ):
        document.deleted_at = now
        audit.record(AuditAction.DELETE, "document", document.id)
    _blank(Document, Document.client_id.in_(people), title=REMOVED, sha256="")
    screenings = sa.select(IntakeScreening.id).where(IntakeScreening.client_id.in_(people))
    _blank(
        IntakeScreening,
        IntakeScreening.id.in_(screenings.scalar_subquery()),
        intake={},
        reasons="",
        referred_to="",
        left_note="",
    )
    _blank(WaitingOffer, WaitingOffer.screening_id.in_(screenings.scalar_subquery()), what="")
    _blank(CaseEvent, CaseEvent.case_id.in_(cases), note="")
    _blank(
        ClosureRequest,
        ClosureRequest.case_id.in_(cases),
        outcome="",
        taken_over_by="",
        decision_note="",
    )
    _blank(PostClosureFollowUp, PostClosureFollowUp.case_id.in_(cases), note="")
    referrals = sa.select(Referral.id).where(Referral.case_id.in_(cases)).scalar_subquery()
    _blank(
        Referral,
        Referral.id.in_(referrals),
        reason="",
        provider_commitment="",
        appointment_place="",
    )
    _blank(
        ReferralStatusChange,
        ReferralStatusChange.referral_id.in_(referrals),
        note="",
        appointment_place="",
    )
    _blank(ReferralMessage, ReferralMessage.referral_id.in_(referrals), note="")
    _blank(
        InternalReferral,
        sa.or_(InternalReferral.from_case_id.in_(cases), InternalReferral.new_case_id.in_(cases)),
        reason="",
        decline_reason="",
        snapshot={},
        withdrawal_reason="",
    )
    _blank(ReferralRequest, ReferralRequest.case_id.in_(cases), looked_for="")
    invitations = sa.select(Invitation.id).where(Invitation.client_id.in_(people)).scalar_subquery()
    _blank(Invitation, Invitation.id.in_(invitations), note="")
    _blank(
        SelfIntakeSubmission,
        sa.or_(
            SelfIntakeSubmission.invitation_id.in_(invitations),
            SelfIntakeSubmission.case_id.in_(cases),
        ),
        answers={},
        reject_reason="",
    )
    _forget_network(people)
    db.session.flush()
    audit.record(AuditAction.ANONYMISE, "client", client.id)
    return True


def _forget_network(people: list[int]) -> None:
    """Their own network goes. A household goes too (its name, its members who are not clients)
    once none of its clients keeps their record: until then it is another client's household."""
    _blank(
        ClientRelationship,
        ClientRelationship.client_id.in_(people),
        name=sa.case((ClientRelationship.other_client_id.is_(None), REMOVED), else_=""),
        how_to_reach="",
    )
    _blank(HouseholdMember, HouseholdMember.client_id.in_(people), name="")
    households = db.session.scalars(
        sa.select(HouseholdMember.household_id).where(HouseholdMember.client_id.in_(people))
    ).all()
    for household_id in set(households):
        still_known = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(HouseholdMember)
            .join(Client, Client.id == HouseholdMember.client_id)
            .where(
                HouseholdMember.household_id == household_id,
                Client.anonymised_at.is_(None),
                Client.id.not_in(people),
            )
        )
        if still_known:
            continue
        _blank(Household, Household.id == household_id, name=REMOVED)
        _blank(
            HouseholdMember,
            sa.and_(
                HouseholdMember.household_id == household_id, HouseholdMember.client_id.is_(None)
            ),
            name=REMOVED,
        )
