"""Quick intake: the first contact's record, in one step."""

from __future__ import annotations

from datetime import date

from webapp.models import Case, Client, ConsentMethod, ConsentScope, Program, User
from webapp.services import cases, clients


def take_intake(
    *,
    worker: User,
    program: Program,
    intake: cases.IntakeDetails,
    consent_method: ConsentMethod,
    next_follow_up_on: date | None,
    new_client: clients.ClientDetails | None = None,
    existing_client: Client | None = None,
    persistent_id: str | None = None,
) -> Case:
    """Create the client (or take the known one), record consent, and open a case with its
    intake, the worker as its primary worker and the first follow-up planned."""
    if (new_client is None) == (existing_client is None):
        raise ValueError("give either a new client's details or an existing client")
    client = existing_client or clients.create_client(new_client, created_by=worker, persistent_id=persistent_id)
    case = cases.open_case(
        client, program, created_by=worker, primary_worker=worker, intake=intake,
        next_follow_up_on=next_follow_up_on,
    )
    clients.record_consent(client, scope=ConsentScope.DATA_COLLECTION, method=consent_method, recorded_by=worker,
                           case=case)
    return case
