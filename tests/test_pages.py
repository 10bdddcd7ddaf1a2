"""Today, the case page and the client page."""

from datetime import timedelta

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import AuditAction, AuditEvent, ConfirmationMethod, ContactType, Provider, ReferralStatus, Role, Service, utcnow
from webapp.services import cases, referrals
from webapp.timeutil import local_today


def make_service():
    provider = Provider(name="Harbor Light Shelter")
    service = Service(name="Emergency shelter bed", category="housing", provider=provider)
    db.session.add(provider)
    db.session.commit()
    return service


def test_today_lists_my_due_and_overdue_follow_ups_but_not_later_or_others(as_user, make_user, make_program, make_case):
    program = make_program()
    sam, ngozi = make_user(programs=[program]), make_user(programs=[program])
    make_case(program, sam, name="Overdue Olga", follow_up_in_days=-3)
    make_case(program, sam, name="Today Tomas", follow_up_in_days=0)
    make_case(program, sam, name="Later Lena", follow_up_in_days=2)
    make_case(program, ngozi, name="Not Mine Nadia", follow_up_in_days=-1)
    page = as_user(sam).get("/").get_data(as_text=True)
    assert "Overdue Olga" in page and "3 days overdue" in page
    assert "Today Tomas" in page
    assert "Later Lena" not in page and "Not Mine Nadia" not in page
    assert page.index("Overdue Olga") < page.index("Today Tomas")


def test_today_lists_urgent_cases_and_referrals_awaiting_confirmation(as_user, make_user, make_program, make_case):
    program = make_program()
    sam = make_user(programs=[program])
    urgent = make_case(program, sam, name="Urgent Uma")
    urgent.risk_level = "urgent"
    waiting = make_case(program, sam, name="Waiting Wes")
    service = make_service()
    referral = referrals.make_referral(waiting, service, created_by=sam, today=local_today() - timedelta(days=8))
    confirmed = referrals.make_referral(waiting, service, created_by=sam, today=local_today() - timedelta(days=8))
    referrals.change_status(confirmed, ReferralStatus.CONNECTED, confirmed_by=sam, method=ConfirmationMethod.CLIENT)
    referrals.change_status(confirmed, ReferralStatus.COMPLETED, confirmed_by=sam, method=ConfirmationMethod.CLIENT)
    db.session.commit()
    page = as_user(sam).get("/").get_data(as_text=True)
    assert "Urgent Uma" in page
    assert "Waiting Wes → Harbor Light Shelter" in page
    assert page.count("Waiting Wes →") == 1  # the completed referral asks for nothing
    assert referral.is_open and not confirmed.is_open


def test_today_with_nothing_due_says_so(as_user, make_user):
    page = as_user(make_user()).get("/").get_data(as_text=True)
    assert "No follow-ups due today." in page


def test_today_query_count_does_not_grow_with_the_caseload(app, as_user, make_user, make_program, make_case):
    program = make_program()
    sam = make_user(programs=[program])
    client = as_user(sam)
    service = make_service()

    def statements_for_today():
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            client.get("/")
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    def add_cases(count):
        for number in range(count):
            case = make_case(program, sam, name=f"Client {number}", follow_up_in_days=-1)
            referrals.make_referral(case, service, created_by=sam, today=local_today() - timedelta(days=10))
            db.session.commit()

    add_cases(2)
    few = statements_for_today()
    add_cases(10)
    assert statements_for_today() == few


def test_case_page_shows_phase_risk_model_worker_referrals_and_contacts_and_is_audited(
    as_user, make_user, make_program, make_case
):
    program = make_program("Housing First")
    sam = make_user(programs=[program], name="Sam Whitfield")
    case = make_case(program, sam, name="Brian", follow_up_in_days=4)
    cases.log_contact(case, recorded_by=sam, occurred_at=utcnow() - timedelta(hours=2),
                      contact_type=ContactType.HOME_VISIT, note="Rent paid.", next_follow_up_on=local_today() + timedelta(days=4))
    referrals.make_referral(case, make_service(), created_by=sam, today=local_today())
    db.session.commit()
    response = as_user(sam).get(f"/cases/{case.id}")
    page = response.get_data(as_text=True)
    for expected in ("Housing First", "Intake", "Low", "Generalist", "Sam Whitfield", "in 4 days",
                     "Harbor Light Shelter: Emergency shelter bed", "Home visit", "Rent paid."):
        assert expected in page, expected
    assert response.headers["Cache-Control"] == "no-store"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.VIEW))
    assert (event.user_id, event.record_type, event.record_id, event.path) == (sam.id, "case", str(case.id), f"/cases/{case.id}")


def test_client_page_shows_the_id_names_and_safe_contact_and_is_audited(as_user, make_user, make_program, make_case):
    program = make_program()
    sam = make_user(programs=[program])
    case = make_case(program, sam, name="Mai", legal_name="Nguyễn Thị Mai", aliases=["Em Mai"],
                     phone="555-208-1190", safe_to_call=False, contact_notes="Text only.")
    page = as_user(sam).get(f"/clients/{case.client.display_id}?q=secret+search").get_data(as_text=True)
    for expected in (case.client.display_id, "Nguyễn Thị Mai", "Em Mai", "Do not call", "Text only."):
        assert expected in page, expected
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.record_type == "client",
                                                          AuditEvent.action == AuditAction.VIEW))
    assert event.path == f"/clients/{case.client.display_id}"  # no query string in the trail


def test_supervisor_sees_the_same_case_page(as_user, make_user, make_program, make_case):
    program = make_program()
    supervisor = make_user(Role.SUPERVISOR, [program])
    case = make_case(program, make_user(programs=[program], supervisor=supervisor))
    assert as_user(supervisor).get(f"/cases/{case.id}").status_code == 200
