"""The case page and the client page."""

from datetime import timedelta

import sqlalchemy as sa

from tests.lifecycle import a_service, planned_case, refer
from tests.statements import recorded, tables_read
from webapp.extensions import db
from webapp.models import AuditAction, AuditEvent, ContactType, Provider, Role, Service, utcnow
from webapp.services import cases
from webapp.timeutil import local_today


def make_service():
    provider = Provider(name="Harbor Light Shelter")
    service = Service(name="Emergency shelter bed", category="housing", provider=provider)
    db.session.add(provider)
    db.session.commit()
    return service


def test_case_page_shows_phase_risk_model_worker_referrals_and_contacts_and_is_audited(
    as_user, make_user, make_program, make_case
):
    program = make_program("Housing First")
    sam = make_user(programs=[program], name="Sam Whitfield")
    case = make_case(program, sam, name="Brian", follow_up_in_days=4)
    cases.log_contact(
        case,
        recorded_by=sam,
        occurred_at=utcnow() - timedelta(hours=2),
        contact_type=ContactType.HOME_VISIT,
        note="Rent paid.",
        next_follow_up_on=local_today() + timedelta(days=4),
    )
    refer(case, make_service(), created_by=sam, today=local_today())
    db.session.commit()
    response = as_user(sam).get(f"/cases/{case.id}")
    page = response.get_data(as_text=True)
    for expected in (
        "Housing First",
        "Intake",
        "Low",
        "Generalist",
        "Sam Whitfield",
        "in 4 days",
        "Harbor Light Shelter: Emergency shelter bed",
        "Home visit",
        "Rent paid.",
    ):
        assert expected in page, expected
    assert response.headers["Cache-Control"] == "no-store"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == AuditAction.VIEW))
    assert (event.user_id, event.record_type, event.record_id, event.path) == (
        sam.id,
        "case",
        str(case.id),
        f"/cases/{case.id}",
    )


def test_client_page_shows_the_id_names_and_safe_contact_and_is_audited(
    as_user, make_user, make_program, make_case
):
    program = make_program()
    sam = make_user(programs=[program])
    case = make_case(
        program,
        sam,
        name="Mai",
        legal_name="Nguyễn Thị Mai",
        aliases=["Em Mai"],
        language="vi",
        phone="555-208-1190",
        safe_to_call=False,
        contact_notes="Text only.",
    )
    page = (
        as_user(sam)
        .get(f"/clients/{case.client.display_id}?q=secret+search")
        .get_data(as_text=True)
    )
    for expected in (
        case.client.display_id,
        "Nguyễn Thị Mai",
        "Em Mai",
        "Do not call",
        "Text only.",
        "Vietnamese",
    ):
        assert expected in page, expected
    assert "<title>Mai · Waymark</title>" in page
    assert page.count('id="timeline-heading"') == 1
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.record_type == "client", AuditEvent.action == AuditAction.VIEW
        )
    )
    assert event.path == f"/clients/{case.client.display_id}"  # no query string in the trail


def test_supervisor_sees_the_same_case_page(as_user, make_user, make_program, make_case):
    program = make_program()
    supervisor = make_user(Role.SUPERVISOR, [program])
    case = make_case(program, make_user(programs=[program], supervisor=supervisor))
    assert as_user(supervisor).get(f"/cases/{case.id}").status_code == 200


def test_case_page_query_count_does_not_grow_with_its_history(
    as_user, make_user, make_program, make_case, count_queries
):
    program = make_program()
    sam = make_user(programs=[program])
    case = make_case(program, sam)
    client = as_user(sam)
    service = make_service()

    def add_history(count):
        for number in range(count):
            cases.log_contact(
                case,
                recorded_by=sam,
                occurred_at=utcnow() - timedelta(hours=number + 1),
                contact_type=ContactType.PHONE,
                note=f"Call {number}",
            )
            refer(case, service, created_by=sam, today=local_today())
        db.session.commit()

    add_history(2)
    with count_queries() as few:
        client.get(f"/cases/{case.id}")
    add_history(25)
    with count_queries() as many:
        page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert many() == few()
    assert page.count("Call ") == 10  # the ten most recent contacts only


def test_the_case_page_reads_each_of_its_tables_once(as_user, make_user, make_program, make_case):
    """The case with its client, program and intake, and the visibility rule, in one statement;
    its state, contacts, history, team, documents and internal referrals one statement each;
    nothing loaded a second time (the signed-in user, then the colleagues who could join the
    team, are the two reads of users)."""
    program = make_program()
    sam = make_user(programs=[program])
    case, _goal = planned_case(make_case, program, sam)
    refer(case, a_service(), created_by=sam, today=local_today())
    cases.log_contact(
        case,
        recorded_by=sam,
        occurred_at=utcnow() - timedelta(hours=1),
        contact_type=ContactType.PHONE,
        note="Called.",
    )
    db.session.commit()
    client, url = as_user(sam), f"/cases/{case.id}"
    with recorded() as seen:
        page = client.get(url)
    assert page.status_code == 200 and "Called." in page.get_data(as_text=True)
    read = tables_read(seen)
    assert read["cases"] == 1 and read["users"] == 2
    assert {table: times for table, times in read.items() if times > 1 and table != "users"} == {}
    for table in ("clients", "programs", "intakes", "services", "providers"):
        assert read[table] == 0, table  # joined to what they belong to


def test_the_client_page_reads_each_of_its_tables_once(as_user, make_user, make_program, make_case):
    """The client by ID with the visibility rule in one statement, their cases with their
    programs, the timeline's referrals with their providers: nothing read twice."""
    program = make_program()
    sam = make_user(programs=[program])
    case, _goal = planned_case(make_case, program, sam)
    other = make_program()  # a second case, in another program Sam works in too
    sam.programs.append(other)
    cases.open_case(case.client, other, created_by=sam, primary_worker=sam)
    referral = refer(case, a_service(), created_by=sam, today=local_today())
    db.session.commit()
    client, url = as_user(sam), f"/clients/{case.client.display_id}"
    with recorded() as seen:
        page = client.get(url)
    assert page.status_code == 200 and referral.service.provider.name in page.get_data(as_text=True)
    read = tables_read(seen)
    assert {table: times for table, times in read.items() if times > 1} == {}
    for table in ("services", "providers"):
        assert read[table] == 0, table  # joined to the referral, and to the consent
