"""Opening cases, recording intake and logging contacts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from webapp.extensions import db
from webapp.models import (
    AuditAction,
    Case,
    CaseModel,
    Client,
    ContactLog,
    ContactType,
    Intake,
    IntakeSource,
    Program,
    RelationshipKind,
    RiskLevel,
    User,
    utcnow,
)
from webapp.queries.case_state import derive_phase, load_state
from webapp.services import audit
from webapp.text import Phrase, clean_line
from webapp.timeutil import to_local


class CaseError(ValueError):
    """A case change that cannot be made; the message says why."""


@dataclass
class IntakeDetails:
    presenting_circumstances: str = ""
    safety_concern: bool = False
    safety_details: str = ""
    client_priorities: str = ""
    strengths: str = ""
    communication_preferences: str = ""
    source: IntakeSource = IntakeSource.WORKER


def open_case(
    client: Client,
    program: Program,
    *,
    created_by: User | None,
    primary_worker: User | None = None,
    intake: IntakeDetails | None = None,
    next_follow_up_on: date | None = None,
    model: CaseModel | None = None,
    risk_level: RiskLevel = RiskLevel.LOW,
    restricted: bool = False,
    opened_at: datetime | None = None,
) -> Case:
    """A new episode for `client` in `program`, with its intake when one was taken.

    An immediate safety concern at intake makes the case urgent.
    """
    if not program.active:
        raise CaseError(Phrase("This program is not taking new cases."))
    if intake is not None and intake.safety_concern:
        risk_level = RiskLevel.URGENT
    case = Case(
        client=client,
        program=program,
        model=model or program.model,
        primary_worker=primary_worker,
        risk_level=risk_level,
        restricted=restricted,
        opened_at=opened_at or utcnow(),
        next_follow_up_on=next_follow_up_on,
        created_by_id=created_by.id if created_by else None,
    )
    db.session.add(case)
    if intake is not None:
        case.intake = Intake(
            source=intake.source,
            presenting_circumstances=intake.presenting_circumstances.strip(),
            safety_concern=intake.safety_concern,
            safety_details=intake.safety_details.strip(),
            client_priorities=intake.client_priorities.strip(),
            strengths=intake.strengths.strip(),
            communication_preferences=intake.communication_preferences.strip(),
            recorded_by_id=created_by.id if created_by else None,
            recorded_at=case.opened_at,
        )
    db.session.flush()
    case.phase = derive_phase(load_state(case))  # and derived from the records from here on
    audit.record(AuditAction.CREATE, "case", case.id, user=created_by)
    return case


def log_contact(
    case: Case,
    *,
    recorded_by: User | None,
    occurred_at: datetime,
    contact_type: ContactType,
    note: str = "",
    duration_minutes: int | None = None,
    place: str = "",
    services_given: str = "",
    next_follow_up_on: date | None = None,
    clear_follow_up: bool = False,
    collateral_name: str = "",
    collateral_relationship: RelationshipKind | None = None,
) -> ContactLog:
    """Append a contact; the case's last contact and next follow-up move with it.

    Without a new date the planned follow-up stays, unless this contact met it (it was due by the
    contact's day) or the worker chose to clear it: an empty field never erases a plan.

    A collateral contact is with someone else about the client: `collateral_name` says who (and
    `collateral_relationship` who they are to the client); the contact type says how."""
    collateral_name = clean_line(collateral_name)
    if contact_type == ContactType.COLLATERAL and not collateral_name:
        raise CaseError(Phrase("Say who it was with."))
    if not case.is_open:
        raise CaseError(Phrase("This case is closed; reopen it or open a new one to log contacts."))
    if occurred_at > utcnow():
        raise CaseError(Phrase("A contact cannot be in the future."))
    contact = ContactLog(
        case=case,
        occurred_at=occurred_at,
        contact_type=contact_type,
        note=note.strip(),
        duration_minutes=duration_minutes,
        place=clean_line(
            place
        ),  # one line, as names are: no line breaks, bidi or zero-width characters
        services_given=services_given.strip(),
        next_follow_up_on=next_follow_up_on,
        collateral_name=collateral_name,
        collateral_relationship=collateral_relationship if collateral_name else None,
        recorded_by_id=recorded_by.id if recorded_by else None,
    )
    db.session.add(contact)
    if case.last_contact_at is None or occurred_at >= case.last_contact_at:
        case.last_contact_at = occurred_at
        planned = case.next_follow_up_on
        if next_follow_up_on is not None:
            case.next_follow_up_on = next_follow_up_on
        elif clear_follow_up or (planned is not None and planned <= to_local(occurred_at).date()):
            case.next_follow_up_on = None
    db.session.flush()
    audit.record(AuditAction.CREATE, "contact_log", contact.id, user=recorded_by)
    return contact
