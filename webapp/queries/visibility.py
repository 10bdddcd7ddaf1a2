"""Who may see what, written once.

Staff see the cases of the programs they belong to. A restricted case is further limited to its
primary worker, that worker's supervisor and the case's team (colleagues its worker added).
Admins see everything. A client is seen through a
case: someone may see a client when they may see at least one of the client's cases, or through
a program's intake that did not open a case (someone who did not qualify, or waits on the
program's waiting list): the program's people see them.

Every list, count, queue, report, reminder and push digest narrows its query with these clauses;
nothing decides visibility on its own. `can_view_case` asks the database the same question for one
case, so the rule a page applies and the rule a list applies cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models import (
    Case,
    CaseTeamMember,
    Client,
    Document,
    IntakeScreening,
    Invitation,
    Program,
    Role,
    ScreeningOutcome,
    User,
    program_memberships,
)


def is_supervisor_or_admin(user: User) -> bool:
    return user.is_admin or user.role == Role.SUPERVISOR


def programs_of(user: User) -> sa.Select:
    """The ids of the programs `user` works in (admins: every program), as a subquery."""
    if user.is_admin:
        return sa.select(Program.id)
    return _programs_of_id(user.id)


def in_programs_of(user: User, program_id: int) -> bool:
    return user.is_admin or program_id in {program.id for program in user.programs}


def supervises_in(user: User, program_id: int) -> bool:
    """A supervisor in that program, or an admin: who reviews, approves and reassigns there."""
    return user.is_admin or (user.role == Role.SUPERVISOR and in_programs_of(user, program_id))


def team_cases_of(user: User) -> sa.Select:
    """The ids of the cases `user` is on the team of (not taken off), as a subquery."""
    return sa.select(CaseTeamMember.case_id).where(
        CaseTeamMember.user_id == user.id, CaseTeamMember.removed_at.is_(None)
    )


def team_case_pairs(user_ids: list[int]) -> sa.Select:
    """`team_cases_of` for several users at once: (user_id, case_id) rows."""
    return sa.select(CaseTeamMember.user_id, CaseTeamMember.case_id).where(
        CaseTeamMember.user_id.in_(user_ids), CaseTeamMember.removed_at.is_(None)
    )


# The rules below are written once over a viewer's id, which is either a bound value (one user's
# pages) or a column of a `User` alias in the query (the dispatcher's batches: one row per viewer
# and record, the `..._to(viewer)` forms). The inner tables are aliased so that a query that has
# `users` or `cases` in its own FROM cannot correlate them away.


def _programs_of_id(viewer_id) -> sa.Select:
    membership = program_memberships.alias()
    return sa.select(membership.c.program_id).where(membership.c.user_id == viewer_id)


def _non_admin_sees_case(viewer_id) -> sa.ColumnElement[bool]:
    supervisee = so.aliased(User)
    team = so.aliased(CaseTeamMember)
    named_on_case = sa.or_(
        Case.primary_worker_id == viewer_id,
        Case.primary_worker_id.in_(
            sa.select(supervisee.id).where(supervisee.supervisor_id == viewer_id)
        ),
        Case.id.in_(
            sa.select(team.case_id).where(team.user_id == viewer_id, team.removed_at.is_(None))
        ),
    )
    return sa.and_(
        Case.program_id.in_(_programs_of_id(viewer_id)),
        sa.or_(Case.restricted.is_(False), named_on_case),
    )


def viewer_is_admin(viewer) -> sa.ColumnElement[bool]:
    """`User.is_admin` over a `User` alias in a query."""
    return viewer.role == Role.ADMIN


def visible_cases(user: User) -> sa.ColumnElement[bool]:
    """A WHERE clause over `Case`: the cases `user` may see."""
    if user.is_admin:
        return sa.true()
    return _non_admin_sees_case(user.id)


def visible_cases_to(viewer) -> sa.ColumnElement[bool]:
    """`visible_cases` for each row's viewer: a WHERE clause over `Case` and `viewer`, an aliased
    `User` joined in the query (the dispatcher works out many users' reminders at once)."""
    return sa.or_(viewer_is_admin(viewer), _non_admin_sees_case(viewer.id))


def visible_screenings(user: User) -> sa.ColumnElement[bool]:
    """A WHERE clause over `IntakeScreening`: a program's screenings and its waiting list are seen
    by the program's people (admins: all)."""
    if user.is_admin:
        return sa.true()
    return IntakeScreening.program_id.in_(programs_of(user))


def visible_screenings_to(viewer) -> sa.ColumnElement[bool]:
    """`visible_screenings` for each row's viewer (an aliased `User` in the query)."""
    return sa.or_(
        viewer_is_admin(viewer), IntakeScreening.program_id.in_(_programs_of_id(viewer.id))
    )


def _screened_without_case(user: User) -> sa.ColumnElement[bool]:
    """Screenings that hold a person without a case (not eligible, or waiting): the client is
    seen through them. Once a case is opened, the case decides."""
    return sa.and_(IntakeScreening.outcome != ScreeningOutcome.OPENED, visible_screenings(user))


def visible_client_ids(user: User) -> sa.Select:
    """The ids of the clients `user` may see (through at least one visible case, or a screening
    of their programs that opened none), as a subquery."""
    return sa.union(
        sa.select(Case.client_id).where(visible_cases(user)),
        sa.select(IntakeScreening.client_id).where(_screened_without_case(user)),
    )


def _sees_client(client_id, viewer_id) -> sa.ColumnElement[bool]:
    """A non-admin sees the client with id `client_id` (a column): through a case they see, or
    a screening of their programs that opened none."""
    return sa.or_(
        sa.exists().where(Case.client_id == client_id, _non_admin_sees_case(viewer_id)),
        sa.exists().where(
            IntakeScreening.client_id == client_id,
            IntakeScreening.outcome != ScreeningOutcome.OPENED,
            IntakeScreening.program_id.in_(_programs_of_id(viewer_id)),
        ),
    )


def visible_clients(user: User) -> sa.ColumnElement[bool]:
    """A WHERE clause over `Client`: the clients `user` may see."""
    if user.is_admin:
        return sa.true()
    return _sees_client(Client.id, user.id)


def client_sightings(
    user: User,
    client_ids: list[int],
    case_column: sa.ColumnElement[Any],
    screening_column: sa.ColumnElement[Any],
) -> sa.Select:
    """`visible_clients` asked of a few clients by id, read from their own cases and screenings:
    (client id, seen, the caller's column) for each case of theirs and each screening that opened
    none; a client is visible to `user` when any of their rows is seen. `case_column` and
    `screening_column` are what else the caller reads of those rows, in the same statement.

    Asked as `visible_clients` in a WHERE over a list of ids, PostgreSQL gathered every case the
    user may see (20,000 for a program's worker at 100,000 clients) to answer for 200 clients;
    this walks the given clients' rows by their client id."""
    return sa.union_all(
        sa.select(
            Case.client_id.label("client_id"),
            _as_column(visible_cases(user)).label("seen"),
            case_column.label("also"),
        ).where(Case.client_id.in_(client_ids)),
        sa.select(
            IntakeScreening.client_id.label("client_id"),
            _as_column(_screened_without_case(user)).label("seen"),
            screening_column.label("also"),
        ).where(
            IntakeScreening.client_id.in_(client_ids),
            IntakeScreening.outcome != ScreeningOutcome.OPENED,
        ),
    )


def _as_column(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
    """A WHERE condition as a selected column (a bare `true` is not one on SQLite)."""
    return sa.case((condition, sa.true()), else_=sa.false())


def can_view_client(user: User, client: Client) -> bool:
    if user.is_admin:
        return True
    return (
        db.session.scalar(
            sa.select(sa.literal(True)).where(Client.id == client.id, visible_clients(user))
        )
        is True
    )


def visible_invitations(user: User) -> sa.ColumnElement[bool]:
    """A WHERE clause over `Invitation` (and so over the self-intakes sent through it).

    An invitation belongs to its program; one made for a known client is, besides, only for those
    who may see that client, so a self-intake never shows or links a client hidden from the
    reviewer.
    """
    if user.is_admin:
        return sa.true()
    return _non_admin_sees_invitation(user.id)


def visible_invitations_to(viewer) -> sa.ColumnElement[bool]:
    """`visible_invitations` for each row's viewer (an aliased `User` in the query)."""
    return sa.or_(viewer_is_admin(viewer), _non_admin_sees_invitation(viewer.id))


def _non_admin_sees_invitation(viewer_id) -> sa.ColumnElement[bool]:
    return sa.and_(
        Invitation.program_id.in_(_programs_of_id(viewer_id)),
        sa.or_(Invitation.client_id.is_(None), _sees_client(Invitation.client_id, viewer_id)),
    )


def first_with_visibility(
    user: User, query: sa.Select, visible: Callable[[User], sa.ColumnElement[bool]]
) -> tuple[Any | None, bool]:
    """The first record `query` selects and whether `user` may see it, in one statement: the
    clause a list is narrowed by (`visible_cases`, `visible_clients`), read as a column, so a page
    loads what it names and asks the one rule about it together. `query` selects one entity
    (joined to `Case` when the clause is over cases); many-to-one eager loads only."""
    if user.is_admin:
        return db.session.scalars(query.limit(1)).first(), True
    row = db.session.execute(query.add_columns(visible(user).label("visible")).limit(1)).first()
    if row is None:
        return None, False
    # NULL (a restricted case with no worker, say) is not a yes, as in a WHERE clause.
    return row[0], row[1] is True


def can_view_case(user: User, case: Case) -> bool:
    if user.is_admin:
        return True
    return (
        db.session.scalar(
            sa.select(sa.literal(True)).where(Case.id == case.id, visible_cases(user))
        )
        is True
    )


def may_restrict(user: User, case: Case) -> bool:
    """Marking a case restricted, or lifting it: its primary worker, their supervisor, or an
    admin."""
    if user.is_admin:
        return True
    worker = case.primary_worker
    return worker is not None and user.id in (worker.id, worker.supervisor_id)


def intake_programs(user: User) -> list[Program]:
    """Programs the user may open cases in: their own active ones (admins: every active one)."""
    return list(
        db.session.scalars(
            sa.select(Program)
            .where(Program.active, Program.id.in_(programs_of(user)))
            .order_by(Program.name)
        )
    )


def visible_cases_of(user: User, client: Client) -> list[Case]:
    return list(
        db.session.scalars(
            sa.select(Case)
            .where(Case.client_id == client.id, visible_cases(user))
            # Every page that lists them names each case's program.
            .options(so.joinedload(Case.program))
            .order_by(Case.opened_at.desc())
        )
    )


def may_place_hold(user: User) -> bool:
    """A legal hold keeps a record the viewer may see: supervisors and admins place one."""
    return is_supervisor_or_admin(user)


def may_lift_hold(user: User) -> bool:
    """Lifting one lets the retention policy reach the record again: admins only."""
    return user.is_admin


def may_merge(user: User, client: Client) -> bool:
    """Merging a duplicate: admins for anyone; a supervisor for a client whose every case is in
    a program they supervise (a case elsewhere, even one they cannot see, keeps them out)."""
    if user.is_admin:
        return True
    if user.role != Role.SUPERVISOR:
        return False
    program_ids = set(
        db.session.scalars(sa.select(Case.program_id).where(Case.client_id == client.id))
    )
    return bool(program_ids) and all(supervises_in(user, program_id) for program_id in program_ids)


def may_delete_document(user: User, document: Document, visible_cases: list[Case]) -> bool:
    """Deleting a document the user may see: whoever attached it, a supervisor of the program it
    was filed in (for one on the client's record: of a program of a case they see), or an admin."""
    if user.is_admin or document.uploaded_by_id == user.id:
        return True
    if document.case is not None:
        return supervises_in(user, document.case.program_id)
    return any(supervises_in(user, case.program_id) for case in visible_cases)
