"""Hostile input: stored markup and htmx attributes stay inert, extra fields assign nothing,
control characters do not reach the record."""

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Case, Client, RiskLevel, Role

HOSTILE = '<img src=x onerror=alert(1)><div hx-post="/logout" hx-trigger="load">Zoë</div>'


def test_markup_and_htmx_attributes_in_names_are_inert_everywhere(as_user, make_program, make_user, make_case):
    program = make_program()
    sam = make_user(Role.OUTREACH_WORKER, [program])
    case = make_case(program, sam, name=HOSTILE, legal_name=HOSTILE, aliases=[HOSTILE], follow_up_in_days=0)
    client = as_user(sam)
    pages = {
        "today": client.get("/"),
        "case": client.get(f"/cases/{case.id}"),
        "client": client.get(f"/clients/{case.client.display_id}"),
        "search page": client.get("/clients", query_string={"q": "zoe"}),
        "search fragment": client.get("/clients", query_string={"q": "zoe"}, headers={"HX-Request": "true"}),
        "duplicates fragment": client.get("/clients/new/duplicates", query_string={"preferred_name": "Zoë div"},
                                          headers={"HX-Request": "true"}),
    }
    for name, response in pages.items():
        body = response.get_data(as_text=True)
        assert "hx-post=\"/logout\"" not in body and "<img src=x" not in body, name
        assert "&lt;div hx-post=&#34;/logout&#34;" in body or "&lt;div hx-post=&quot;/logout&quot;" in body, name


def test_extra_fields_cannot_assign_owner_risk_or_restriction(as_user, make_program, make_user):
    program = make_program()
    sam = make_user(Role.OUTREACH_WORKER, [program])
    other = make_user(Role.OUTREACH_WORKER, [program])
    response = as_user(sam).post("/clients/new", data={
        "preferred_name": "Dee", "program": str(program.id), "consent_given": "y", "consent_method": "verbal",
        "primary_worker_id": str(other.id), "restricted": "y", "risk_level": "low", "role": "admin",
        "persistent_id": "not an id", "created_by_id": str(other.id), "id": "1"})
    assert response.status_code == 302
    case = db.session.scalar(sa.select(Case))
    assert (case.primary_worker_id, case.restricted, case.created_by_id) == (sam.id, False, sam.id)
    assert db.session.get(type(sam), sam.id).role == Role.OUTREACH_WORKER
    assert case.risk_level == RiskLevel.LOW


def test_control_characters_and_line_breaks_do_not_reach_one_line_fields(as_user, make_program, make_user):
    program = make_program()
    sam = make_user(Role.OUTREACH_WORKER, [program])
    as_user(sam).post("/clients/new", data={
        "preferred_name": "Dee\r\nInjected: log line\u0000\u200b", "phone": "555\r\n0100",
        "program": str(program.id), "consent_given": "y", "consent_method": "verbal"})
    client = db.session.scalar(sa.select(Client))
    assert "\n" not in client.preferred_name and "\r" not in client.preferred_name
    assert "\x00" not in client.preferred_name and "\u200b" not in client.preferred_name
    assert client.preferred_name == "Dee Injected: log line"
    assert client.phone == "555 0100"
