"""Persistent client IDs: 8 random Crockford base32 symbols and a check symbol.

Shown as ``XXXX-XXXX-C`` so that an ID can be read over the phone and a typo is caught.
The check symbol is Crockford's: the 40-bit value modulo 37, written with the base32
alphabet followed by ``*~$=U``. Because 37 is prime, every single wrong symbol and every
swap of two neighbouring symbols changes the check.

We only *generate* IDs whose check value falls inside the plain alphabet (32 of 37), so
nobody has to read "tilde" or "dollar" aloud; parsing still accepts the full standard.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"
BODY_LENGTH = 8
CANONICAL_LENGTH = BODY_LENGTH + 1
_VALUE = {symbol: index for index, symbol in enumerate(ALPHABET)}
_CHECK_VALUE = {symbol: index for index, symbol in enumerate(CHECK_ALPHABET)}
# Crockford's decoding rules: look-alikes read as the digit they resemble.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", "-\u2010\u2011\u2012\u2013\u2014\u2212 \t")


class InvalidClientId(ValueError):
    """The text is not a persistent client ID (wrong length, symbol or check)."""


def _value(body: str) -> int:
    value = 0
    for symbol in body:
        value = value * 32 + _VALUE[symbol]
    return value


def check_symbol(body: str) -> str:
    """The check symbol for an 8-symbol body in canonical form."""
    return CHECK_ALPHABET[_value(body) % 37]


def generate() -> str:
    """A new random ID in canonical form (9 symbols, no dashes)."""
    while True:
        number = secrets.randbits(5 * BODY_LENGTH)
        if number % 37 < len(ALPHABET):
            break
    body = "".join(ALPHABET[(number >> (5 * shift)) & 31] for shift in reversed(range(BODY_LENGTH)))
    return body + CHECK_ALPHABET[number % 37]


def parse(text: str) -> str:
    """Canonical form of a typed ID, or InvalidClientId.

    Accepts lower case, missing or extra dashes and spaces, and O/I/L for 0/1/1.
    """
    if not isinstance(text, str) or len(text) > 40:
        raise InvalidClientId("not a client ID")
    compact = text.translate(_SEPARATORS).upper()
    if len(compact) != CANONICAL_LENGTH:
        raise InvalidClientId("a client ID has 9 symbols")
    body = compact[:BODY_LENGTH].translate(_LOOKALIKES)
    check = compact[BODY_LENGTH]
    if check in "OIL":
        check = check.translate(_LOOKALIKES)
    if any(symbol not in _VALUE for symbol in body) or check not in _CHECK_VALUE:
        raise InvalidClientId("a client ID uses only digits and letters other than I, L, O and U")
    if check_symbol(body) != check:
        raise InvalidClientId("the check symbol does not match: a symbol may be mistyped")
    return body + check


def is_valid(text: str) -> bool:
    try:
        parse(text)
    except InvalidClientId:
        return False
    return True


def display(canonical: str) -> str:
    """``ABCDEFGHJ`` → ``ABCD-EFGH-J``."""
    return f"{canonical[:4]}-{canonical[4:8]}-{canonical[8:]}"
