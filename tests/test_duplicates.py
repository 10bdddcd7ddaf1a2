"""The duplicate check behind quick intake."""

from datetime import date

import pytest

from webapp.models import Role
from webapp.queries import duplicates
from webapp.queries.duplicates import Person, check
from webapp.timeutil import local_today


@pytest.fixture
def known(make_program, make_user, make_case):
    program = make_program("Street")
    sam = make_user(Role.OUTREACH_WORKER, [program])
    jose = make_case(
        program,
        sam,
        name="José",
        legal_name="José Antonio Núñez",
        date_of_birth=date(1979, 3, 14),
        phone="555-201-4432",
    )
    jon = make_case(
        program,
        sam,
        name="Jon",
        legal_name="Jon Whitehorse",
        estimated_birth_year=local_today().year - 40,
    )
    return {"sam": sam, "jose": jose.client, "jon": jon.client}


def candidates(user, **person):
    result = check(user, Person(**person), local_today())
    return {candidate.client.preferred_name: candidate for candidate in result.candidates}, result


def test_accents_and_case_are_folded(known):
    found, _ = candidates(known["sam"], names=["JOSE NUNEZ"])
    assert found["José"].likely
    assert "same name" in found["José"].reasons


def test_swapped_first_and_last_names_are_caught(known):
    found, _ = candidates(known["sam"], names=["Núñez José"])
    assert "first and last names swapped" in found["José"].reasons
    assert found["José"].likely


def test_names_that_sound_alike_match(known):
    found, _ = candidates(known["sam"], names=["John White-horse"])
    assert "Jon" in found
    assert any("sounds alike" in reason or "same" in reason for reason in found["Jon"].reasons)


def test_a_typo_in_a_long_name_matches(known):
    found, _ = candidates(known["sam"], names=["Jose Nunes"])
    assert found["José"].likely


def test_approximate_age_is_compared_with_a_date_of_birth(known):
    age = local_today().year - 1979
    found, _ = candidates(known["sam"], names=["Jose"], approximate_age=age)
    assert "age fits their date of birth" in found["José"].reasons
    far, _ = candidates(known["sam"], names=["Jose"], approximate_age=age - 20)
    assert far.get("José") is None or far["José"].score < found["José"].score


def test_two_estimated_ages_close_together_count(known):
    found, _ = candidates(known["sam"], names=["Jon"], approximate_age=41)
    assert "similar age" in found["Jon"].reasons


def test_same_date_of_birth_and_phone_make_a_likely_match(known):
    found, _ = candidates(
        known["sam"], names=["Pepe"], date_of_birth=date(1979, 3, 14), phone="(555) 201 4432"
    )
    assert found["José"].likely
    assert {"same date of birth", "same phone number"} <= set(found["José"].reasons)


def test_a_different_date_of_birth_weighs_against(known):
    same, _ = candidates(known["sam"], names=["José Núñez"], date_of_birth=date(1979, 3, 14))
    other, _ = candidates(known["sam"], names=["José Núñez"], date_of_birth=date(1990, 1, 1))
    assert other["José"].score < same["José"].score
    assert not other["José"].likely


def test_unrelated_people_are_not_candidates(known):
    found, result = candidates(known["sam"], names=["Fatima Al-Sayed"], phone="555-999-0000")
    assert found == {} and not result.has_likely


def test_clients_the_user_cannot_see_are_counted_not_shown(
    known, make_program, make_user, make_case
):
    other = make_program("Confidential")
    make_case(other, None, name="Aisha", legal_name="Aisha Rahman", date_of_birth=date(1990, 5, 5))
    found, result = candidates(known["sam"], names=["Aisha Rahman"], date_of_birth=date(1990, 5, 5))
    assert found == {}
    assert result.hidden_likely == 1 and result.has_likely


@pytest.mark.parametrize("name", ["", "   ", "!!!", "\u0000\u202e", "x" * 5000, "陈伟"])
def test_odd_input_never_breaks_the_check(known, name):
    check(known["sam"], Person(names=[name]), local_today())


def test_the_clients_scored_are_those_matching_most_of_what_was_typed(
    make_program, make_user, make_case, monkeypatch
):
    """Only so many candidates are scored; at scale a common first name matches thousands. The
    ones scored are those matching the most words (and the phone), not the first found: the
    person with the very same name, made last, is still caught."""
    monkeypatch.setattr(duplicates, "RETRIEVE_AT_MOST", 3)
    program = make_program("Street")
    sam = make_user(Role.OUTREACH_WORKER, [program])
    for surname in ("Lopez", "Perez", "Ortiz", "Ruiz", "Diaz", "Vega"):
        make_case(program, sam, name=f"Maria {surname}")
    garcia = make_case(program, sam, name="Maria Garcia", phone="555-301-7788").client
    found, _ = candidates(sam, names=["Maria Garcia"])
    assert "Maria Garcia" in found and found["Maria Garcia"].likely
    # A phone number alone outranks a shared first name too.
    by_phone, _ = candidates(sam, names=["Mary Smith"], phone="555 301 7788")
    assert garcia.preferred_name in by_phone
