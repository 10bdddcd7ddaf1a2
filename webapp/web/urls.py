"""`url_for` for pages that link every row of a list: Flask builds one URL per endpoint and
argument names (with marker values), and each row's values are put in their places, quoted as
Werkzeug quotes them. The same string `url_for` returns, without its per-call work (blueprint
look-up, defaults, the rule's builder) a hundred times a page.

Anything this cannot be sure of is left to `url_for` itself: static files (their `?v=` depends on
the file), relative (".view") endpoints, `_external`/`_scheme`/`_method`, a value that is not a
plain string or integer, an endpoint with several rules or rule defaults (Werkzeug chooses among
them by value), a converter that refuses the marker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import quote, quote_plus

from flask import current_app, g, url_for

_STRING_MARK = "wAyMaRk{}zQ"
_NUMBER_MARK = 7_919_000_000_000_000  # + the argument's position; no real id comes near
_PLAIN = (int, str)


class Pattern(NamedTuple):
    pieces: tuple[str, ...]  # the literal text around the values
    names: tuple[str, ...]  # the argument whose value goes after pieces[i]
    quoters: tuple[Callable[[Any], str], ...]


def url_builder() -> Callable[..., str]:
    """A `url_for` for one page: what it learns of an endpoint's URL lasts while the page is
    made, in the request it is made for (a URL depends on the request's host and script root)."""
    patterns: dict[tuple, Pattern | None] = {}

    def build(endpoint: str, **values: Any) -> str:
        """What `url_for(endpoint, **values)` returns."""
        if endpoint == "static" or endpoint[:1] == ".":
            return url_for(endpoint, **values)
        key = (endpoint, *values)
        try:
            pattern = patterns[key]
        except KeyError:
            pattern = patterns[key] = _learn(endpoint, tuple(values))
        if pattern is None:
            return url_for(endpoint, **values)
        parts = [pattern.pieces[0]]
        for name, quoter, piece in zip(
            pattern.names, pattern.quoters, pattern.pieces[1:], strict=True
        ):
            value = values[name]
            if type(value) not in _PLAIN:  # None, True, a date: url_for decides
                return url_for(endpoint, **values)
            parts.append(quoter(value))
            parts.append(piece)
        return "".join(parts)

    return build


def request_url_builder() -> Callable[..., str]:
    """The request's builder: templates are handed it as `url_for` (a context processor), so a
    row's link costs no look-up of where it lives."""
    builder = g.get("_url_builder")
    if builder is None:
        builder = g._url_builder = url_builder()
    return builder


def fast_url_for(endpoint: str, **values: Any) -> str:
    """`url_for` through the request's builder: for macros, imported without the context."""
    return request_url_builder()(endpoint, **values)


def _query_value(value: Any) -> str:
    # werkzeug.urls._urlencode: urlencode(items, safe="!$'()*,/:;?@")
    return quote_plus(str(value), safe="!$'()*,/:;?@")


def _anchor(value: Any) -> str:
    # Flask.url_for's quoting of `_anchor`
    return quote(value, safe="%!#$&'()*+,/:;=?@")


def _learn(endpoint: str, names: tuple[str, ...]) -> Pattern | None:
    if any(name.startswith("_") and name != "_anchor" for name in names):
        return None  # _external, _scheme, _method: url_for's own business
    rules = list(current_app.url_map.iter_rules(endpoint)) if endpoint else []
    if len(rules) != 1 or rules[0].defaults:
        return None
    rule = rules[0]
    converters = getattr(rule, "_converters", None)
    if converters is None:
        return None
    markers: dict[str, Any] = {}
    quoters: dict[str, Callable[[Any], str]] = {}
    for position, name in enumerate(names):
        if name in rule.arguments:
            converter = converters[name]
            number = hasattr(converter, "num_convert")
            markers[name] = _NUMBER_MARK + position if number else _STRING_MARK.format(position)
            quoters[name] = converter.to_url
        elif name == "_anchor":
            markers[name], quoters[name] = _STRING_MARK.format(position), _anchor
        else:
            markers[name], quoters[name] = _STRING_MARK.format(position), _query_value
    try:
        built = url_for(endpoint, **markers)
    except Exception:
        return None
    found = []
    for name, marker in markers.items():
        text = str(marker)
        if built.count(text) != 1:
            return None
        found.append((built.index(text), name, text))
    found.sort()
    pieces, at = [], 0
    for start, _name, text in found:
        pieces.append(built[at:start])
        at = start + len(text)
    pieces.append(built[at:])
    order = tuple(name for _start, name, _text in found)
    return Pattern(tuple(pieces), order, tuple(quoters[name] for name in order))
