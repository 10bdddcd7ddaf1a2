"""Today: one list of what is due, most urgent first, each with the action that clears it."""

from datetime import timedelta

from tests.lifecycle import refer
from webapp.extensions import db
from webapp.models import (
    CaseModel,
    ConfirmationMethod,
    Provider,
    ReferralStatus,
    RiskLevel,
    Service,
    utcnow,
)
from webapp.queries.today import due_items
from webapp.services import referrals
from webapp.timeutil import local_today


def service():
    svc = Service(
        name="Emergency shelter bed", category="housing", provider=Provider(name="Harbor Light")
    )
    db.session.add(svc)
    db.session.commit()
    return svc


def titles(page):
    import re

    return [name.strip() for name in re.findall(r'<span class="list__title">([^<]+)', page)]


def test_overdue_and_due_follow_ups_are_listed_most_overdue_first(
    as_user, make_user, make_program, make_case
):
    program = make_program()
    sam, ngozi = make_user(programs=[program]), make_user(programs=[program])
    make_case(program, sam, name="Today Tomas", follow_up_in_days=0)
    make_case(program, sam, name="Overdue Olga", follow_up_in_days=-3)
    make_case(program, sam, name="Later Lena", follow_up_in_days=2)
    make_case(program, ngozi, name="Not Mine Nadia", follow_up_in_days=-1)
    page = as_user(sam).get("/").get_data(as_text=True)
    assert titles(page) == ["Overdue Olga", "Today Tomas"]
    assert "3 days overdue" in page and "due today" in page


def test_urgent_cases_come_first_whatever_their_dates(as_user, make_user, make_program, make_case):
    program = make_program()
    sam = make_user(programs=[program])
    make_case(program, sam, name="Long Overdue Lou", follow_up_in_days=-9)
    urgent = make_case(program, sam, name="Urgent Uma", follow_up_in_days=0)
    urgent.risk_level = RiskLevel.URGENT
    quiet_urgent = make_case(program, sam, name="Urgent Quiet Quinn", follow_up_in_days=5)
    quiet_urgent.risk_level = RiskLevel.URGENT
    db.session.commit()
    page = as_user(sam).get("/").get_data(as_text=True)
    assert titles(page) == ["Urgent Uma", "Urgent Quiet Quinn", "Long Overdue Lou"]


def test_unconfirmed_referrals_past_their_date_ask_for_confirmation(
    as_user, make_user, make_program, make_case
):
    program = make_program()
    sam = make_user(programs=[program])
    case = make_case(program, sam, name="Wes", follow_up_in_days=10)
    svc = service()
    waiting = refer(case, svc, created_by=sam, today=local_today() - timedelta(days=8))
    not_yet = refer(case, svc, created_by=sam, today=local_today())
    done = refer(case, svc, created_by=sam, today=local_today() - timedelta(days=8))
    referrals.change_status(
        done, ReferralStatus.DECLINED, confirmed_by=sam, method=ConfirmationMethod.CLIENT
    )
    db.session.commit()
    page = as_user(sam).get("/").get_data(as_text=True)
    assert page.count("Referral to Harbor Light") == 1
    assert f'href="/referrals/{waiting.id}?next=/">Confirm</a>' in page
    assert f"/referrals/{not_yet.id}" not in page and f"/referrals/{done.id}" not in page


def test_cases_past_their_models_contact_standard_are_due(
    as_user, make_user, make_program, make_case
):
    intensive = make_program("ICM", CaseModel.INTENSIVE)  # contact every 7 days
    brokerage = make_program("Broker", CaseModel.BROKERAGE)  # every 30 days
    sam = make_user(programs=[intensive, brokerage])
    stale = make_case(intensive, sam, name="Stale Stan")
    fine = make_case(brokerage, sam, name="Fine Fiona")
    for case in (stale, fine):
        case.last_contact_at = utcnow() - timedelta(days=10)
    db.session.commit()
    page = as_user(sam).get("/").get_data(as_text=True)
    assert titles(page) == ["Stale Stan"]
    assert "No contact for 10 days (standard: every 7)" in page
    assert f'href="/cases/{stale.id}/contacts/new?next=/">Log contact</a>' in page


def test_the_programs_own_standard_applies_when_edited(app, make_user, make_program, make_case):
    program = make_program("ICM", CaseModel.INTENSIVE, contact_standard_days=3)
    sam = make_user(programs=[program])
    case = make_case(program, sam)
    case.opened_at = utcnow() - timedelta(days=4)
    db.session.commit()
    assert [item.kind for item in due_items(sam, local_today())] == ["contact_standard"]


def test_closed_cases_ask_for_nothing(as_user, make_user, make_program, make_case):
    program = make_program()
    sam = make_user(programs=[program])
    case = make_case(program, sam, name="Closed Carl", follow_up_in_days=-2)
    case.closed_at = utcnow()
    db.session.commit()
    assert "Closed Carl" not in as_user(sam).get("/").get_data(as_text=True)


def test_with_nothing_due_today_says_so(as_user, make_user):
    assert "Nothing is due." in as_user(make_user()).get("/").get_data(as_text=True)


def test_query_count_does_not_grow_with_the_caseload(
    app, as_user, make_user, make_program, make_case, count_queries
):
    program = make_program()
    sam = make_user(programs=[program])
    client = as_user(sam)
    svc = service()

    def statements_for_today():
        with count_queries() as queries:
            assert client.get("/").status_code == 200
        return queries()

    def add_cases(count):
        for number in range(count):
            case = make_case(
                program, sam, name=f"Client {number}", follow_up_in_days=-1 - number % 3
            )
            refer(case, svc, created_by=sam, today=local_today() - timedelta(days=10))
            db.session.commit()

    add_cases(2)
    few = statements_for_today()
    add_cases(15)
    assert statements_for_today() == few
