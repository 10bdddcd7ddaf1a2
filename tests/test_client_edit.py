"""Correcting a client's details, and what happens when two people edit at once."""

import re
from dataclasses import dataclass

import pytest

from webapp.extensions import db
from webapp.models import Client, Role, User


@dataclass(frozen=True)
class Setup:
    sam: User
    ngozi: User
    client: Client


@pytest.fixture
def setup(make_program, make_user, make_case) -> Setup:
    program = make_program()
    sam = make_user(Role.OUTREACH_WORKER, [program])
    ngozi = make_user(Role.OUTREACH_WORKER, [program])
    case = make_case(program, sam, name="Jose", legal_name="Jose Nunez", phone="555-0100")
    return Setup(sam, ngozi, case.client)


def form_of(client_session, url):
    page = client_session.get(url).get_data(as_text=True)
    values = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page))
    values.update({"safe_to_call": "", "safe_to_text": "", "language": "", "contact_notes": ""})
    return values


def test_a_worker_corrects_a_name_and_search_follows(as_user, setup):
    url = f"/clients/{setup.client.display_id}/edit"
    data = form_of(as_user(setup.sam), url)
    data.update(preferred_name="José", legal_name="José Antonio Núñez", aliases="Pepe")
    response = as_user(setup.sam).post(url, data=data)
    assert response.status_code == 302
    saved = db.session.get(Client, setup.client.id)
    assert (saved.preferred_name, saved.legal_name, [a.name for a in saved.aliases]) == (
        "José",
        "José Antonio Núñez",
        ["Pepe"],
    )
    assert "Pepe" in as_user(setup.sam).get("/clients?q=pepe").get_data(as_text=True)


def test_a_stale_save_shows_both_versions_and_keeps_the_input(as_user, setup):
    url = f"/clients/{setup.client.display_id}/edit"
    sams_form = form_of(as_user(setup.sam), url)
    ngozis_form = form_of(as_user(setup.ngozi), url)
    ngozis_form.update(phone="555-0199")
    assert as_user(setup.ngozi).post(url, data=ngozis_form).status_code == 302

    sams_form.update(phone="555-0123", contact_notes="Calls after 6 pm only.")
    response = as_user(setup.sam).post(url, data=sams_form)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else saved this record" in page
    assert "555-0199" in page and "555-0123" in page and "Calls after 6 pm only." in page
    assert db.session.get(Client, setup.client.id).phone == "555-0199"  # not overwritten

    resend = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', page))
    assert as_user(setup.sam).post(url, data=resend).status_code == 302  # "save mine over theirs"
    assert db.session.get(Client, setup.client.id).phone == "555-0123"


def test_bad_edits_are_refused_beside_the_field(as_user, setup):
    url = f"/clients/{setup.client.display_id}/edit"
    data = form_of(as_user(setup.sam), url)
    for field, value in (
        ("preferred_name", ""),
        ("date_of_birth", "2999-01-01"),
        ("approximate_age", "-3"),
    ):
        response = as_user(setup.sam).post(url, data={**data, field: value})
        assert response.status_code == 422 and f'id="{field}-error">' in response.get_data(
            as_text=True
        )
    assert as_user(setup.sam).post(url, data={**data, "version": "x"}).status_code == 400
    assert db.session.get(Client, setup.client.id).preferred_name == "Jose"


def test_only_those_who_may_see_the_client_may_edit(as_user, setup, make_user, make_program):
    outsider = as_user(make_user(Role.CASE_MANAGER, [make_program("Other")]))
    assert outsider.get(f"/clients/{setup.client.display_id}/edit").status_code == 404
    assert (
        outsider.post(
            f"/clients/{setup.client.display_id}/edit", data={"preferred_name": "X", "version": "1"}
        ).status_code
        == 404
    )
