"""Quick intake with the people who live with the client (issue 19): repeating rows, one
household, each row a member who is not a client; bad rows refused beside their field with
everything typed kept."""

import sqlalchemy as sa

from tests.test_intake import form, worker  # noqa: F401  (fixture)
from webapp.extensions import db
from webapp.models import Client, Household, HouseholdMember, RelationshipKind
from webapp.timeutil import local_today

ROWS = {
    "members-0-name": "Marco",
    "members-0-relationship": "partner",
    "members-0-age_or_year": "41",
    "members-1-name": "Lucia",
    "members-1-relationship": "child",
    "members-1-age_or_year": "7",
    # A row added and left empty is skipped.
    "members-2-name": "",
    "members-2-relationship": "",
    "members-2-age_or_year": "",
    "members-3-name": "Tomás",
    "members-3-relationship": "child",
    "members-3-age_or_year": "2019",
}


def test_an_intake_with_three_people_who_live_with_the_client_makes_their_household(
    as_user,
    worker,  # noqa: F811
):
    response = as_user(worker.user).post(
        "/clients/new",
        data=form(worker.program, preferred_name="Maria", household_name="12 Elm St", **ROWS),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    maria = db.session.scalar(sa.select(Client).where(Client.preferred_name == "Maria"))
    household = db.session.scalar(sa.select(Household))
    assert household.name == "12 Elm St"
    people = {
        (member.name, member.relationship, member.birth_year, member.client_id)
        for member in household.members
    }
    year = local_today().year
    assert people == {
        ("", None, None, maria.id),
        ("Marco", RelationshipKind.PARTNER, year - 41, None),
        ("Lucia", RelationshipKind.CHILD, year - 7, None),
        ("Tomás", RelationshipKind.CHILD, 2019, None),
    }
    # Nobody but Maria got a client record (and so a persistent ID).
    assert db.session.scalar(sa.select(sa.func.count(Client.id))) == 1
    page = as_user(worker.user).get(f"/clients/{maria.display_id}").get_data(as_text=True)
    assert "12 Elm St" in page and "Lucia" in page and "Tomás" in page


def test_without_a_household_name_it_takes_the_clients_name(as_user, worker):  # noqa: F811
    response = as_user(worker.user).post(
        "/clients/new",
        data=form(worker.program, preferred_name="Maria", **{"members-0-name": "Lucia"}),
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Household.name)) == "Maria"


def test_an_intake_without_rows_makes_no_household(as_user, worker):  # noqa: F811
    response = as_user(worker.user).post(
        "/clients/new", data=form(worker.program, **{"members-0-name": ""})
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Household.id))) == 0


def test_a_bad_row_is_refused_beside_its_field_and_every_row_is_kept(as_user, worker):  # noqa: F811
    rows = {**ROWS, "members-1-age_or_year": "300", "members-3-name": ""}
    response = as_user(worker.user).post("/clients/new", data=form(worker.program, **rows))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="members-1-age_or_year-error">An age from 0 to 120, or a year of birth.' in page
    assert 'id="members-3-name-error">A name for this person, or leave the row empty.' in page
    assert 'value="Marco"' in page and 'value="Lucia"' in page
    assert db.session.scalar(sa.select(sa.func.count(Client.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(HouseholdMember.id))) == 0


def test_too_many_rows_or_odd_ones_are_a_clear_4xx(as_user, worker):  # noqa: F811
    many = {f"members-{index}-name": f"Person {index}" for index in range(13)}
    response = as_user(worker.user).post("/clients/new", data=form(worker.program, **many))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "At most 12 people here" in page and 'value="Person 12"' in page
    odd = {"members-999999-name": "x" * 201, "members-x-name": "Lucia"}
    response = as_user(worker.user).post("/clients/new", data=form(worker.program, **odd))
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Client.id))) == 0


def test_the_form_and_its_offline_shell_carry_the_row_template(as_user, worker):  # noqa: F811
    for url in ("/clients/new", "/forms/intake"):
        page = as_user(worker.user).get(url).get_data(as_text=True)
        assert '<template id="members-row">' in page, url
        assert 'name="members-__index__-name"' in page, url
        assert 'data-add-row="members"' in page, url
