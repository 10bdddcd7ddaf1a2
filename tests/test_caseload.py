"""The caseload the phone keeps for offline reading: each of the worker's open cases as a card
(name, ID, program, next step, follow-up due, the last contact in one line, open referrals), and
nothing more personal than that."""

from __future__ import annotations

from datetime import time, timedelta

from tests.lifecycle import a_service, planned_case, refer
from webapp.extensions import db
from webapp.models import (
    Case,
    ConfirmationMethod,
    ContactType,
    Provider,
    ReferralStatus,
    Role,
    Service,
    utcnow,
)
from webapp.queries.case_state import load_state
from webapp.queries.next_step import next_step
from webapp.services import cases, referrals
from webapp.timeutil import local_today
from webapp.web.templating import say


def test_each_card_says_what_a_worker_needs_before_walking_up(
    as_user, make_program, make_user, make_case
):
    program = make_program("Street")
    sam = make_user(Role.OUTREACH_WORKER, [program])
    case = make_case(
        program, sam, name="Brian", legal_name="Brian Secret-Legalname", follow_up_in_days=2
    )
    make_case(program, make_user(Role.OUTREACH_WORKER, [program]), name="Not Sam's")
    cases.log_contact(
        case,
        recorded_by=sam,
        occurred_at=utcnow() - timedelta(days=3),
        contact_type=ContactType.PHONE,
        note="An older call.",
    )
    cases.log_contact(
        case,
        recorded_by=sam,
        occurred_at=utcnow() - timedelta(hours=2),
        contact_type=ContactType.STREET_OUTREACH,
        note="Met by the library; asked about the dental clinic "
        + "x" * 200
        + "\nSecond line private.",
        next_follow_up_on=local_today() + timedelta(days=2),
    )
    service = Service(
        name="Shelter bed", category="housing", provider=Provider(name="Harbor Light")
    )
    db.session.add(service)
    db.session.flush()
    refer(case, service, created_by=sam, today=local_today())
    db.session.commit()

    data = as_user(sam).get("/offline/caseload.json").get_json()
    [card] = data["cases"]
    assert (card["name"], card["client_id"], card["program"]) == (
        "Brian",
        case.client.display_id,
        "Street",
    )
    assert card["next_step"] and card["phase"]
    assert card["follow_up_on"] == (local_today() + timedelta(days=2)).isoformat()
    last = card["last_contact"]
    assert last["type"] == "Street outreach" and last["line"].startswith("Met by the library")
    assert len(last["line"]) <= 80 and last["line"].endswith("…")
    assert [(r["provider"], r["status_label"]) for r in card["referrals"]] == [
        ("Harbor Light", "Sent")
    ]
    text = str(data)
    assert "Secret-Legalname" not in text and "Second line private" not in text
    assert "date_of_birth" not in text and "older call" not in text


def test_a_case_without_contacts_says_so(as_user, make_program, make_user, make_case):
    program = make_program("Street")
    sam = make_user(Role.OUTREACH_WORKER, [program])
    make_case(program, sam, name="Brian")
    [card] = as_user(sam).get("/offline/caseload.json").get_json()["cases"]
    assert card["last_contact"] is None and card["referrals"] == []


def test_a_card_carries_the_appointment_and_the_providers_address_for_the_kept_form(
    as_user, make_program, make_user, make_case
):
    program = make_program("Street")
    sam = make_user(Role.OUTREACH_WORKER, [program])
    case = make_case(program, sam, name="Brian")
    service = Service(
        name="Shelter bed",
        category="housing",
        provider=Provider(name="Harbor Light", address="1 Pier Road"),
    )
    db.session.add(service)
    db.session.flush()
    sent = refer(case, service, created_by=sam, today=local_today())
    booked = refer(case, service, created_by=sam, today=local_today())
    on = local_today() + timedelta(days=4)
    referrals.change_status(
        booked,
        ReferralStatus.SCHEDULED,
        confirmed_by=sam,
        method=ConfirmationMethod.PHONE,
        appointment=referrals.Appointment(on, time(11, 0), "Side door"),
    )
    db.session.commit()
    [card] = as_user(sam).get("/offline/caseload.json").get_json()["cases"]
    assert {r["id"]: (r["address"], r["appointment"]) for r in card["referrals"]} == {
        sent.id: ("1 Pier Road", ""),
        booked.id: ("1 Pier Road", f"{on:%a %-d %b %Y}, 11:00, Side door"),
    }


def test_the_caseload_sent_to_the_phone_and_today_are_audited_as_views(
    as_user, make_program, make_user, make_case
):
    """A client's card copied to the phone, or their name on Today, is a read of their record:
    a view of each client, as a search's results are; nobody else's."""
    import sqlalchemy as sa

    from webapp.models import AuditAction, AuditEvent

    program = make_program("Street")
    sam = make_user(Role.OUTREACH_WORKER, [program])
    due = make_case(program, sam, name="Brian", follow_up_in_days=0)
    later = make_case(program, sam, name="Dana", follow_up_in_days=5)
    other = make_case(program, make_user(Role.OUTREACH_WORKER, [program]), name="Not Sam's")
    db.session.commit()

    def seen(path):
        db.session.expire_all()
        return set(
            db.session.scalars(
                sa.select(AuditEvent.record_id).where(
                    AuditEvent.user_id == sam.id,
                    AuditEvent.action == AuditAction.VIEW,
                    AuditEvent.record_type == "client",
                    AuditEvent.path == path,
                )
            )
        )

    client = as_user(sam)
    assert client.get("/offline/caseload.json").status_code == 200
    assert seen("/offline/caseload.json") == {str(due.client_id), str(later.client_id)}
    page = client.get("/").get_data(as_text=True)
    assert "Brian" in page and "Dana" not in page
    assert seen("/") == {str(due.client_id)}
    assert str(other.client_id) not in seen("/") | seen("/offline/caseload.json")


def test_the_kept_caseload_runs_as_many_statements_for_twice_the_cases(
    app, as_user, make_program, make_user, make_case, count_queries
):
    """Each case's state is read for all the cases at once: a full caseload costs no more
    statements than a small one (it once read every case's records one case at a time)."""
    program = make_program("Street")
    sam = make_user(Role.OUTREACH_WORKER, [program])
    client = as_user(sam)
    service = a_service()

    def add_cases(count):
        for number in range(count):
            case, _goal = planned_case(make_case, program, sam, name=f"Client {number}")
            refer(case, service, created_by=sam, today=local_today())
            make_case(program, sam, name=f"Street {number}")  # an intake with nothing more
            cases.log_contact(
                case,
                recorded_by=sam,
                occurred_at=utcnow() - timedelta(hours=number + 1),
                contact_type=ContactType.PHONE,
                note=f"Call {number}",
            )
        db.session.commit()

    def statements():
        with count_queries() as queries:
            cards = client.get("/offline/caseload.json").get_json()["cases"]
        return queries(), cards

    add_cases(3)
    few, _ = statements()
    add_cases(3)
    many, cards = statements()
    assert len(cards) == 12 and many == few
    # Read together, each case's next step is still its own.
    with app.test_request_context():
        for card in cards:
            state = load_state(db.session.get_one(Case, card["id"]))
            assert card["next_step"] == say(next_step(state, local_today()))
            assert [r["id"] for r in card["referrals"]] == [r.id for r in state.open_referrals]
