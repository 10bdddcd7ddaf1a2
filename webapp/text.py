"""Text helpers for matching what people type against what was recorded."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from babel.lists import format_list

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


class Either(tuple):
    """Alternatives put into a Phrase, said as one list in the page's language: "scheduled,
    declined or withdrawn", "programada, rechazada o retirada"."""


def _in_english(value: Any) -> Any:
    if isinstance(value, Either):
        return format_list([str(_in_english(item)) for item in value], style="or", locale="en")
    if isinstance(value, date):
        return f"{value:%-d %b}"
    # A booked appointment (models.referrals.BooksAppointment): its day, time and place.
    return getattr(value, "appointment_line", value)


class Phrase(str):
    """Words made below the web layer (the read side's next step, say), in English, that keep how
    they were made so a page can say them in its own language: the message (marked for
    translation by being written as `Phrase("…")` or `Phrase.counted("…", "…", n)`), and the
    values put into it: numbers, dates, names, or other phrases. Everywhere else it is the English
    string it reads as."""

    message: str
    plural: str | None
    count: int | None
    values: dict[str, Any]
    lowered: bool

    def __new__(cls, message: str, /, **values: Any) -> Phrase:
        return cls._make(message, None, None, values)

    @classmethod
    def counted(cls, singular: str, plural: str, count: int, /, **values: Any) -> Phrase:
        """`%(num)d` in either form is the count."""
        return cls._make(singular, plural, count, values)

    def lower(self) -> Phrase:  # type: ignore[override]
        """The same words in lower case, in whichever language they are said."""
        return self._make(self.message, self.plural, self.count, self.values, lowered=True)

    @classmethod
    def _make(
        cls,
        message: str,
        plural: str | None,
        count: int | None,
        values: dict[str, Any],
        *,
        lowered: bool = False,
    ) -> Phrase:
        words = plural if plural is not None and count != 1 else message
        english = {name: _in_english(value) for name, value in values.items()}
        if count is not None:
            english.setdefault("num", count)
        words = words % english if english else words
        phrase = super().__new__(cls, words.lower() if lowered else words)
        phrase.message, phrase.plural, phrase.count, phrase.values = message, plural, count, values
        phrase.lowered = lowered
        return phrase
