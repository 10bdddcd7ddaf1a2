"""Jinja filters and the navigation shared by every page."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

from flask import Flask, request, url_for
from flask_login import current_user

from webapp.models import label
from webapp.queries.visibility import is_supervisor_or_admin
from webapp.timeutil import local_today, to_local


class NavItem(NamedTuple):
    endpoint: str
    label: str
    icon: str


# The field worker's four places. An item shows once its blueprint exists.
NAV_ITEMS = (
    NavItem("today.index", "Today", "today"),
    NavItem("clients.search", "Clients", "clients"),
    NavItem("clients.new", "New intake", "intake"),
    NavItem("reminders.index", "Reminders", "reminders"),
)


def local_datetime(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return to_local(moment).strftime("%-d %b %Y, %H:%M")


def local_date(day: date | datetime | None) -> str:
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = to_local(day).date()
    return day.strftime("%-d %b %Y")


def relative_day(day: date | None) -> str:
    """'today', 'tomorrow', '3 days overdue', 'in 5 days'."""
    if day is None:
        return ""
    delta = (day - local_today()).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "1 day overdue"
    if delta < 0:
        return f"{-delta} days overdue"
    return f"in {delta} days"


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
    return label(code, "language")


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        local_datetime=local_datetime,
        local_date=local_date,
        relative_day=relative_day,
        language_name=language_name,
        label=label,
        report_number=report_number,
    )
    # Which links a person is offered follows the same rule their pages follow.
    app.jinja_env.globals["is_supervisor_or_admin"] = is_supervisor_or_admin
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
