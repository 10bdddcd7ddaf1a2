"""Text helpers for matching what people type against what was recorded."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_SPACES = re.compile(r"\s+")
_NON_DIGITS = re.compile(r"\D+")
# C0 controls (NUL included), DEL and C1: nothing a person types, and PostgreSQL refuses NUL.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"\r\n?")


def fold(text: str) -> str:
    """Case- and accent-folded, with runs of spaces collapsed: 'José  Núñez' → 'jose nunez'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def phone_digits(phone: str | None) -> str | None:
    if not phone:
        return None
    digits = _NON_DIGITS.sub("", phone)
    return digits[-20:] or None


def clean_line(text: str | None) -> str:
    """One line of user text, trimmed, with control characters removed."""
    if not text:
        return ""
    spaced = _SPACES.sub(" ", text)  # line breaks and tabs become spaces first
    kept = "".join(char for char in spaced if unicodedata.category(char)[0] != "C")
    return _SPACES.sub(" ", kept).strip()


def without_controls(text: str, *, multiline: bool = False) -> str:
    """Text with control characters taken out. A one-line field turns tabs and line breaks into
    spaces; a multi-line one keeps tabs and line breaks (CRLF and CR become LF)."""
    if multiline:
        text = _LINE_BREAKS.sub("\n", text)
        return _CONTROLS.sub(lambda match: match.group() if match.group() in "\t\n" else "", text)
    return _CONTROLS.sub(lambda match: " " if match.group() in "\t\n\r\x0b\x0c" else "", text)


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay
    numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
