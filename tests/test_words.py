"""People read words, not stored codes (issue 18, item 12)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.lifecycle import planned_case, refer, request_goals_met_closure
from tests.test_self_intake import _submitted
from webapp.extensions import db
from webapp.models import (
    CaseModel,
    ClosureReason,
    ConfirmationMethod,
    Intake,
    Provider,
    ReferralStatus,
    Role,
    Service,
)
from webapp.services import referrals
from webapp.timeutil import local_today


def test_the_timeline_names_a_closure_reason_in_words(as_user, make_program, make_user, make_case):
    program = make_program(model=CaseModel.GENERALIST)
    ana = make_user(Role.CASE_MANAGER, [program])
    case, goal = planned_case(make_case, program, ana)
    request_goals_met_closure(case, ana, goal)
    db.session.commit()
    page = as_user(ana).get(f"/clients/{case.client.display_id}").get_data(as_text=True)
    assert "goals_met" not in page and ClosureReason.GOALS_MET.label in page


def test_today_shows_a_referral_status_without_doubled_brackets(
    as_user, make_program, make_user, make_case
):
    program = make_program()
    sam = make_user(Role.OUTREACH_WORKER, [program])
    case = make_case(program, sam, name="Brian")
    service = Service(name="Clinic", category="health", provider=Provider(name="Riverside"))
    db.session.add(service)
    db.session.flush()
    referral = refer(case, service, created_by=sam, today=local_today())
    for status in (ReferralStatus.ACKNOWLEDGED, ReferralStatus.SCHEDULED, ReferralStatus.CONNECTED):
        referrals.change_status(
            referral,
            status,
            confirmed_by=sam,
            method=ConfirmationMethod.PHONE,
            follow_up_on=local_today(),
            appointment=referrals.Appointment(local_today()),  # taken by "scheduled" only
        )
    referral.follow_up_on = local_today() - timedelta(days=1)
    db.session.commit()
    page = as_user(sam).get("/").get_data(as_text=True)
    assert "Referral to Riverside, connected (client attended): check what happened" in page
    assert "))" not in page


def test_an_accepted_self_intake_keeps_the_clients_needs_in_words(as_user, make_program, make_user):
    program = make_program(name="Housing Help")
    ana = make_user(Role.CASE_MANAGER, [program], name="Ana Worker")
    org = type("Org", (), {"program": program, "ana": ana})()
    submission = _submitted(org)
    response = as_user(ana).post(
        f"/intake-queue/{submission.id}/accept", data={"accept-client": "new"}
    )
    assert response.status_code == 302
    intake = db.session.scalar(sa.select(Intake))
    assert intake.client_priorities == "Housing and shelter, Food"


def test_two_people_with_one_name_are_told_apart_where_names_are_listed(
    as_user, make_program, make_user, make_case
):
    """Issue 18, item 13: "José" and "Jose" were indistinguishable on Today and supervision."""
    program = make_program()
    boss = make_user(Role.SUPERVISOR, [program])
    sam = make_user(Role.OUTREACH_WORKER, [program], supervisor=boss)
    first = make_case(program, sam, name="José", follow_up_in_days=-1)
    second = make_case(program, sam, name="Jose", follow_up_in_days=-1)
    today = as_user(sam).get("/").get_data(as_text=True)
    supervision = as_user(boss).get("/supervision").get_data(as_text=True)
    for page in (today, supervision):
        assert first.client.display_id in page and second.client.display_id in page


def test_an_accepted_self_intake_is_followed_up_the_next_working_day(
    as_user, make_program, make_user
):
    """Issue 18, item 11: a family sleeping in a car waited 30 days for the contact standard."""
    from webapp.models import Case
    from webapp.timeutil import next_working_day

    program = make_program(name="Housing Help")
    ana = make_user(Role.CASE_MANAGER, [program], name="Ana Worker")
    org = type("Org", (), {"program": program, "ana": ana})()
    submission = _submitted(org)
    expected = next_working_day(local_today())
    page = as_user(ana).get(f"/intake-queue/{submission.id}").get_data(as_text=True)
    assert f'value="{expected.isoformat()}"' in page  # offered, and the reviewer may change it
    as_user(ana).post(f"/intake-queue/{submission.id}/accept", data={"accept-client": "new"})
    assert db.session.scalar(sa.select(Case)).next_follow_up_on == expected


def test_the_next_working_day_skips_the_weekend():
    from datetime import date

    from webapp.timeutil import next_working_day

    assert next_working_day(date(2026, 12, 4)) == date(2026, 12, 7)  # Friday → Monday
    assert next_working_day(date(2026, 12, 5)) == date(2026, 12, 7)  # Saturday → Monday
    assert next_working_day(date(2026, 12, 7)) == date(2026, 12, 8)


def test_a_case_page_is_titled_with_the_person_and_a_closed_plan_counts_its_goals(
    as_user, make_program, make_user, make_case
):
    """Issue 18, item 14: the program was the title, and a closed case showed "Plan 0"."""
    import re

    program = make_program(name="Street Outreach", model=CaseModel.GENERALIST)
    ana = make_user(Role.CASE_MANAGER, [program])
    case, goal = planned_case(make_case, program, ana, name="Kateri")
    page = as_user(ana).get(f"/cases/{case.id}").get_data(as_text=True)
    assert re.search(r"<h1>Kateri <span", page)
    request_goals_met_closure(case, ana, goal)
    db.session.commit()
    page = as_user(ana).get(f"/cases/{case.id}").get_data(as_text=True)
    assert re.search(r'Plan <span class="count" title="goals">1</span>', page)


def test_an_agreed_plan_folds_its_agreement_form_away(as_user, make_program, make_user, make_case):
    """Issue 18, item 14: the agreement form stayed open after agreement, so the plan looked
    un-agreed."""
    program = make_program(model=CaseModel.GENERALIST)
    ana = make_user(Role.CASE_MANAGER, [program])
    case, _goal = planned_case(make_case, program, ana)
    page = as_user(ana).get(f"/cases/{case.id}/plan").get_data(as_text=True)
    section = page.split('id="agreement-heading"')[1]
    assert "<summary>Change the agreement or the review date</summary>" in section
    assert '<details class="more">' in section  # closed until the worker opens it
