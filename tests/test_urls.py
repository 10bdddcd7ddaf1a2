"""The URL builder list pages use (`web.urls.fast_url_for`) writes exactly what `url_for` writes,
for every route the app has, with values that need quoting."""

from __future__ import annotations

import pytest
from flask import url_for

from webapp.web import urls

AWKWARD = "Zoë & co/ 50%?#x=1"


def _values(rule, awkward: str) -> dict:
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        values[name] = 42 if hasattr(converter, "num_convert") else awkward
    return values


@pytest.mark.parametrize("awkward", ["ABCD-1234-5", AWKWARD, "été"])
def test_every_route_is_built_as_url_for_builds_it(app, awkward):
    with app.test_request_context("/", base_url="https://waymark.example/prefix"):
        checked = 0
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static":
                continue
            values = _values(rule, awkward)
            for extra in ({}, {"next": "/cases/3?x=a b&y=ü"}, {"_anchor": "goal-3 é#x"}):
                try:
                    expected = url_for(rule.endpoint, **values, **extra)
                except Exception:
                    continue
                # Twice: the first learns the pattern, the second uses it.
                assert urls.fast_url_for(rule.endpoint, **values, **extra) == expected
                assert urls.fast_url_for(rule.endpoint, **values, **extra) == expected
                checked += 1
        assert checked > 100


def test_the_same_pattern_serves_every_row(app):
    with app.test_request_context("/"):
        built = [urls.fast_url_for("cases.view", case_id=number) for number in range(1, 300)]
        assert built == [url_for("cases.view", case_id=number) for number in range(1, 300)]
        assert urls.fast_url_for("contacts.for_case", case_id=7, next="/") == url_for(
            "contacts.for_case", case_id=7, next="/"
        )


@pytest.mark.parametrize(
    "endpoint, values",
    [
        ("static", {"filename": "css/app.css"}),
        ("cases.view", {"case_id": 3, "_external": True}),
        ("cases.view", {"case_id": True}),
        ("contacts.for_case", {"case_id": 3, "next": None}),
    ],
)
def test_what_it_cannot_be_sure_of_is_left_to_url_for(app, endpoint, values):
    with app.test_request_context("/"):
        assert urls.fast_url_for(endpoint, **values) == url_for(endpoint, **values)


def test_templates_use_it(app):
    assert app.jinja_env.globals["url_for"] is urls.fast_url_for


def test_pages_are_handed_the_requests_builder(app):
    with app.test_request_context("/"):
        rendered = app.jinja_env.from_string(
            "{{ url_for('cases.view', case_id=3) }} {{ url_for is sameas builder }}"
        ).render(builder=urls.request_url_builder(), **_context(app))
        assert rendered == f"{url_for('cases.view', case_id=3)} True"


def _context(app):
    context: dict = {}
    app.update_template_context(context)
    return context
