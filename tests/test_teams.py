"""A case's team (issue 21, item 2): colleagues of the program work a case with its primary
worker. They see it (a restricted one only when its worker added them), get its items on Today,
appear on the case page; taking them off ends it at once; supervision counts team cases apart."""

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Case, CaseTeamMember, Role, TeamRole
from webapp.queries.supervision import overview
from webapp.queries.today import due_items
from webapp.queries.visibility import can_view_case
from webapp.services import teams
from webapp.timeutil import local_today


@pytest.fixture
def crew(make_program, make_user, make_case):
    program = make_program("Housing First")
    supervisor = make_user(Role.SUPERVISOR, [program], name="Marcus Oyelaran")
    ana = make_user(Role.CASE_MANAGER, [program], supervisor=supervisor, name="Ana Torres")
    ben = make_user(Role.CASE_MANAGER, [program], supervisor=supervisor, name="Ben Okafor")
    outsider = make_user(Role.CASE_MANAGER, [make_program("Other")], name="Out Sider")
    case = make_case(program, ana, name="Dee", follow_up_in_days=0)
    hidden = make_case(program, ana, name="Rosa", restricted=True, follow_up_in_days=0)
    return program, supervisor, ana, ben, outsider, case, hidden


def add(client, case, member, role="co_worker"):
    return client.post(f"/cases/{case.id}/team", data={"member": str(member.id), "role": role})


def test_a_team_member_sees_a_restricted_case_only_once_its_worker_adds_them(as_user, crew):
    program, supervisor, ana, ben, outsider, case, hidden = crew
    assert not can_view_case(ben, hidden)
    assert as_user(ben).get(f"/cases/{hidden.id}").status_code == 404
    # The supervisor may not widen a restricted case's team: only its worker.
    assert add(as_user(supervisor), hidden, ben).status_code == 403
    assert add(as_user(ana), hidden, ben, "peer_support").status_code == 302
    assert can_view_case(ben, db.session.get(Case, hidden.id))
    page = as_user(ben).get(f"/cases/{hidden.id}").get_data(as_text=True)
    assert "Rosa" in page and "Peer support" in page
    # Items of the team's cases are on the member's Today.
    names = {item.case.client.preferred_name for item in due_items(ben, local_today())}
    assert "Rosa" in names
    # Taken off: at once, nothing more.
    membership = db.session.scalar(sa.select(CaseTeamMember))
    assert (
        as_user(supervisor).post(f"/cases/{hidden.id}/team/{membership.id}/remove").status_code
        == 302
    )
    assert not can_view_case(ben, db.session.get(Case, hidden.id))
    assert as_user(ben).get(f"/cases/{hidden.id}").status_code == 404
    assert "Rosa" not in {i.case.client.preferred_name for i in due_items(ben, local_today())}


def test_only_colleagues_of_the_program_join_and_only_once(as_user, crew):
    program, supervisor, ana, ben, outsider, case, hidden = crew
    client = as_user(ana)
    assert add(client, case, outsider).status_code == 422  # not a choice: other program
    assert add(client, case, ana).status_code == 422  # the case's own worker
    assert add(client, case, ben).status_code == 302
    assert add(client, case, ben).status_code == 422  # already on it
    assert add(client, case, ben, role="boss").status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseTeamMember)) == 1


def test_who_may_change_a_team(as_user, crew, make_user):
    program, supervisor, ana, ben, outsider, case, hidden = crew
    other_worker = make_user(Role.OUTREACH_WORKER, [program])
    assert add(as_user(other_worker), case, ben).status_code == 403
    assert add(as_user(outsider), case, ben).status_code == 404
    assert add(as_user(supervisor), case, ben).status_code == 302
    membership = db.session.scalar(sa.select(CaseTeamMember))
    url = f"/cases/{case.id}/team/{membership.id}/remove"
    assert as_user(other_worker).post(url).status_code == 403
    assert as_user(outsider).post(url).status_code == 404
    assert as_user(ana).post(f"/cases/{case.id}/team/999999/remove").status_code == 404
    assert as_user(ana).post(url).status_code == 302
    assert as_user(ana).post(url).status_code == 404  # already off


def test_supervision_counts_team_cases_apart_from_primary_ones(crew):
    program, supervisor, ana, ben, outsider, case, hidden = crew
    teams.add(case, ben, TeamRole.CLINICIAN, by=ana)
    db.session.commit()
    loads = {
        load.worker.display_name: load
        for load in overview(supervisor, local_today()).caseloads.loads
    }
    assert (loads["Ben Okafor"].open, loads["Ben Okafor"].team_cases) == (0, 1)
    assert (loads["Ana Torres"].open, loads["Ana Torres"].team_cases) == (2, 0)


def test_a_transfer_to_a_team_member_takes_them_off_the_team(crew):
    from webapp.services import case_changes

    program, supervisor, ana, ben, outsider, case, hidden = crew
    teams.add(case, ben, TeamRole.CO_WORKER, by=ana)
    case_changes.transfer(case, ben, note="Ben takes over.", user=supervisor)
    db.session.commit()
    membership = db.session.scalar(sa.select(CaseTeamMember))
    assert membership.removed_at is not None
    assert db.session.get(Case, case.id).primary_worker_id == ben.id
