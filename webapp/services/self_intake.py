"""Self-intake invitations: made by staff, filled in by the client, reviewed into a case."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date, timedelta

from webapp.extensions import db
from webapp.models import (
    AuditAction,
    Case,
    Client,
    ConsentMethod,
    IntakeSource,
    Invitation,
    Program,
    RelationshipKind,
    SelfIntakeSubmission,
    SubmissionStatus,
    User,
    label,
    utcnow,
)
from webapp.services import audit, cases, clients, intake, network
from webapp.text import Phrase

TOKEN_BYTES = 32  # 256 random bits
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
DEFAULT_EXPIRY = timedelta(days=7)


class SelfIntakeError(ValueError):
    """A change that cannot be made; the message says why."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(
    user: User,
    program: Program,
    *,
    language: str,
    client: Client | None = None,
    expires_in: timedelta = DEFAULT_EXPIRY,
    note: str = "",
) -> tuple[Invitation, str]:
    """A new invitation and its token, which exists only in this return value and the link."""
    if not program.active:
        raise SelfIntakeError(Phrase("This program is not taking new cases."))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    invitation = Invitation(
        token_hash=token_hash(token),
        program=program,
        language=language,
        client=client,
        note=note.strip(),
        created_by_id=user.id,
        created_at=now,
        expires_at=now + expires_in,
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record(AuditAction.CREATE, "invitation", invitation.id, user=user)
    return invitation, token


def find_usable(token: str) -> Invitation | None:
    """The invitation behind a token, if it can still be used. Unknown, malformed, expired,
    revoked and used tokens are all simply None: the client sees one page for all of them."""
    if not TOKEN_SHAPE.fullmatch(token or ""):
        return None
    invitation = db.session.scalar(
        db.select(Invitation).where(Invitation.token_hash == token_hash(token))
    )
    if invitation is None or not invitation.usable(utcnow()):
        return None
    return invitation


def mark_started(invitation: Invitation) -> None:
    if invitation.opened_at is None:
        invitation.opened_at = utcnow()
        db.session.flush()


def submit(invitation: Invitation, answers: dict, *, language: str) -> SelfIntakeSubmission:
    if not invitation.usable(utcnow()):
        raise SelfIntakeError(Phrase("This link can no longer be used."))
    now = utcnow()
    invitation.submitted_at = now
    invitation.opened_at = invitation.opened_at or now
    submission = SelfIntakeSubmission(
        invitation=invitation, answers=answers, language=language, submitted_at=now
    )
    db.session.add(submission)
    db.session.flush()
    audit.record(AuditAction.CREATE, "self_intake_submission", submission.id)
    return submission


def revoke(invitation: Invitation, user: User) -> None:
    if invitation.submitted_at is not None:
        raise SelfIntakeError(Phrase("This invitation has already been used."))
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        db.session.flush()
        audit.record(AuditAction.UPDATE, "invitation", invitation.id, user=user)


def _pending(submission: SelfIntakeSubmission) -> None:
    if submission.status != SubmissionStatus.PENDING:
        raise SelfIntakeError(Phrase("This self-intake has already been reviewed."))


def accept(
    submission: SelfIntakeSubmission,
    *,
    reviewer: User,
    new_client: clients.ClientDetails | None,
    existing_client: Client | None,
    next_follow_up_on: date | None,
) -> Case:
    """Create or link the client and open a case whose intake is the client's own words."""
    _pending(submission)
    invitation = submission.invitation
    inviter = invitation.created_by
    in_program = inviter.active and invitation.program in inviter.programs
    answers = submission.answers
    details = cases.IntakeDetails(
        source=IntakeSource.SELF_INTAKE,
        presenting_circumstances=answers.get("needs_text", ""),
        # The needs the client ticked, in the directory's words (never the stored keys).
        client_priorities=", ".join(label(need, "category") for need in answers.get("needs", [])),
        strengths="\n".join(
            part for part in (answers.get("going_well", ""), answers.get("supporters", "")) if part
        ),
        communication_preferences="\n".join(
            part
            for part in (answers.get("best_times", ""), answers.get("contact_notes", ""))
            if part
        ),
    )
    people = [
        network.MemberDetails(
            name=person.get("name", ""),
            relationship=RelationshipKind._value2member_map_.get(person.get("relationship") or ""),
            birth_year=person.get("birth_year")
            if isinstance(person.get("birth_year"), int)
            else None,
        )
        for person in answers.get("household", [])
        if isinstance(person, dict) and (person.get("name") or "").strip()
    ]
    case = intake.take_intake(
        worker=inviter if in_program else reviewer,
        program=invitation.program,
        intake=details,
        consent_method=ConsentMethod.SELF_INTAKE,
        next_follow_up_on=next_follow_up_on,
        new_client=new_client,
        existing_client=existing_client,
        household_members=people,
    ).case
    submission.status = SubmissionStatus.ACCEPTED
    submission.reviewed_by_id, submission.reviewed_at = reviewer.id, utcnow()
    submission.case = case
    db.session.flush()
    audit.record(AuditAction.UPDATE, "self_intake_submission", submission.id, user=reviewer)
    return case


def reject(submission: SelfIntakeSubmission, *, reviewer: User, reason: str) -> None:
    _pending(submission)
    if not reason.strip():
        raise SelfIntakeError(Phrase("Say why this self-intake is not taken on."))
    submission.status = SubmissionStatus.REJECTED
    submission.reviewed_by_id, submission.reviewed_at = reviewer.id, utcnow()
    submission.reject_reason = reason.strip()
    db.session.flush()
    audit.record(AuditAction.UPDATE, "self_intake_submission", submission.id, user=reviewer)
