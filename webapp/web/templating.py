"""Jinja filters and the navigation shared by every page."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

from babel.dates import format_date, format_time
from babel.lists import format_list
from flask import Flask, request, url_for
from flask_babel import get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.models import label
from webapp.queries.visibility import is_supervisor_or_admin
from webapp.text import Either, Phrase
from webapp.timeutil import local_today, to_local
from webapp.web.urls import fast_url_for, request_url_builder


class NavItem(NamedTuple):
    endpoint: str
    label: str
    icon: str


# The field worker's four places. An item shows once its blueprint exists.
NAV_ITEMS = (
    NavItem("today.index", _l("Today"), "today"),
    NavItem("clients.search", _l("Clients"), "clients"),
    NavItem("clients.new", _l("New intake"), "intake"),
    NavItem("reminders.index", _l("Reminders"), "reminders"),
)


# '6 Dec 2026' in English, '6 dic 2026' in Spanish: the page's language names the month.
DATE_PATTERN = "d MMM y"


def local_datetime(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = to_local(moment)
    locale = get_locale()
    day = format_date(local.date(), DATE_PATTERN, locale=locale)
    return f"{day}, {format_time(local.time(), 'HH:mm', locale=locale)}"


def local_date(day: date | datetime | None) -> str:
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = to_local(day).date()
    return format_date(day, DATE_PATTERN, locale=get_locale())


def relative_day(day: date | None) -> str:
    """'today', 'tomorrow', '3 days overdue', 'in 5 days'."""
    if day is None:
        return ""
    delta = (day - local_today()).days
    if delta == 0:
        return gettext("today")
    if delta == 1:
        return gettext("tomorrow")
    if delta < 0:
        return ngettext("%(num)d day overdue", "%(num)d days overdue", -delta)
    return ngettext("in %(num)d day", "in %(num)d days", delta)


def say(words: Any) -> Any:
    """A phrase made below the web layer, in the page's language; anything else as it is."""
    if not isinstance(words, Phrase):
        return words
    values = {name: _said(value) for name, value in words.values.items()}
    if words.plural is not None:
        said = ngettext(words.message, words.plural, words.count, **values)
    else:
        said = gettext(words.message, **values)
    return said.lower() if words.lowered else said


def _said(value: Any) -> Any:
    if isinstance(value, Either):
        return format_list([str(_said(item)) for item in value], style="or", locale=get_locale())
    if isinstance(value, Phrase):
        return say(value)
    if isinstance(value, date):
        return short_date(value)
    if hasattr(value, "appointment_line"):
        return appointment_line(value)
    return value


def short_date(day: date) -> str:
    """'13 Dec', '13 dic': a day near enough that its year goes without saying."""
    return format_date(day, "d MMM", locale=get_locale())


def appointment_line(booked: Any) -> str:
    """ "Fri 12 Dec 2026, 10:30, 12 Harbour St" in the page's language, or "" with none booked."""
    if booked.appointment_on is None:
        return ""
    day = format_date(booked.appointment_on, "EEE d MMM y", locale=get_locale())
    if booked.appointment_time:
        day = f"{day}, {format_time(booked.appointment_time, 'HH:mm', locale=get_locale())}"
    return ", ".join(part for part in (day, booked.appointment_place) if part)


def translated_label(value: object, vocabulary: str | None = None) -> str:
    """The words for a stored value (the labels table's), in the page's language. The labels are
    marked with `N_` where they are written, so `make translations` keeps them in the catalogue."""
    words = label(value, vocabulary)
    return gettext(words) if words else words


def report_number(value: Any) -> str:
    """A figure in a report table: thousands separated, one decimal at most, a dash for none."""
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def language_name(code: str | None) -> str:
    return translated_label(code, "language")


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        local_datetime=local_datetime,
        local_date=local_date,
        relative_day=relative_day,
        language_name=language_name,
        label=translated_label,
        say=say,
        appointment_line=appointment_line,
        report_number=report_number,
    )
    # Which links a person is offered follows the same rule their pages follow.
    app.jinja_env.globals["is_supervisor_or_admin"] = is_supervisor_or_admin
    # Lists link every row: one URL built per endpoint, each row's values put in (web.urls).
    app.jinja_env.globals["url_for"] = fast_url_for
    app.context_processor(lambda: {"url_for": request_url_builder()})
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def navigation() -> dict[str, Any]:
        if not current_user.is_authenticated:
            return {"nav_items": []}
        items = [
            {
                "href": url_for(item.endpoint),
                "label": item.label,
                "icon": item.icon,
                "current": request.endpoint == item.endpoint,
            }
            for item in NAV_ITEMS
            if item.endpoint in app.view_functions
        ]
        return {"nav_items": items}
