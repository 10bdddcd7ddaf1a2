"""Transfer with a handoff note, the new worker's summary, supervision, and what Today shows."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.lifecycle import a_service, add_goal, agree, assess, planned_case, refer
from webapp.extensions import db
from webapp.models import Case, CaseEvent, CaseEventKind, CaseModel, Program, Role, User
from webapp.queries.today import due_items as _due_items
from webapp.timeutil import local_today


def due_kinds(user, today=None):
    return [item.kind for item in _due_items(user, today or local_today())]


@dataclass(frozen=True)
class Org:
    program: Program
    boss: User
    ana: User
    ben: User


@pytest.fixture
def org(make_program, make_user) -> Org:
    program = make_program(model=CaseModel.INTENSIVE, caseload_cap=2)
    boss = make_user(Role.SUPERVISOR, [program], name="Marcus Supervisor")
    ana = make_user(Role.CASE_MANAGER, [program], supervisor=boss, name="Ana Worker")
    ben = make_user(Role.CASE_MANAGER, [program], name="Ben Newworker")
    return Org(program, boss, ana, ben)


def test_a_transfer_hands_the_case_over_with_a_note(as_user, org, make_case):
    case = make_case(org.program, org.ana, name="Fatima")
    page = as_user(org.ana).get(f"/cases/{case.id}/transfer").get_data(as_text=True)
    assert "Ben Newworker (0 of 2 cases)" in page and "Ana Worker (" not in page
    response = as_user(org.ana).post(
        f"/cases/{case.id}/transfer", data={"worker": str(org.ben.id), "note": ""}
    )
    assert response.status_code == 422 and "Write a handoff note" in response.get_data(as_text=True)
    response = as_user(org.ana).post(
        f"/cases/{case.id}/transfer",
        data={"worker": str(org.ben.id), "note": "Prefers texts; court date on the 12th."},
    )
    assert response.status_code == 302
    case = db.session.get(Case, case.id)
    assert case.primary_worker_id == org.ben.id and case.handoff_pending
    event = db.session.scalar(sa.select(CaseEvent).where(CaseEvent.kind == CaseEventKind.TRANSFER))
    assert (event.old_value, event.new_value, event.note) == (
        str(org.ana.id),
        str(org.ben.id),
        "Prefers texts; court date on the 12th.",
    )
    assert "handoff" in due_kinds(org.ben)


def test_the_new_worker_reads_where_the_case_stands_and_the_item_leaves_today(
    as_user, org, make_case
):
    case, goal = planned_case(make_case, org.program, org.ana, name="Brian")
    refer(case, a_service(), created_by=org.ana, today=local_today(), goal=goal)
    db.session.commit()
    as_user(org.ana).post(
        f"/cases/{case.id}/transfer",
        data={"worker": str(org.ben.id), "note": "Ask about the lease."},
    )
    # Someone else reading the summary does not clear the new worker's reminder.
    as_user(org.boss).get(f"/cases/{case.id}/handoff")
    assert db.session.get(Case, case.id).handoff_pending
    page = as_user(org.ben).get(f"/cases/{case.id}/handoff").get_data(as_text=True)
    for expected in (
        "Ask about the lease.",
        "from Ana Worker",
        "Implementation",
        "Baseline",
        "Move into my own flat",
        "Harbor Light Shelter",
        "Next step:",
    ):
        assert expected in page
    assert not db.session.get(Case, case.id).handoff_pending
    assert "handoff" not in due_kinds(org.ben)


def test_the_old_worker_loses_a_restricted_case(as_user, org, make_case):
    case = make_case(org.program, org.ana, restricted=True)
    response = as_user(org.ana).post(
        f"/cases/{case.id}/transfer", data={"worker": str(org.ben.id), "note": "Over to Ben."}
    )
    assert response.status_code == 302 and response.location.endswith("/")
    assert as_user(org.ana).get(f"/cases/{case.id}").status_code == 404
    assert as_user(org.ben).get(f"/cases/{case.id}").status_code == 200


def test_who_may_transfer_and_to_whom(as_user, org, make_case, make_user, make_program):
    case = make_case(org.program, org.ana)
    outsider = make_user(Role.CASE_MANAGER, [make_program()])
    colleague = make_user(Role.OUTREACH_WORKER, [org.program])
    assert as_user(colleague).get(f"/cases/{case.id}/transfer").status_code == 403
    assert as_user(outsider).get(f"/cases/{case.id}/transfer").status_code == 404
    response = as_user(org.ana).post(
        f"/cases/{case.id}/transfer", data={"worker": str(outsider.id), "note": "x"}
    )
    assert response.status_code == 422
    response = as_user(org.ana).post(
        f"/cases/{case.id}/transfer", data={"worker": "abc", "note": "x"}
    )
    assert response.status_code == 422
    assert (
        as_user(org.boss)
        .post(
            f"/cases/{case.id}/transfer",
            data={"worker": str(colleague.id), "note": "Street team takes over."},
        )
        .status_code
        == 302
    )
    assert db.session.get(Case, case.id).primary_worker_id == colleague.id


def test_supervision_is_for_supervisors_and_admins(as_user, org, make_user):
    assert as_user(org.ana).get("/supervision").status_code == 403
    assert (
        as_user(make_user(Role.OUTREACH_WORKER, [org.program])).get("/supervision").status_code
        == 403
    )
    assert as_user(org.boss).get("/supervision").status_code == 200
    assert as_user(make_user(Role.ADMIN)).get("/supervision").status_code == 200


def test_supervision_shows_caseloads_against_the_cap_and_the_gaps(
    as_user, org, make_case, make_program, make_user
):
    make_case(org.program, org.ana, name="Overdue Olga", follow_up_in_days=-3)
    make_case(org.program, org.ana, name="Nobase Nina")
    assessed = make_case(org.program, org.ana, name="Assessed Abel")
    assess(assessed, org.ana)
    planned_case(make_case, org.program, org.ben, name="Planned Pia")
    elsewhere = make_program()
    make_case(elsewhere, make_user(Role.CASE_MANAGER, [elsewhere]), name="Hidden Hal")
    page = as_user(org.boss).get("/supervision").get_data(as_text=True)
    assert "3 / 2 over cap" in page  # Ana: three open cases, cap two
    assert "1 / 2" in page  # Ben
    assert "Hidden Hal" not in page
    overdue_section = page.split('id="overdue-heading"')[1].split("</section>")[0]
    assert "Overdue Olga" in overdue_section and "Planned Pia" not in overdue_section
    baseline_section = page.split('id="baseline-heading"')[1].split("</section>")[0]
    assert "Nobase Nina" in baseline_section and "Overdue Olga" in baseline_section
    assert "Assessed Abel" not in baseline_section
    plan_section = page.split('id="plan-heading"')[1].split("</section>")[0]
    assert "Assessed Abel" in plan_section and "Planned Pia" not in plan_section


def test_supervision_notes_are_written_by_supervisors_only(as_user, org, make_case):
    case = make_case(org.program, org.ana)
    assert (
        as_user(org.ana).post(f"/cases/{case.id}/supervision-notes", data={"note": "x"}).status_code
        == 403
    )
    response = as_user(org.boss).post(f"/cases/{case.id}/supervision-notes", data={"note": ""})
    assert response.status_code == 422 and "Write the review note." in response.get_data(
        as_text=True
    )
    assert (
        as_user(org.boss)
        .post(
            f"/cases/{case.id}/supervision-notes",
            data={"note": "Reviewed: plan is realistic; check the benefits claim."},
        )
        .status_code
        == 302
    )
    page = as_user(org.ana).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Supervision note" in page and "check the benefits claim" in page


def test_today_shows_reassessments_and_plan_reviews_when_due(org, make_case):
    case = make_case(org.program, org.ana)
    assess(case, org.ana, on=local_today() - timedelta(days=29))  # intensive: every 30 days
    add_goal(case, org.ana)
    agree(case, org.ana, review_in_days=2)
    assert due_kinds(org.ana) == []
    assert "reassessment" in due_kinds(org.ana, local_today() + timedelta(days=1))
    assert "plan_review" in due_kinds(org.ana, local_today() + timedelta(days=2))
    assert "plan_review" not in due_kinds(org.ana, local_today() + timedelta(days=1))
