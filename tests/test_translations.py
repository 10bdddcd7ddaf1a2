"""Every word a page shows can be translated (issue 18, item 16): the templates hold no user-visible
text outside a gettext call, and the Spanish catalogue translates every marked string."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from jinja2 import Environment, nodes

from tests.lifecycle import add_goal, assess
from webapp.extensions import db
from webapp.models import AuditAction, AuditEvent, Role
from webapp.timeutil import local_today
from webapp.web import i18n
from webapp.web.templating import local_date, relative_day

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "webapp" / "templates"
TRANSLATIONS = ROOT / "webapp" / "translations"

# A Jinja expression or statement, as the HTML scan sees it: not words.
HOLE = "\x00"
# Attributes a person reads or hears.
READ_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt", "aria-description"}
# Text that is not words: the brand, symbols, numbers, punctuation.
NOT_WORDS = re.compile(r"Waymark|%[-+ #0]*\d*(?:\.\d+)?[sdifgx]|[^A-Za-zÀ-ÿ]")
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
            # A <button>'s value is posted, not shown; an <input type="submit">'s is its text.
            tag == "input"
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


def test_the_catalogue_template_holds_every_marked_string(tmp_path):
    """A string marked after the last `make translations` is in no catalogue, so Spanish readers
    get English without any other test noticing: extract afresh, as the Makefile does, and
    compare."""
    root = TRANSLATIONS.parent.parent
    fresh = tmp_path / "messages.pot"
    keywords = ["-k", "_l", "-k", "N_", "-k", "Phrase", "-k", "counted:1,2"]
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "extract",
            "-F",
            str(root / "babel.cfg"),
            *keywords,
            "--no-location",
            "--sort-output",
            "-o",
            str(fresh),
            str(root / "webapp"),
        ],
        check=True,
        capture_output=True,
    )
    marked = {message.id for message in _catalogue(fresh) if message.id}
    committed = {message.id for message in _catalogue(TRANSLATIONS / "messages.pot") if message.id}
    assert sorted(marked - committed, key=str) == [], "run `make translations` and translate"


def test_the_compiled_catalogue_matches_the_spanish_one():
    """The .mo the app reads was compiled from the .po as committed (`make translations`)."""

    po = TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po"
    with po.with_suffix(".mo").open("rb") as file:
        compiled = read_mo(file)
    source = _catalogue(po)

    def pairs(catalogue):
        as_key = lambda value: tuple(value) if isinstance(value, (list, tuple)) else value  # noqa: E731
        return {as_key(m.id): as_key(m.string) for m in catalogue if m.id and not m.fuzzy}

    assert pairs(compiled) == pairs(source)


# --- The staff member's language --------------------------------------------------------------


@pytest.fixture
def worker(make_program, make_user, make_case):

    program = make_program()
    user = make_user(Role.CASE_MANAGER, [program], name="Ana Worker")
    case = make_case(program, user, name="Brian", follow_up_in_days=0)
    assess(case, user)
    add_goal(case, user)
    return user, case


def _choose(client, language: str, **extra):
    return client.post(
        "/account/settings",
        data={"language": language, "time_zone": "", "quiet_from": "", "quiet_until": "", **extra},
    )


def test_english_is_the_default(as_user, worker):
    user, case = worker
    client = as_user(user)
    page = client.get("/today").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Sign out" in page
    assert "Next step:" in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_a_worker_who_chooses_spanish_reads_their_pages_in_spanish(app, as_user, worker):

    user, case = worker
    client = as_user(user)
    response = _choose(client, "es")
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.language == "es"
    # The choice is audited like the rest of the account's settings.
    assert db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == AuditAction.UPDATE,
            AuditEvent.record_type == "user",
            AuditEvent.record_id == str(user.id),
        )
    ).first()

    settings = client.get("/account/settings").get_data(as_text=True)
    assert '<html lang="es">' in settings
    assert "Configuración guardada." in settings
    assert "Idioma, teléfono, zona horaria y horas de silencio" in settings
    assert "Guardar la configuración" in settings

    today = client.get("/today").get_data(as_text=True)
    assert '<html lang="es">' in today
    assert "Cerrar sesión" in today and "Sign out" not in today
    assert ">Hoy<" in today and ">Clientes<" in today

    case_page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Próximo paso:" in case_page
    assert "Registrar contacto" in case_page
    assert "Historial del caso" in case_page
    # A stored value's label is translated where it is shown.
    assert "Evaluación inicial" in case_page

    search = client.get("/clients", query_string={"q": "Nobody-like-this"}).get_data(as_text=True)
    assert "Nombre, alias, teléfono o ID de cliente" in search
    assert "Ningún cliente que usted pueda ver coincide con" in search

    plan = client.get(f"/cases/{case.id}/plan").get_data(as_text=True)
    assert "Plan de servicios" in plan
    assert "Agregar meta" in plan


def test_the_choice_is_the_persons_own(as_user, worker, make_user):

    user, _ = worker
    _choose(as_user(user), "es")
    colleague = make_user(Role.CASE_MANAGER, user.programs)
    assert "Sign out" in as_user(colleague).get("/today").get_data(as_text=True)


def test_with_no_choice_the_browser_decides_among_the_translated_languages(as_user, worker):
    user, _ = worker
    client = as_user(user)
    spanish = client.get("/today", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert "Cerrar sesión" in spanish.get_data(as_text=True)
    french = client.get("/today", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert "Sign out" in french.get_data(as_text=True)
    # A chosen language wins over the browser's.
    _choose(client, "en")
    chosen = client.get("/today", headers={"Accept-Language": "es"})
    assert "Sign out" in chosen.get_data(as_text=True)


def test_back_to_the_browsers_language(as_user, worker):

    user, _ = worker
    client = as_user(user)
    _choose(client, "es")
    _choose(client, "")
    db.session.refresh(user)
    assert user.language is None


def test_an_unknown_language_is_refused_beside_the_field(as_user, worker):

    user, _ = worker
    response = _choose(as_user(user), "fr", time_zone="Europe/Lisbon")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="language-error"' in page
    # What was typed alongside is kept.
    assert '<option selected value="Europe/Lisbon">' in page
    db.session.refresh(user)
    assert user.language is None and user.time_zone is None


def test_the_settings_page_needs_a_signed_in_person(client):
    assert client.get("/account/settings").status_code == 302
    assert client.post("/account/settings", data={"language": "es"}).status_code in (302, 401)


def test_dates_and_counts_follow_the_language(app):

    with app.app_context(), app.test_request_context(headers={"Accept-Language": "es"}):
        assert local_date(date(2026, 12, 6)) == "6 dic 2026"
        assert relative_day(local_today()) == "hoy"
    with app.app_context(), app.test_request_context():
        assert local_date(date(2026, 12, 6)) == "6 Dec 2026"
        assert relative_day(local_today()) == "today"


@pytest.mark.parametrize(
    "header, language",
    [
        ("es-MX, en;q=0.5", "es"),
        ("es-MX,es;q=0.9,en;q=0.5", "es"),
        ("en;q=0.5, es-MX", "es"),
        ("en-GB, es;q=0.8", "en"),
        ("fr-FR, es-AR;q=0.7, en;q=0.6", "es"),
        ("fr-CA, fr;q=0.9", "en"),
        ("es;q=0, en;q=0.1", "en"),
        ("ES_mx", "es"),
        ("*", "en"),
    ],
)
def test_the_browsers_weights_decide_and_a_regional_variant_falls_back_to_its_language(
    app, header, language
):
    """`Accept-Language: es-MX, en;q=0.5` asks for Spanish first: werkzeug's best_match took the
    exact match 'en' over the higher-weighted regional Spanish. Self-intake and staff pages both
    choose through `i18n.choose`."""
    with app.test_request_context(headers={"Accept-Language": header}):
        assert i18n.choose(None) == language


def test_the_self_intake_speaks_the_browsers_regional_spanish(client):
    response = client.get(
        "/i/not-a-real-invitation", headers={"Accept-Language": "es-MX, en;q=0.5"}
    )
    assert response.status_code == 404
    assert '<html lang="es">' in response.get_data(as_text=True)


SPANISH_LEVEL = {"low": "bajo", "medium": "medio", "high": "alto", "urgent": "urgente"}


def test_a_refusal_from_below_the_web_layer_is_said_in_the_workers_language(as_user, worker):
    """Services refuse with a Phrase; every page says it with `say`, so a Spanish-speaking worker
    reads the reason beside the field in Spanish, values (here a level's name) included."""
    user, case = worker
    client = as_user(user)
    _choose(client, "es")
    current = case.risk_level.value
    response = client.post(
        f"/cases/{case.id}/risk", data={"risk_level": current, "reason": "Sigue igual."}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"El nivel de riesgo ya es {SPANISH_LEVEL[current]}." in page
    assert "The risk level is already" not in page
    _choose(client, "en")
    page = client.post(
        f"/cases/{case.id}/risk", data={"risk_level": current, "reason": "Same."}
    ).get_data(as_text=True)
    assert f"The risk level is already {case.risk_level.label.lower()}." in page
