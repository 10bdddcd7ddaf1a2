"""Persistent client IDs: generation, display and forgiving-but-safe parsing."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webapp import client_ids
from webapp.client_ids import ALPHABET, InvalidClientId

bodies = st.text(alphabet=ALPHABET, min_size=8, max_size=8)


def canonical(body: str) -> str:
    return body + client_ids.check_symbol(body)


def test_known_check_symbols_follow_crockford_mod_37():
    assert client_ids.check_symbol("00000000") == "0"
    assert client_ids.check_symbol("0000000Z") == "Z"  # 31
    assert client_ids.check_symbol("00000010") == "*"  # 32
    assert client_ids.check_symbol("00000014") == "U"  # 36
    assert client_ids.check_symbol("00000015") == "0"  # 37


def test_generated_ids_are_canonical_valid_and_readable_aloud():
    for _ in range(500):
        generated = client_ids.generate()
        assert len(generated) == 9
        assert all(symbol in ALPHABET for symbol in generated)  # never *, ~, $, = or U
        assert client_ids.parse(generated) == generated


def test_generated_ids_are_random_not_sequential():
    assert len({client_ids.generate() for _ in range(1000)}) == 1000


def test_display_groups_four_four_and_check():
    assert client_ids.display("ABCDEFGH2") == "ABCD-EFGH-2"


@given(bodies)
def test_display_form_round_trips(body):
    shown = client_ids.display(canonical(body))
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z*~$=U]", shown)
    assert client_ids.parse(shown) == canonical(body)


@given(bodies)
def test_parse_accepts_lower_case_and_missing_dashes(body):
    expected = canonical(body)
    assert client_ids.parse(expected.lower()) == expected
    assert client_ids.parse(client_ids.display(expected).lower()) == expected
    assert client_ids.parse(" " + client_ids.display(expected).replace("-", " ") + " ") == expected


@given(bodies, st.data())
def test_parse_reads_look_alikes_as_digits(body, data):
    expected = canonical(body)
    typed = (
        "".join(
            data.draw(st.sampled_from(["O", "o"]))
            if symbol == "0"
            else data.draw(st.sampled_from(["I", "i", "L", "l"]))
            if symbol == "1"
            else symbol
            for symbol in expected[:8]
        )
        + expected[8]
    )
    assert client_ids.parse(typed) == expected


@given(bodies, st.integers(0, 7), st.sampled_from(ALPHABET))
def test_any_single_wrong_symbol_is_caught(body, position, replacement):
    good = canonical(body)
    if good[position] == replacement:
        return
    typo = good[:position] + replacement + good[position + 1 :]
    with pytest.raises(InvalidClientId):
        client_ids.parse(typo)


@given(bodies, st.integers(0, 7))
def test_swapping_neighbours_is_caught(body, position):
    good = canonical(body)
    swapped = list(good)
    swapped[position], swapped[position + 1] = swapped[position + 1], swapped[position]
    swapped_text = "".join(swapped)
    if swapped_text == good:
        return
    with pytest.raises(InvalidClientId):
        client_ids.parse(swapped_text)


@given(bodies)
def test_a_wrong_check_symbol_is_rejected(body):
    good = canonical(body)
    for check in client_ids.CHECK_ALPHABET:
        if check != good[8]:
            with pytest.raises(InvalidClientId):
                client_ids.parse(good[:8] + check)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ABCD-EFGH",
        "ABCD-EFGH-JK",
        "ABCD-EFGU-0",
        "ABCD-EF!H-0",
        "ÄBCD-EFGH-0",
        "x" * 100,
        "ABCD\nEFGH0",
    ],
)
def test_malformed_text_is_not_an_id(text):
    assert not client_ids.is_valid(text)
    with pytest.raises(InvalidClientId):
        client_ids.parse(text)
