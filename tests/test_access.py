"""Who may reach what: login required everywhere but an explicit allow-list, roles for the
admin area, and program and restricted-case scoping (anything out of scope is a 404)."""

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import AuditAction, AuditEvent, Client, Role
from webapp.web.security import is_public_endpoint

# The allow-list. Adding a public view means adding it here, on purpose.
PUBLIC_ENDPOINTS = {
    "static",
    "auth.login",
    "auth.second_step",
    "pwa.service_worker",
    "pwa.manifest",
    "pwa.offline",
    "health.healthz",
    "self_intake.form",
    "self_intake.started",
    "self_intake.thanks",
    "provider.page",
    "provider.answer",
    "provider.note",
    "welcome.set_up",
}
SAMPLE_ARGUMENTS = {
    "case_id": 1,
    "referral_id": 1,
    "provider_id": 1,
    "service_id": 1,
    "program_id": 1,
    "persistent_id": "0000-0000-0",
    "filename": "css/app.css",
    "goal_id": 1,
    "task_id": 1,
    "assessment_id": 1,
    "follow_up_id": 1,
    "subscription_id": 1,
    "submission_id": 1,
    "user_id": 1,
    "invitation_id": 1,
    "consent_id": 1,
    "document_id": 1,
    "merge_id": 1,
    "suggestion_id": 1,
    "household_id": 1,
    "member_id": 1,
    "relationship_id": 1,
    "screening_id": 1,
    "question_id": 1,
    "token": "x",
    "key": "outcomes",
    "section": "overdue",
}


def every_rule(app):
    for rule in app.url_map.iter_rules():
        url = rule.build({name: SAMPLE_ARGUMENTS[name] for name in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_the_allow_list_is_exactly_the_public_views(app):
    public = {endpoint for endpoint in app.view_functions if is_public_endpoint(app, endpoint)}
    assert public == PUBLIC_ENDPOINTS


def test_every_other_endpoint_requires_sign_in(app):
    client = app.test_client()
    checked = 0
    for endpoint, method, url in every_rule(app):
        if endpoint in PUBLIC_ENDPOINTS:
            continue
        response = client.open(url, method=method)
        if method == "GET" and not getattr(app.view_functions[endpoint], "answers_json", False):
            assert response.status_code == 302, (endpoint, url)
            assert response.headers["Location"].startswith("/login?next="), (endpoint, url)
        else:
            # fetch, htmx and outbox replays must see 401, not a login page with 200
            assert response.status_code == 401, (endpoint, method, url)
        checked += 1
    assert checked >= 6


def test_htmx_requests_get_401_with_a_redirect_header(client):
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login"


def test_json_requests_get_401(client):
    assert client.get("/", headers={"Accept": "application/json"}).status_code == 401


@pytest.mark.parametrize("role", [Role.OUTREACH_WORKER, Role.CASE_MANAGER, Role.SUPERVISOR])
def test_admin_area_is_for_admins_only(app, as_user, make_user, make_program, role):
    program = make_program()
    client = as_user(make_user(role=role, programs=[program]))
    for endpoint, method, url in every_rule(app):
        if endpoint.startswith("admin."):
            assert client.open(url, method=method).status_code == 403, (endpoint, method)
    admin = as_user(make_user(role=Role.ADMIN))
    assert admin.get("/admin/programs").status_code == 200
    assert admin.get(f"/admin/programs/{program.id}").status_code == 200


@pytest.fixture
def agency(make_program, make_user, make_case):
    """Two programs; a supervisor and two workers in the first, a worker in the second."""
    street, housing = make_program("Street"), make_program("Housing")
    supervisor = make_user(Role.SUPERVISOR, [street])
    other_supervisor = make_user(Role.SUPERVISOR, [street])
    sam = make_user(Role.OUTREACH_WORKER, [street], supervisor=supervisor)
    ngozi = make_user(Role.OUTREACH_WORKER, [street], supervisor=other_supervisor)
    ana = make_user(Role.CASE_MANAGER, [housing])
    admin = make_user(Role.ADMIN)
    open_case = make_case(street, sam, name="Dee")
    restricted_case = make_case(street, sam, name="Fatima", restricted=True)
    return locals()


def pages_of(case):
    return [f"/cases/{case.id}", f"/clients/{case.client.display_id}"]


@pytest.mark.parametrize("who", ["sam", "ngozi", "supervisor", "other_supervisor", "admin"])
def test_staff_in_the_program_see_an_ordinary_case(as_user, agency, who):
    client = as_user(agency[who])
    for url in pages_of(agency["open_case"]):
        assert client.get(url).status_code == 200, url


def test_staff_of_another_program_get_404_and_the_denial_is_audited(as_user, agency):
    client = as_user(agency["ana"])
    case = agency["open_case"]
    for url in pages_of(case):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Dee" not in response.get_data(as_text=True)
    denials = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == AuditAction.ACCESS_DENIED)
    ).all()
    assert {(event.user_id, event.record_type, event.record_id) for event in denials} == {
        (agency["ana"].id, "case", str(case.id)),
        (agency["ana"].id, "client", str(case.client_id)),
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("sam", 200),
        ("supervisor", 200),
        ("admin", 200),
        ("ngozi", 404),
        ("other_supervisor", 404),
        ("ana", 404),
    ],
)
def test_restricted_case_is_only_for_its_worker_their_supervisor_and_admins(
    as_user, agency, who, status
):
    client = as_user(agency[who])
    for url in pages_of(agency["restricted_case"]):
        assert client.get(url).status_code == status, url


def test_restricted_case_is_left_out_of_the_client_page_of_those_who_cannot_see_it(
    as_user, agency, make_case, app
):
    from webapp.services import cases

    restricted = agency["restricted_case"]
    second = cases.open_case(
        restricted.client,
        agency["street"],
        created_by=agency["ngozi"],
        primary_worker=agency["ngozi"],
    )
    db.session.commit()
    page = (
        as_user(agency["ngozi"])
        .get(f"/clients/{restricted.client.display_id}")
        .get_data(as_text=True)
    )
    assert f"/cases/{second.id}" in page
    assert f"/cases/{restricted.id}" not in page


def test_unknown_and_malformed_ids_are_404(as_user, agency):
    client = as_user(agency["admin"])
    assert client.get("/cases/999999").status_code == 404
    assert client.get("/clients/not-an-id").status_code == 404
    assert client.get("/clients/0000-0000-0").status_code == 404
    assert client.get("/cases/-1").status_code == 404


def test_typed_spellings_of_an_id_lead_to_the_one_stable_url(as_user, agency):
    client = as_user(agency["sam"])
    display = agency["open_case"].client.display_id
    response = client.get(f"/clients/{display.replace('-', '').lower()}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/clients/{display}"


def test_a_merged_duplicate_id_resolves_to_the_surviving_record(as_user, agency):
    survivor = agency["open_case"].client
    duplicate = agency["restricted_case"].client
    duplicate.merged_into_id = survivor.id
    db.session.commit()
    response = as_user(agency["ngozi"]).get(f"/clients/{duplicate.display_id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/clients/{survivor.display_id}"
    assert db.session.get(Client, duplicate.id) is not None
