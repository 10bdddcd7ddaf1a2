"""Generated data for benchmarks, and the guard that page query counts do not grow with data."""

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    Case,
    Client,
    ClientNameToken,
    ContactLog,
    Phase,
    Referral,
    ReferralStatus,
    Role,
    User,
)


def run(app, *args):
    return app.test_cli_runner().invoke(args=["demo", "generate", *args])


def test_generated_data_is_varied_and_consistent(app):
    result = run(app, "--clients", "300", "--contacts", "3000")
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Client)) == 300
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ContactLog)) == 3000
    assert {case.phase for case in db.session.scalars(sa.select(Case))} == set(Phase)
    statuses = set(db.session.scalars(sa.select(Referral.status).distinct()))
    assert statuses == set(ReferralStatus)  # every status a referral can end up in
    scripts = {
        name for name in db.session.scalars(sa.select(Client.preferred_name)) if not name.isascii()
    }
    assert len(scripts) >= 5  # names in several scripts
    # Every client can be found by name: their words are in the search index.
    assert (
        db.session.scalar(sa.select(sa.func.count(sa.distinct(ClientNameToken.client_id)))) == 300
    )
    # Each case's last contact is its newest contact log.
    newest = dict(
        db.session.execute(
            sa.select(ContactLog.case_id, sa.func.max(ContactLog.occurred_at)).group_by(
                ContactLog.case_id
            )
        ).all()
    )
    for case in db.session.scalars(sa.select(Case).where(Case.id.in_(list(newest)[:50]))):
        assert case.last_contact_at == newest[case.id]


def test_generation_refuses_a_database_with_real_staff(app, make_user):
    make_user(email="real.person@agency.test")
    result = run(app, "--clients", "10", "--contacts", "10")
    assert result.exit_code != 0 and "real staff accounts" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Client)) == 0


def _statements(count_queries, client, url):
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return queries()


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.SUPERVISOR])
def test_main_pages_run_as_many_queries_on_a_larger_data_set(app, as_user, count_queries, role):
    """The cheap guard for issue 9: pages cost the same number of statements at 10× the data."""

    def counts():
        db.session.rollback()
        user = db.session.scalar(sa.select(User).where(User.role == role).order_by(User.id))
        case = db.session.scalar(
            sa.select(Case)
            .where(Case.primary_worker_id == user.id, Case.closed_at.is_(None))
            .order_by(Case.id)
        ) or db.session.scalar(
            sa.select(Case).where(Case.program_id == user.programs[0].id).order_by(Case.id)
        )
        client = as_user(user)
        pages = {
            "today": "/",
            "reminders": "/reminders",
            "search": f"/clients?q={case.client.preferred_name}",
            "case": f"/cases/{case.id}",
            "client": f"/clients/{case.client.display_id}",
            "plan": f"/cases/{case.id}/plan",
        }
        if role == Role.SUPERVISOR:
            pages["supervision"] = "/supervision"
        return {name: _statements(count_queries, client, url) for name, url in pages.items()}

    assert run(app, "--clients", "60", "--contacts", "300", "--seed", "1").exit_code == 0
    small = counts()
    assert run(app, "--clients", "600", "--contacts", "6000", "--seed", "2").exit_code == 0
    large = counts()
    assert large == small
