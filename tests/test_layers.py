"""The house's rooms hold: each layer imports only what sits below it (read from the source with
`ast`).

models → only models, types and the database extension; services → no routes, forms, jobs or request
objects; queries (the read side) → no flask at all; routes → no other route and no job; and nothing
below the web layer reaches up into it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

WEBAPP = Path(__file__).resolve().parent.parent / "webapp"
REQUEST_OBJECTS = {"request", "session", "g", "current_user", "has_request_context", "url_for"}


def _imports(path: Path) -> list[tuple[str, set[str]]]:
    """(module, names imported from it) for every import in the file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, set()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, {alias.name for alias in node.names}))
    return found


def _modules_of(room: str, root: Path = WEBAPP) -> list[Path]:
    return sorted((root / room).rglob("*.py"))


def _targets(module: str, names: set[str]) -> set[str]:
    """The webapp modules an import reaches: `from webapp.routes import cases` reaches
    webapp.routes.cases."""
    if module == "webapp":
        return {f"webapp.{name}" for name in names}
    return {module, *(f"{module}.{name}" for name in names)}


def _violations(room: str, allowed, root: Path = WEBAPP) -> list[str]:
    problems = []
    for path in _modules_of(room, root):
        for module, names in _imports(path):
            if not (module == "webapp" or module.startswith(("webapp.", "flask", "werkzeug"))):
                continue
            reason = allowed(path, module, names)
            if reason:
                problems.append(
                    f"{path.relative_to(root.parent)}: {module} {sorted(names)}: {reason}"
                )
    return problems


def _in(targets: set[str], *prefixes: str) -> bool:
    return any(
        target == prefix or target.startswith(prefix + ".")
        for target in targets
        for prefix in prefixes
    )


def test_models_import_only_models_types_and_the_database():
    def rule(path, module, names):
        if module.startswith(("flask", "werkzeug")):
            return "models know nothing of the web"
        targets = _targets(module, names)
        # The client ID's format (webapp.client_ids) is a value type like those in models/types.py.
        if not all(
            _in({t}, "webapp.models", "webapp.extensions", "webapp.client_ids") for t in targets
        ):
            return "models import only models, types and the database extension"
        return None

    assert _violations("models", rule) == []


def test_services_import_no_routes_forms_jobs_web_or_request_objects():
    def rule(path, module, names):
        if module == "flask" and names & REQUEST_OBJECTS or module.startswith("flask_login"):
            return (
                "services are handed the user and the request's facts; they never read the request"
            )
        if _in(
            _targets(module, names), "webapp.routes", "webapp.forms", "webapp.jobs", "webapp.web"
        ):
            return "services sit below routes, forms, jobs and the web plumbing"
        return None

    assert _violations("services", rule) == []


@pytest.mark.parametrize("room", ["queries", "reports"])
def test_the_read_side_imports_no_flask_and_nothing_above_it(room):
    def rule(path, module, names):
        if module.startswith(("flask", "werkzeug")):
            return "the read side returns data; it knows nothing of requests or URLs"
        if _in(
            _targets(module, names), "webapp.routes", "webapp.forms", "webapp.jobs", "webapp.web"
        ):
            return "the read side sits below routes, forms, jobs and the web plumbing"
        return None

    assert _violations(room, rule) == []


def test_the_read_side_writes_nothing():
    writes = (
        "db.session.add",
        "db.session.delete",
        "db.session.flush",
        "db.session.commit",
        "sa.insert(",
        "sa.update(",
        "sa.delete(",
    )
    found = [
        f"{path.relative_to(WEBAPP.parent)}: {write}"
        for path in _modules_of("queries") + _modules_of("reports")
        for write in writes
        if write in path.read_text()
    ]
    assert found == []


def test_the_hmis_export_imports_nothing_above_services():
    """webapp/hmis (the HMIS CSV export) reads models and queries and audits through services;
    routes, forms, jobs and the web plumbing call it, never the other way round."""

    def rule(path, module, names):
        if module.startswith(("flask", "werkzeug")):
            return "the export knows nothing of requests; its callers hand it what it needs"
        if _in(
            _targets(module, names), "webapp.routes", "webapp.forms", "webapp.jobs", "webapp.web"
        ):
            return "the export sits below routes, forms, jobs and the web plumbing"
        return None

    assert _violations("hmis", rule) == []


def _route_rule(path, module, names):
    targets = _targets(module, names) - {"webapp.routes"}
    if path.name != "__init__.py" and _in(targets, "webapp.routes"):
        return "a route never imports another route: shared code goes below"
    if _in(targets, "webapp.jobs"):
        return "a route never imports a job"
    return None


def test_routes_import_no_other_route_and_no_job():
    assert _violations("routes", _route_rule) == []


def test_webapp_has_few_loose_modules():
    loose = sorted(path.name for path in WEBAPP.glob("*.py"))
    assert len(loose) <= 10, loose


def test_the_rules_catch_what_they_forbid(tmp_path):
    """The checks can fail: a route importing another route, or a job, is caught, in any
    spelling."""
    (tmp_path / "routes").mkdir()
    (tmp_path / "routes" / "a.py").write_text(
        "from webapp.routes.cases import case_page\nfrom webapp.jobs import dispatcher\n"
        "def view():\n    from webapp.routes import clients\n"
    )
    assert len(_violations("routes", _route_rule, root=tmp_path)) == 3
