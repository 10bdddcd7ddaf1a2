"""Transfer with a handoff note, the new worker's summary, supervision, and what Today shows."""

import re
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


def test_supervision_lists_a_page_per_section_and_counts_the_rest(as_user, org, make_case):
    """Bounded by the screen (issue 22): each section counts every case it holds and lists ten;
    "More" brings the next ten in place (htmx) or as a page of its own."""
    for number in range(12):
        make_case(org.program, org.ana, name=f"Late Client{number:02}", follow_up_in_days=-1)
    page = as_user(org.boss).get("/supervision").get_data(as_text=True)
    overdue = page.split('id="overdue-heading"')[1].split("</section>")[0]
    assert '<span class="count">12</span>' in overdue
    assert overdue.count('class="list__link"') == 10
    assert "More (10 of 12 shown)" in overdue
    assert 'hx-get="/supervision/overdue?page=2"' in overdue
    assert "12 / 2 over cap" in page  # the caseload counts all of them

    more = as_user(org.boss).get("/supervision/overdue?page=2", headers={"HX-Request": "true"})
    rest = more.get_data(as_text=True)
    assert "<html" not in rest and rest.count('class="list__link"') == 2
    assert "Late Client10" in rest and "Late Client11" in rest and "More (" not in rest
    whole = as_user(org.boss).get("/supervision/overdue?page=2").get_data(as_text=True)
    assert "<html" in whole and "Overdue contacts" in whole and "Previous" in whole


def test_supervision_sections_are_for_supervisors_and_refuse_odd_pages(
    as_user, org, make_user, make_case
):
    make_case(org.program, org.ana)
    for section in ("overdue", "no_baseline", "no_plan", "unassigned"):
        assert as_user(org.ana).get(f"/supervision/{section}").status_code == 403
        assert as_user(org.boss).get(f"/supervision/{section}").status_code == 200
        assert as_user(make_user(Role.ADMIN)).get(f"/supervision/{section}").status_code == 200
    assert as_user(org.boss).get("/supervision/everyone").status_code == 404
    for page in ("0", "-1", "abc", "99999999", "1.5", ""):
        response = as_user(org.boss).get(f"/supervision/overdue?page={page}")
        assert response.status_code == 400, page
    # Far past the end: an empty page, not an error.
    assert as_user(org.boss).get("/supervision/overdue?page=500").status_code == 200


def test_caseloads_show_a_page_of_workers_own_team_and_over_cap_first(
    as_user, org, make_user, make_case
):
    """A program of many workers (issue 22): twenty caseloads at a time, the supervisor's own
    team first, then whoever is over the cap, then the rest by name; "More" brings the next
    rows in place (a tbody, htmx) or as a page of its own."""
    from webapp.queries.supervision import CASELOAD_PAGE_SIZE

    others = [
        make_user(Role.OUTREACH_WORKER, [org.program], name=f"Aaron Other{n:02}")
        for n in range(CASELOAD_PAGE_SIZE + 2)
    ]
    over = others[-1]  # last by name, first after the team: three cases, cap two
    for _ in range(3):
        make_case(org.program, over)
    client = as_user(org.boss)
    page = client.get("/supervision").get_data(as_text=True)
    table = page.split('id="caseloads-heading"')[1].split("</section>")[0]
    names = re.findall(r'<th scope="row">([^<]+)<br>', table)
    assert len(names) == CASELOAD_PAGE_SIZE
    # Ana is Marcus's; then Aaron Other21, over the cap; then the rest by name.
    assert names[:3] == ["Ana Worker", over.display_name, "Aaron Other00"]
    total = len(others) + 3  # and Ana, Ben and Marcus (who may hold cases too)
    assert f"More workers ({CASELOAD_PAGE_SIZE} of {total} shown)" in table
    assert 'hx-get="/supervision/caseloads?page=2"' in table

    more = client.get("/supervision/caseloads?page=2", headers={"HX-Request": "true"})
    rest = more.get_data(as_text=True)
    assert more.status_code == 200 and "<html" not in rest and rest.startswith("<tbody>")
    assert re.findall(r'<th scope="row">([^<]+)<br>', rest) == [
        "Aaron Other18",
        "Aaron Other19",
        "Aaron Other20",
        "Ben Newworker",
        "Marcus Supervisor",
    ]
    assert "More workers" not in rest
    whole = client.get("/supervision/caseloads?page=2").get_data(as_text=True)
    assert "<html" in whole and "Previous" in whole and "Ben Newworker" in whole

    assert as_user(org.ana).get("/supervision/caseloads").status_code == 403
    assert as_user(make_user(Role.ADMIN)).get("/supervision/caseloads").status_code == 200
    for bad in ("0", "-1", "abc", "99999999", ""):
        assert client.get(f"/supervision/caseloads?page={bad}").status_code == 400, bad


def test_supervision_neither_lists_nor_counts_a_restricted_case_it_may_not_open(
    as_user, org, make_case
):
    # Ben's restricted case: the supervisor does not supervise Ben.
    make_case(org.program, org.ben, name="Private Pat", restricted=True, follow_up_in_days=-2)
    make_case(org.program, org.ana, name="Open Olu", follow_up_in_days=-2)
    page = as_user(org.boss).get("/supervision").get_data(as_text=True)
    assert "Private Pat" not in page and "Open Olu" in page
    overdue = page.split('id="overdue-heading"')[1].split("</section>")[0]
    assert '<span class="count">1</span>' in overdue
    ben_row = page.split("Ben Newworker")[1].split("</tr>")[0]
    assert "0 / 2" in ben_row
    listed = as_user(org.boss).get("/supervision/overdue").get_data(as_text=True)
    assert "Private Pat" not in listed


def test_overdue_in_sql_is_the_same_rule_as_on_the_case_page(app, org, make_case, make_program):
    """`contact_overdue_clause` (supervision's counts) and `contact_overdue` (the case page,
    Today) agree on every case: follow-ups passed or not, contact standards lapsed by a day or
    just kept, cases in another model than their program's, cases never contacted."""
    from datetime import UTC, datetime, time

    from webapp.models import ContactType
    from webapp.queries.case_state import contact_overdue, contact_overdue_clause
    from webapp.services import case_changes, cases
    from webapp.timeutil import local_zone

    today = local_today()
    generalist = make_program(model=CaseModel.GENERALIST, contact_standard_days=20)
    made = []
    for program in (org.program, generalist):
        for days_ago in (0, 6, 7, 8, 13, 14, 15, 19, 20, 21, 40):
            for hour in (0, 23):
                for model in (None, CaseModel.INTENSIVE, CaseModel.STRENGTHS_BASED):
                    case = make_case(program, org.ana)
                    case.opened_at = datetime.combine(
                        today - timedelta(days=60), time(9), tzinfo=local_zone()
                    ).astimezone(UTC)
                    if model is not None and model != program.model:
                        case_changes.change_model(case, model, reason="Fits", user=org.boss)
                    moment = datetime.combine(
                        today - timedelta(days=days_ago), time(hour, 30), tzinfo=local_zone()
                    )
                    if days_ago:
                        cases.log_contact(
                            case,
                            recorded_by=org.ana,
                            occurred_at=moment.astimezone(UTC),
                            contact_type=ContactType.PHONE,
                            note="Seen.",
                        )
                    made.append(case)
        never = make_case(program, org.ana)
        never.opened_at = datetime.combine(
            today - timedelta(days=25), time(12), tzinfo=local_zone()
        ).astimezone(UTC)
        made.append(never)
        made.append(make_case(program, org.ana, follow_up_in_days=-1))
        made.append(make_case(program, org.ana, follow_up_in_days=0))
    db.session.commit()
    in_sql = set(
        db.session.scalars(
            sa.select(Case.id)
            .join(Program, Program.id == Case.program_id)
            .where(contact_overdue_clause(today))
        )
    )
    in_python = {case.id for case in made if contact_overdue(case, today)}
    assert in_sql == in_python
    assert 0 < len(in_python) < len(made)  # both kinds are there


def test_the_clients_supervision_lists_are_audited_as_seen(as_user, org, make_case):
    """Names and IDs on the overview, and on a section's next page, are reads of those clients'
    records, as a search's results are."""
    from webapp.models import AuditAction, AuditEvent

    def seen() -> set[str]:
        db.session.expire_all()
        return set(
            db.session.scalars(
                sa.select(AuditEvent.record_id).where(
                    AuditEvent.action == AuditAction.VIEW,
                    AuditEvent.record_type == "client",
                    AuditEvent.user_id == org.boss.id,
                )
            )
        )

    late = [make_case(org.program, org.ana, follow_up_in_days=-1) for _ in range(11)]
    as_user(org.boss).get("/supervision")
    first_ten = {str(case.client_id) for case in late[:10]}
    assert first_ten <= seen() and str(late[10].client_id) not in seen()
    as_user(org.boss).get("/supervision/overdue?page=2", headers={"HX-Request": "true"})
    assert str(late[10].client_id) in seen()
