"""Today's cost and its audit: a worker's Today with every kind of item in a pinned number of
statements, a batch of users each given exactly their own Today, and every client an item names
recorded as seen, whether the item is about their case or not."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.lifecycle import pending_self_intake, waiting_for_a_place
from tests.test_dispatch_batches import _described, _todays
from tests.test_dispatch_batches import organisation as organisation  # the fixture
from webapp.extensions import db
from webapp.models import (
    AuditAction,
    AuditEvent,
    Case,
    ClosureRequest,
    ConsentMethod,
    ConsentScope,
    IntakeScreening,
    InternalReferral,
    InternalReferralStatus,
    PostClosureFollowUp,
    ReferralRequest,
    ReminderKind,
    User,
    WaitPriority,
)
from webapp.queries.today import due_items, due_items_for
from webapp.services import clients
from webapp.timeutil import local_today


def _person(people, name):
    return next(db.session.get(User, p.id) for p in people if p.display_name == name)


@pytest.fixture
def everything_for_ana(organisation):
    """The organisation, with Ana Manager given the kinds of item she lacked there (a closed
    case's check, someone waiting whom she holds, a referral that answered her request, a
    self-intake sent through a client's own link) and Bea Boss, her supervisor, a closure and a
    possible duplicate to decide: between them, every kind there is."""
    ana = _person(organisation, "Ana Manager")
    hana = _person(organisation, "Hana Health")
    today = local_today()
    for person in organisation:
        person.time_zone = None  # the pages' today is the test's
    referred = db.session.scalars(
        sa.select(Case).join(Case.client).where(Case.primary_worker_id == ana.id)
    ).all()
    case = next(c for c in referred if c.client.preferred_name == "Referred Person")
    closed = [c for c in referred if c.client.preferred_name.startswith("Later")][0]
    closed.closed_at = datetime.now(UTC) - timedelta(days=30)
    db.session.add(PostClosureFollowUp(case_id=closed.id, due_on=today - timedelta(days=1)))
    waiting_for_a_place(
        ana.programs[0].id,
        clients.create_client(
            clients.ClientDetails(preferred_name="Wendy Waiting"), created_by=ana
        ).id,
        holder=ana,
        priority=WaitPriority.HIGH,
        since=today - timedelta(days=9),
        check_in=today,
    )
    # Hana's case, referred to Ana's program as Ana asked.
    hana_case = db.session.scalars(sa.select(Case).where(Case.primary_worker_id == hana.id)).first()
    consent = clients.record_consent(
        hana_case.client,
        scope=ConsentScope.AGENCY_SHARING,
        method=ConsentMethod.VERBAL,
        recorded_by=hana,
        all_programs=True,
        witness="A colleague",
        case=hana_case,
    )
    answered = InternalReferral(
        from_case_id=hana_case.id,
        to_program_id=ana.programs[0].id,
        consent_id=consent.id,
        status=InternalReferralStatus.PENDING,
        created_by_id=hana.id,
    )
    db.session.add(answered)
    db.session.flush()
    db.session.add(
        ReferralRequest(
            case_id=hana_case.id,
            asked_by_id=ana.id,
            program_id=ana.programs[0].id,
            looked_for="Due",
            internal_referral_id=answered.id,
        )
    )
    pending_self_intake(
        ana.programs[0].id, ana, "Referred Person", client_id=case.client_id, token="b"
    )
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClosureRequest)) == 1
    return organisation


def _statements_of_today(app, as_user, user):
    seen: list[str] = []

    def listener(*args):
        statement = " ".join(args[2].split())
        # SQLite's driver opens its transactions with a statement of its own; psycopg does not.
        if not statement.startswith("BEGIN"):
            seen.append(statement)

    client = as_user(user)
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get("/").status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    return seen


def test_today_with_every_kind_of_item_runs_a_pinned_number_of_statements(
    app, as_user, everything_for_ana
):
    """Ana's open cases are read once through the visibility rule; what hangs off them is read by
    their ids, each referral with its service and provider: not the rule again in each query,
    nor a statement per related table."""
    ana = _person(everything_for_ana, "Ana Manager")
    boss = _person(everything_for_ana, "Bea Boss")
    kinds = {item.kind for item in due_items(ana, local_today())}
    kinds |= {item.kind for item in due_items(boss, local_today())}
    assert kinds == set(ReminderKind)
    db.session.expire_all()

    statements = _statements_of_today(app, as_user, ana)
    # The visibility rule is asked of the held cases once; then of the cases Ana is primary
    # worker of, open or closed (post-closure checks, internal referrals), and of her
    # invitations' clients. What hangs off the held cases is read by their ids.
    visibility = [s for s in statements if "case_team_members" in s]
    assert len(visibility) == 4, "\n".join(visibility)
    assert len(statements) == 19, "\n".join(statements)

    statements = _statements_of_today(app, as_user, boss)
    assert len(statements) == 17, "\n".join(statements)


def test_a_batch_of_users_gets_exactly_what_each_gets_alone(everything_for_ana):
    people = [db.session.get(User, person.id) for person in everything_for_ana]
    now = datetime.now(UTC)
    batched = due_items_for(_todays(people, now))
    for person, today in _todays(people, now):
        alone = due_items(person, today)
        assert _described(batched[person.id]) == _described(alone), person
        assert [item.clients_named for item in batched[person.id]] == [
            item.clients_named for item in alone
        ]
    assert {item.kind for found in batched.values() for item in found} == set(ReminderKind)


@pytest.mark.parametrize("path", ["/", "/reminders"])
def test_today_records_a_view_of_every_client_an_item_names(as_user, everything_for_ana, path):
    """Someone waiting, a referral to decide, a self-intake sent through a client's own link and
    the two records of a possible duplicate name a client without being about a case of the
    worker's: the page is a view of each of them, as of a case's client. /reminders shows the
    same items."""
    for name in ("Ana Manager", "Bea Boss", "Hana Health"):
        user = _person(everything_for_ana, name)
        items = due_items(user, local_today())
        named = {client for item in items for client in item.clients_named}
        without_case = {
            client for item in items if item.case is None for client in item.clients_named
        }
        assert without_case, name
        assert as_user(user).get(path).status_code == 200
        db.session.expire_all()
        seen = set(
            db.session.scalars(
                sa.select(AuditEvent.record_id).where(
                    AuditEvent.user_id == user.id,
                    AuditEvent.action == AuditAction.VIEW,
                    AuditEvent.record_type == "client",
                    AuditEvent.path == path,
                )
            )
        )
        assert seen == {str(client) for client in named}, name
    ana = _person(everything_for_ana, "Ana Manager")
    waiting = db.session.scalar(
        sa.select(IntakeScreening).where(IntakeScreening.holding_worker_id == ana.id)
    )
    check_in = next(
        item for item in due_items(ana, local_today()) if item.kind == ReminderKind.WAITING_CHECK_IN
    )
    assert check_in.clients_named == (waiting.client_id,)
