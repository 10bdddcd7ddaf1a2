"""Every word a page shows can be translated (issue 18, item 16): the templates hold no user-visible
text outside a gettext call, and the Spanish catalogue translates every marked string."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from jinja2 import Environment, nodes

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "webapp" / "templates"
TRANSLATIONS = ROOT / "webapp" / "translations"

# A Jinja expression or statement, as the HTML scan sees it: not words.
HOLE = "\x00"
# Attributes a person reads or hears.
READ_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt", "aria-description"}
# Text that is not words: the brand, symbols, numbers, punctuation.
NOT_WORDS = re.compile(r"Waymark|[^A-Za-zÀ-ÿ]")
# Values a form posts, never read as words.
FORM_VALUES = {"yes", "no", "y", "n", "true", "false", "on", "off"}
# Keyword arguments of macro calls that end up on the page.
READ_KEYWORDS = {"hint", "label", "title", "placeholder", "aria_label", "legend", "summary"}
GETTEXT = {"_", "gettext", "ngettext", "_l", "pgettext", "npgettext"}


def _has_words(text: str) -> bool:
    return bool(NOT_WORDS.sub("", text.replace(HOLE, "")))


class _Reader(HTMLParser):
    """The text nodes and the read attributes of a page whose Jinja parts are holes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        attributes = dict(attrs)
        for name, value in attrs:
            if value and name in READ_ATTRIBUTES and _has_words(value):
                self.found.append(f'{name}="{value}"')
        if (
            tag in ("input", "button")
            and attributes.get("type") in ("submit", "button", "reset")
            and _has_words(attributes.get("value") or "")
        ):
            self.found.append(f'value="{attributes["value"]}"')

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        # An attribute list cut by a `{% if %}` inside a tag reads as text: not words.
        # So does a tag whose name is followed by a `{% if %}`.
        if (
            not self._skip
            and _has_words(data)
            and not re.search(r"[\w-]+=\"", data)
            and not re.match(r"\s*<\w+", data)
        ):
            self.found.append(data.strip())


def _holed(env: Environment, source: str) -> str:
    """The template's literal text, every Jinja part replaced by a hole."""
    parts, inside = [], False
    for _, kind, value in env.lex(source):
        if kind == "data":
            parts.append(value)
            inside = False
        elif kind != "comment" and not kind.startswith("comment") and not inside:
            parts.append(HOLE)
            inside = True
        if kind.endswith("_end"):
            inside = False
    return "".join(parts)


def _literal_strings(env: Environment, source: str) -> list[str]:
    """String constants that reach the page from inside `{{ }}`: printed directly, chosen by an
    `if`, or handed to a macro as its label or hint; strings inside a gettext call are fine."""
    found: list[str] = []

    def collect(node, printed: bool, into: list[str]) -> None:
        nonlocal found
        outer, found = found, into
        try:
            visit(node, printed)
        finally:
            found = outer

    def visit(node, printed: bool) -> None:
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name):
            if node.node.name in GETTEXT:
                return
            for keyword in node.kwargs:
                visit(keyword.value, keyword.key in READ_KEYWORDS)
            for argument in node.args:
                visit(argument, False)
            return
        if isinstance(node, (nodes.Call, nodes.Filter, nodes.Test, nodes.Getattr, nodes.Getitem)):
            # A filter on a string literal, an attribute, a function's argument: not shown as is
            # (except a printed literal piped through a filter, checked below).
            if isinstance(node, nodes.Filter) and printed and node.node is not None:
                visit(node.node, printed)
            for child in node.iter_child_nodes():
                if child is not getattr(node, "node", None):
                    visit(child, False)
            return
        if isinstance(node, nodes.Const) and isinstance(node.value, str):
            if printed and _has_words(node.value) and node.value not in FORM_VALUES:
                found.append(node.value)
            return
        if isinstance(node, (nodes.CondExpr, nodes.Concat, nodes.Add, nodes.Or, nodes.And)):
            for child in node.iter_child_nodes():
                test = isinstance(node, nodes.CondExpr) and child is node.test
                visit(child, printed and not test)
            return
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                visit(child, not isinstance(child, nodes.TemplateData))
            return
        if isinstance(node, nodes.Assign):
            # `{% set title = "…" %}` is usually shown later; a class name or an id part is not.
            assigned: list[str] = []
            collect(node.node, True, assigned)
            found.extend(text for text in assigned if _prose(text))
            return
        for child in node.iter_child_nodes():
            visit(child, False)

    visit(env.parse(source), False)
    return found


def _prose(text: str) -> bool:
    """Words rather than a class name, a colour or an id's part: a capital, or two words."""
    return bool(re.search(r"[A-Z][a-z]", text) or len(re.findall(r"[a-z]{2,}", text)) > 1) and not (
        text.startswith(("-", "_", "#"))
    )


def untranslated(env: Environment, source: str) -> list[str]:
    reader = _Reader()
    reader.feed(_holed(env, source))
    reader.close()
    return [text.replace(HOLE, "…") for text in reader.found] + _literal_strings(env, source)


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


@pytest.fixture(scope="module")
def env() -> Environment:
    from webapp import create_app

    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}).jinja_env


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_every_word_in_a_template_is_marked_for_translation(env, path):
    assert untranslated(env, path.read_text()) == []


def test_the_check_finds_unmarked_words(env):
    """The check can fail: text, a read attribute, a submit value, a printed or chosen literal and
    a macro's hint are each caught; marked words, symbols, numbers and the brand pass."""
    source = (
        '<h1>Cases</h1><p title="Open it">{{ _("Fine") }}</p>'
        '<input type="submit" value="Save">{{ "Not assigned" if x else _("Fine") }}'
        '{{ render_field(form.a, hint="Say why") }}{{ "Printed" }}'
        "<p>Waymark · 3 → {{ count }} – {{ _('Marked %(n)s', n=1) }}</p>"
        '<a aria-label="{{ _("Fine") }}" href="/x">{{ name }}</a><script>var a = "words";</script>'
    )
    assert untranslated(env, source) == [
        "Cases",
        'title="Open it"',
        'value="Save"',
        "Not assigned",
        "Say why",
        "Printed",
    ]


def _catalogue(path: Path):
    with path.open("rb") as file:
        return read_po(file)


def test_the_spanish_catalogue_translates_every_marked_string():
    template = _catalogue(TRANSLATIONS / "messages.pot")
    spanish = _catalogue(TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po")
    missing = []
    for message in template:
        if not message.id:
            continue
        translated = spanish.get(message.id)
        strings = (
            translated.string
            if translated is not None and isinstance(translated.string, tuple)
            else (translated.string,)
            if translated is not None
            else ("",)
        )
        if translated is None or translated.fuzzy or not all(strings):
            missing.append(message.id)
    assert missing == []


def test_the_compiled_catalogue_matches_the_spanish_one():
    """The .mo the app reads was compiled from the .po as committed (`make translations`)."""
    from babel.messages.mofile import read_mo

    po = TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po"
    with po.with_suffix(".mo").open("rb") as file:
        compiled = read_mo(file)
    source = _catalogue(po)
    assert {m.id: m.string for m in compiled if m.id} == {
        m.id: m.string for m in source if m.id and not m.fuzzy
    }
