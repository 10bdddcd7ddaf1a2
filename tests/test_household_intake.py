"""Quick intake with the people who live with the client (issue 19): repeating rows, one
household, each row a member who is not a client; bad rows refused beside their field with
everything typed kept."""

import re
import uuid
from datetime import timedelta

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


# Someone who lives with the client may become a client too, with the same intake: their own
# record, an ID made on the phone for them, consent and a case of their own.
PARTNER_IS_A_CLIENT = {
    "members-0-name": "Marco",
    "members-0-relationship": "partner",
    "members-0-age_or_year": "41",
    "members-0-becomes_client": "y",
    "members-1-name": "Lucia",
    "members-1-relationship": "child",
    "members-1-age_or_year": "7",
}


def _phone_id() -> str:
    from webapp import client_ids

    return client_ids.display(client_ids.generate())


def test_a_row_ticked_also_a_client_gets_their_own_record_case_and_consent(as_user, worker):  # noqa: F811
    from webapp.models import Case, ConsentScope, HouseholdMember

    marco_id = _phone_id()
    data = form(
        worker.program,
        preferred_name="Maria",
        **PARTNER_IS_A_CLIENT,
        **{"members-0-persistent_id": marco_id},
    )
    headers = {"Idempotency-Key": str(uuid.uuid4()), "X-Waymark-Outbox": "1"}
    answer = as_user(worker.user).post("/clients/new", data=data, headers=headers).get_json()
    assert answer["saved"] is True and answer["client_id_reissued"] is None

    marco = db.session.scalar(sa.select(Client).where(Client.preferred_name == "Marco"))
    assert marco.display_id == marco_id  # the ID the phone made for him is his
    assert marco.estimated_birth_year == local_today().year - 41
    [case] = marco.cases
    assert case.program_id == worker.program.id and case.primary_worker_id == worker.user.id
    assert case.next_follow_up_on == local_today() + timedelta(days=2)
    assert [c.scope for c in marco.consents] == [ConsentScope.DATA_COLLECTION]
    assert marco.consents[0].case_id == case.id
    # Nothing of Maria's intake is copied onto his case.
    assert case.intake.presenting_circumstances == ""
    # Both live in one household: Marco as a client (no name stored on the membership), Lucia
    # as someone who is not.
    maria = db.session.scalar(sa.select(Client).where(Client.preferred_name == "Maria"))
    members = db.session.scalars(sa.select(HouseholdMember)).all()
    assert {(m.client_id, m.name, m.relationship) for m in members} == {
        (maria.id, "", None),
        (marco.id, "", RelationshipKind.PARTNER),
        (None, "Lucia", RelationshipKind.CHILD),
    }
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 2
    # Shown again where the worker looks: his page and hers.
    his = as_user(worker.user).get(f"/clients/{marco_id}").get_data(as_text=True)
    assert "Maria" in his
    hers = as_user(worker.user).get(f"/clients/{maria.display_id}").get_data(as_text=True)
    assert "Marco" in hers and marco_id in hers


def test_the_online_answer_names_each_new_client(as_user, worker):  # noqa: F811
    data = form(worker.program, preferred_name="Maria", **PARTNER_IS_A_CLIENT)
    page = (
        as_user(worker.user)
        .post("/clients/new", data=data, follow_redirects=True)
        .get_data(as_text=True)
    )
    marco = db.session.scalar(sa.select(Client).where(Client.preferred_name == "Marco"))
    assert f"Also a client now: Marco, client ID {marco.display_id}" in page


def test_taken_phone_made_ids_are_each_reissued_and_said_again_on_a_replay(
    as_user,
    worker,  # noqa: F811
    make_case,
):
    known = make_case(worker.program, worker.user, name="Someone Else").client.display_id
    other = make_case(worker.program, worker.user, name="Another Person").client.display_id
    data = form(
        worker.program,
        preferred_name="Maria",
        persistent_id=known,
        **PARTNER_IS_A_CLIENT,
        **{"members-0-persistent_id": other},
    )
    headers = {"Idempotency-Key": str(uuid.uuid4()), "X-Waymark-Outbox": "1"}
    client = as_user(worker.user)
    first = client.post("/clients/new", data=data, headers=headers).get_json()
    pairs = [pair.split(" ") for pair in first["client_id_reissued"].split(";")]
    maria = db.session.scalar(sa.select(Client).where(Client.preferred_name == "Maria"))
    marco = db.session.scalar(sa.select(Client).where(Client.preferred_name == "Marco"))
    assert pairs == [[known, maria.display_id], [other, marco.display_id]]
    # The answer was lost: the replay says the same, and makes nobody twice.
    again = client.post("/clients/new", data=data, headers=headers).get_json()
    assert again["replayed"] is True and again["client_id_reissued"] == first["client_id_reissued"]
    assert db.session.scalar(sa.select(sa.func.count(Client.id))) == 4
    # Both notes reach the worker who sent it online.
    client.post("/clients/new", data=data, headers={"Idempotency-Key": headers["Idempotency-Key"]})
    page = client.get("/").get_data(as_text=True)
    for old, new in pairs:
        assert f"The ID made on the phone ({old}) was already taken" in page
        assert f"ID is {new}" in page


def test_a_row_that_looks_like_someone_known_is_refused_beside_it_and_nothing_is_saved(
    as_user,
    worker,  # noqa: F811
    make_case,
):
    # A first name and an age alone are not enough to call someone known; a full name is.
    make_case(
        worker.program,
        worker.user,
        name="Marco Rossi",
        estimated_birth_year=local_today().year - 41,
    )
    data = form(
        worker.program,
        preferred_name="Maria",
        **{**PARTNER_IS_A_CLIENT, "members-0-name": "Marco Rossi"},
    )
    response = as_user(worker.user).post("/clients/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="members-0-becomes_client-error">Someone like them may already be known.' in page
    assert "Some answers need another look" in page
    assert 'value="Marco Rossi"' in page and 'value="Lucia"' in page
    assert re.search(r'<input[^>]* checked[^>]* id="members-0-becomes_client"', page)
    assert db.session.scalar(sa.select(sa.func.count(Client.id))) == 1  # the known Marco
    assert db.session.scalar(sa.select(sa.func.count(HouseholdMember.id))) == 0
    # Unticked, he is recorded as someone who lives with her, not as a client.
    data.pop("members-0-becomes_client")
    assert as_user(worker.user).post("/clients/new", data=data).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Client.id))) == 2


def test_also_a_client_needs_a_name_and_a_readable_id_or_gets_another(as_user, worker):  # noqa: F811
    nameless = form(
        worker.program,
        preferred_name="Maria",
        **{"members-0-name": "", "members-0-becomes_client": "y"},
    )
    response = as_user(worker.user).post("/clients/new", data=nameless)
    assert response.status_code == 422
    assert 'id="members-0-name-error">A name for this person' in response.get_data(as_text=True)
    hostile = form(
        worker.program,
        preferred_name="Maria",
        **PARTNER_IS_A_CLIENT,
        **{"members-0-persistent_id": "<script>"},
    )
    headers = {"Idempotency-Key": str(uuid.uuid4()), "X-Waymark-Outbox": "1"}
    answer = as_user(worker.user).post("/clients/new", data=hostile, headers=headers).get_json()
    marco = db.session.scalar(sa.select(Client).where(Client.preferred_name == "Marco"))
    assert answer["client_id_reissued"] == f"<script> {marco.display_id}"
    too_long = form(
        worker.program,
        preferred_name="Ana",
        **PARTNER_IS_A_CLIENT,
        **{"members-0-persistent_id": "x" * 21},
    )
    assert as_user(worker.user).post("/clients/new", data=too_long).status_code == 422


def test_a_known_clients_new_case_has_no_rows_to_tick(as_user, worker, make_case):  # noqa: F811
    dee = make_case(worker.program, worker.user, name="Dee").client
    page = as_user(worker.user).get(f"/clients/new?client={dee.display_id}").get_data(as_text=True)
    assert "becomes_client" not in page


def test_no_one_becomes_a_client_through_an_intake_that_opens_no_case(as_user, worker):  # noqa: F811
    """A full program puts the client on its waiting list, with no case: a row ticked "Also a
    client" is refused beside it (they would be a client no one could see), and nothing is
    written; unticked, the intake goes through as a household member who is not a client."""
    from webapp.models import IntakeScreening

    worker.program.intake_closed = True
    db.session.commit()
    data = form(worker.program, preferred_name="Maria", **PARTNER_IS_A_CLIENT)
    response = as_user(worker.user).post("/clients/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="members-0-becomes_client-error">No case opens with this intake' in page
    assert db.session.scalar(sa.select(sa.func.count(Client.id))) == 0
    data.pop("members-0-becomes_client")
    assert as_user(worker.user).post("/clients/new", data=data).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Client.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(IntakeScreening.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(HouseholdMember.id))) == 3
