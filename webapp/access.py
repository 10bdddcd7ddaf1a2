"""The one place that decides which cases and clients a user may see.

Staff see cases of the programs they belong to. A restricted case is further limited to its
primary worker and that worker's supervisor. Admins see everything. Anything a user may not
see is answered with 404, so its existence is not disclosed, and the denial is audited.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from webapp import client_ids
from webapp.extensions import db
from webapp.models import AuditAction, Case, Client, Program, User, program_memberships
from webapp.services import audit


def case_visibility(user: User) -> sa.ColumnElement[bool]:
    """A WHERE clause over `Case` selecting the cases `user` may see."""
    if user.is_admin:
        return sa.true()
    my_programs = sa.select(program_memberships.c.program_id).where(program_memberships.c.user_id == user.id)
    my_supervisees = sa.select(User.id).where(User.supervisor_id == user.id)
    named_on_case = sa.or_(Case.primary_worker_id == user.id, Case.primary_worker_id.in_(my_supervisees))
    return sa.and_(Case.program_id.in_(my_programs), sa.or_(Case.restricted.is_(False), named_on_case))


def intake_programs(user: User) -> list[Program]:
    """Programs the user may open cases in: their own active ones (admins: every active one)."""
    query = sa.select(Program).where(Program.active).order_by(Program.name)
    if not user.is_admin:
        query = query.where(Program.id.in_(
            sa.select(program_memberships.c.program_id).where(program_memberships.c.user_id == user.id)))
    return list(db.session.scalars(query))


def can_view_case(user: User, case: Case) -> bool:
    if user.is_admin:
        return True
    if case.program_id not in {program.id for program in user.programs}:
        return False
    if not case.restricted:
        return True
    worker = case.primary_worker
    return worker is not None and (worker.id == user.id or worker.supervisor_id == user.id)


def visible_cases_of(user: User, client: Client) -> list[Case]:
    return list(
        db.session.scalars(
            sa.select(Case)
            .where(Case.client_id == client.id, case_visibility(user))
            .order_by(Case.opened_at.desc())
        )
    )


def get_case_or_404(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        abort(404)
    if not can_view_case(current_user, case):
        _deny("case", case.id)
    return case


def get_client_or_404(persistent_id: str) -> Client:
    """The client behind a typed ID (any accepted spelling), if the user may see them.

    A merged duplicate's ID resolves to the surviving record.
    """
    try:
        canonical = client_ids.parse(persistent_id)
    except client_ids.InvalidClientId:
        abort(404)
    client = db.session.scalar(sa.select(Client).where(Client.persistent_id == canonical))
    if client is None:
        abort(404)
    seen: set[int] = set()
    while client.merged_into_id is not None and client.id not in seen:
        seen.add(client.id)
        client = db.session.get_one(Client, client.merged_into_id)
    if not current_user.is_admin and not visible_cases_of(current_user, client):
        _deny("client", client.id)
    return client


def _deny(record_type: str, record_id: int) -> None:
    audit.record(AuditAction.ACCESS_DENIED, record_type, record_id)
    db.session.commit()
    abort(404)
