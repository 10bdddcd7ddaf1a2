"""Quick intake at /clients/new: one form, one client, one case, consent required, duplicates
checked."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from webapp import client_ids
from webapp.extensions import db
from webapp.models import (
    AuditAction,
    AuditEvent,
    Case,
    Client,
    Consent,
    ConsentMethod,
    Program,
    RiskLevel,
    Role,
    User,
)
from webapp.timeutil import local_today


@dataclass(frozen=True)
class Worker:
    user: User
    program: Program


@pytest.fixture
def worker(make_program, make_user) -> Worker:
    program = make_program("Street Outreach")
    return Worker(make_user(Role.OUTREACH_WORKER, [program]), program)


def form(the_program, **overrides):
    data = {
        "preferred_name": "Dee",
        "legal_name": "",
        "aliases": "Dee Dee",
        "date_of_birth": "",
        "approximate_age": "50",
        "language": "en",
        "phone": "",
        "safe_to_call": "",
        "safe_to_text": "",
        "contact_notes": "",
        "program": str(the_program.id),
        "presenting_circumstances": "Sleeping in the underpass on 5th.",
        "client_priorities": "A safe bed.",
        "strengths": "Knows the van schedule.",
        "consent_given": "y",
        "consent_method": "verbal",
        "next_follow_up_on": (local_today() + timedelta(days=2)).isoformat(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_form_offers_only_my_programs_and_plans_a_follow_up(as_user, worker, make_program):
    make_program("Not Mine")
    page = as_user(worker.user).get("/clients/new").get_data(as_text=True)
    assert "Street Outreach" in page and "Not Mine" not in page
    assert f'value="{(local_today() + timedelta(days=7)).isoformat()}"' in page
    assert 'hx-get="/clients/new/duplicates"' in page


def test_intake_creates_client_consent_and_case_and_audits_it(as_user, worker):
    response = as_user(worker.user).post("/clients/new", data=form(worker.program))
    assert response.status_code == 302
    case = db.session.scalar(sa.select(Case))
    assert response.headers["Location"] == f"/cases/{case.id}"
    client = case.client
    assert client_ids.is_valid(client.persistent_id)
    assert (client.preferred_name, [a.name for a in client.aliases]) == ("Dee", ["Dee Dee"])
    assert client.estimated_birth_year == local_today().year - 50
    assert (case.program_id, case.primary_worker_id, case.risk_level) == (
        worker.program.id,
        worker.user.id,
        RiskLevel.LOW,
    )
    assert case.next_follow_up_on == local_today() + timedelta(days=2)
    assert case.intake.presenting_circumstances == "Sleeping in the underpass on 5th."
    consent = db.session.scalar(sa.select(Consent))
    assert (consent.client_id, consent.method, consent.recorded_by_id) == (
        client.id,
        ConsentMethod.VERBAL,
        worker.user.id,
    )
    audited = {(e.action, e.record_type) for e in db.session.scalars(sa.select(AuditEvent))}
    assert {
        (AuditAction.CREATE, "client"),
        (AuditAction.CREATE, "consent"),
        (AuditAction.CREATE, "case"),
    } <= audited


def test_a_safety_concern_makes_the_case_urgent(as_user, worker):
    as_user(worker.user).post(
        "/clients/new", data=form(worker.program, safety_concern="y", safety_details="Threatened.")
    )
    assert db.session.scalar(sa.select(Case)).risk_level == RiskLevel.URGENT


def test_without_consent_nothing_is_saved_and_everything_typed_is_kept(as_user, worker):
    response = as_user(worker.user).post(
        "/clients/new", data=form(worker.program, consent_given=None)
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="consent_given-error">Ask for consent' in page
    assert (
        'value="Dee"' in page
        and "Sleeping in the underpass on 5th." in page
        and 'value="50"' in page
    )
    assert count(Client) == 0 and count(Case) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("preferred_name", "", "A name or alias is needed"),
        ("program", "", "Choose the program"),
        ("date_of_birth", "2999-01-01", "between 1900 and today"),
        ("date_of_birth", "1850-01-01", "between 1900 and today"),
        ("date_of_birth", "31/02/1990", "Not a valid date"),
        ("approximate_age", "200", "An age from 0 to 120"),
        ("next_follow_up_on", "2001-01-01", "from today on"),
        ("presenting_circumstances", "x" * 10_001, "Field cannot be longer than 10000"),
        ("preferred_name", "x" * 201, "Field cannot be longer than 200"),
        ("consent_method", "telepathy", "Not a valid choice"),
    ],
)
def test_bad_input_is_refused_beside_its_field(as_user, worker, field, value, message):
    response = as_user(worker.user).post(
        "/clients/new", data=form(worker.program, **{field: value})
    )
    assert response.status_code == 422
    error = re.search(rf'id="{field}-error">([^<]*)<', response.get_data(as_text=True))
    assert error and message in error.group(1), response.get_data(as_text=True)[:0]
    assert count(Client) == 0


def test_a_program_the_worker_is_not_in_is_refused(as_user, worker, make_program):
    other = make_program("Other")
    response = as_user(worker.user).post(
        "/clients/new", data=form(worker.program, program=str(other.id))
    )
    assert response.status_code == 422
    assert count(Case) == 0


def test_a_10000_character_note_and_hostile_unicode_names_are_kept_exactly(as_user, worker):
    name = "Zoë \u202eevil\u202c O'Brien <script>alert(1)</script>"
    note = "ñ" * 10_000
    response = as_user(worker.user).post(
        "/clients/new",
        data=form(worker.program, preferred_name=name, presenting_circumstances=note),
    )
    assert response.status_code == 302
    case = db.session.scalar(sa.select(Case))
    assert case.intake.presenting_circumstances == note
    assert "<script>" in case.client.preferred_name
    page = as_user(worker.user).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_a_likely_duplicate_needs_an_explicit_different_person(as_user, worker, make_case):
    known = make_case(
        worker.program,
        worker.user,
        name="José",
        legal_name="José Antonio Núñez",
        date_of_birth=date(1979, 3, 14),
    )
    data = form(
        worker.program,
        preferred_name="Jose",
        legal_name="Nunez Jose",
        approximate_age="",
        date_of_birth="1979-03-14",
    )
    response = as_user(worker.user).post("/clients/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert known.client.display_id in page and "Likely match" in page
    assert "first and last names swapped" in page
    assert 'id="different_person-error">' in page
    assert f'href="/clients/new?client={known.client.display_id}"' in page
    assert count(Client) == 1

    response = as_user(worker.user).post("/clients/new", data={**data, "different_person": "y"})
    assert response.status_code == 302
    assert count(Client) == 2


def test_the_live_check_returns_candidates_with_reasons(as_user, worker, make_case):
    make_case(
        worker.program,
        worker.user,
        name="José",
        legal_name="José Antonio Núñez",
        phone="555-201-4432",
    )
    response = as_user(worker.user).get(
        "/clients/new/duplicates",
        query_string={"preferred_name": "Pepe", "phone": "(555) 201-4432"},
        headers={"HX-Request": "true"},
    )
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<div id="duplicate-candidates"')
    assert "same phone number" in page


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"date_of_birth": "not-a-date", "approximate_age": "-5"},
        {"preferred_name": "x" * 10_000},
    ],
)
def test_the_live_check_takes_odd_input_calmly(as_user, worker, args):
    assert as_user(worker.user).get("/clients/new/duplicates", query_string=args).status_code == 200


def test_a_new_case_for_a_known_client_reuses_their_record(
    as_user, worker, make_case, make_program
):
    known = make_case(worker.program, worker.user, name="Mai")
    page = (
        as_user(worker.user)
        .get(f"/clients/new?client={known.client.display_id}")
        .get_data(as_text=True)
    )
    assert "New case for Mai" in page and 'name="preferred_name"' not in page
    data = form(worker.program)
    for field in (
        "preferred_name",
        "legal_name",
        "aliases",
        "date_of_birth",
        "approximate_age",
        "language",
        "phone",
        "safe_to_call",
        "safe_to_text",
        "contact_notes",
    ):
        data.pop(field)
    response = as_user(worker.user).post(
        f"/clients/new?client={known.client.display_id}", data=data
    )
    assert response.status_code == 302
    assert count(Client) == 1 and count(Case) == 2


def test_staff_outside_the_clients_programs_cannot_start_a_case_for_them(
    as_user, worker, make_case, make_program, make_user
):
    hidden = make_case(make_program("Confidential"), None, name="Hidden")
    assert (
        as_user(worker.user).get(f"/clients/new?client={hidden.client.display_id}").status_code
        == 404
    )


def test_users_in_no_program_cannot_take_intakes(as_user, make_user):
    assert as_user(make_user(Role.SUPERVISOR)).get("/clients/new").status_code == 403
