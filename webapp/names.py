"""Breaking names into folded words with sound codes, for search and duplicate checks."""

from __future__ import annotations

import re
from dataclasses import dataclass

import jellyfish

from webapp.text import fold

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_TOKEN_LENGTH = 100


@dataclass(frozen=True)
class NameToken:
    token: str
    metaphone: str
    nysiis: str


def words(name: str) -> list[str]:
    """Folded words of a name: "Núñez-Villalobos, José" → ["nunez", "villalobos", "jose"]."""
    return [word[:MAX_TOKEN_LENGTH] for word in _WORD.findall(fold(name))]


def sound_codes(word: str) -> tuple[str, str]:
    """(metaphone, NYSIIS) of a Latin-script word; empty for other scripts, which match exactly."""
    if not word.isascii():
        return "", ""
    try:
        return jellyfish.metaphone(word)[:40], jellyfish.nysiis(word)[:40]
    except (ValueError, IndexError):
        return "", ""


def tokens_of(names: list[str]) -> list[NameToken]:
    seen: dict[str, NameToken] = {}
    for name in names:
        for word in words(name):
            if word not in seen:
                seen[word] = NameToken(word, *sound_codes(word))
    return list(seen.values())
