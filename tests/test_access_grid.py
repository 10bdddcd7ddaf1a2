"""Every scoped endpoint × every role × a case in another program and a colleague's restricted
case, as a full page and as an htmx request, GET and POST: out of scope is 404 with no client
data in the body; in scope is never 403 or 404."""

from dataclasses import dataclass

import pytest

from tests.lifecycle import refer
from webapp.extensions import db
from webapp.models import Case, Provider, Referral, Role, Service, User
from webapp.timeutil import local_today

ROUTES = [
    ("GET", "/cases/{case}"),
    ("GET", "/cases/{case}/contacts/new"),
    ("POST", "/cases/{case}/contacts/new"),
    ("GET", "/cases/{case}/referrals/new"),
    ("POST", "/cases/{case}/referrals/new"),
    ("POST", "/cases/{case}/referrals/internal"),
    ("POST", "/cases/{case}/restriction"),
    ("GET", "/cases/{case}/plan"),
    ("GET", "/cases/{case}/plan/agreement"),
    ("GET", "/cases/{case}/plan/sign"),
    ("POST", "/cases/{case}/plan/sign"),
    ("POST", "/cases/{case}/plan/paper"),
    ("POST", "/cases/{case}/plan/terms"),
    ("GET", "/cases/{case}/assessments"),
    ("GET", "/cases/{case}/assessments/new"),
    ("GET", "/cases/{case}/close"),
    ("GET", "/cases/{case}/handoff"),
    ("GET", "/clients/{client}"),
    ("GET", "/clients/{client}/edit"),
    ("POST", "/clients/{client}/edit"),
    ("GET", "/clients/{client}/consents"),
    ("POST", "/clients/{client}/consents"),
    ("GET", "/clients/{client}/household/new"),
    ("POST", "/clients/{client}/household/new"),
    ("GET", "/clients/{client}/network/new"),
    ("POST", "/clients/{client}/network/new"),
    ("GET", "/clients/{client}/contacts/new"),
    ("POST", "/clients/{client}/contacts/new"),
    ("GET", "/clients/new?client={client}"),
    ("POST", "/clients/new?client={client}"),
    ("GET", "/referrals/{referral}"),
    ("POST", "/referrals/{referral}"),
]


@dataclass(frozen=True)
class Grid:
    people: dict[str, User]
    targets: dict[str, tuple[Case, Referral]]


@pytest.fixture
def grid(make_program, make_user, make_case) -> Grid:
    own, other = make_program("Own"), make_program("Other")
    supervisor = make_user(Role.SUPERVISOR, [own])
    worker = make_user(Role.OUTREACH_WORKER, [own], supervisor=supervisor)
    people = {
        "outreach worker": make_user(Role.OUTREACH_WORKER, [own]),
        "case manager": make_user(Role.CASE_MANAGER, [own]),
        "other supervisor": make_user(Role.SUPERVISOR, [own]),
        "the worker's supervisor": supervisor,
        "the worker": worker,
        "admin": make_user(Role.ADMIN),
    }
    elsewhere = make_case(other, make_user(Role.OUTREACH_WORKER, [other]), name="Zed Elsewhere")
    restricted = make_case(own, worker, name="Rhea Restricted", restricted=True)
    service = Service(name="Bed", provider=Provider(name="Shelter"))
    db.session.add(service)
    targets = {}
    for label, case in (("another program", elsewhere), ("restricted", restricted)):
        referral = refer(case, service, created_by=None, today=local_today())
        targets[label] = (case, referral)
    db.session.commit()
    return Grid(people, targets)


ALLOWED = {
    "another program": {"admin"},
    "restricted": {"the worker", "the worker's supervisor", "admin"},
}


@pytest.mark.parametrize("target", ["another program", "restricted"])
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_the_access_grid(as_user, grid, target, htmx):
    case, referral = grid.targets[target]
    secret = case.client.preferred_name
    headers = {"HX-Request": "true"} if htmx else {}
    for who, user in grid.people.items():
        client = as_user(user)
        for method, pattern in ROUTES:
            url = pattern.format(case=case.id, client=case.client.display_id, referral=referral.id)
            response = client.open(url, method=method, data={}, headers=headers)
            body = response.get_data(as_text=True)
            if who in ALLOWED[target]:
                assert response.status_code not in (403, 404), (
                    who,
                    method,
                    url,
                    response.status_code,
                )
            else:
                assert response.status_code == 404, (who, method, url, response.status_code)
                assert secret not in body and case.client.display_id not in body, (who, method, url)
        found = client.get(
            "/clients", query_string={"q": secret.split()[0]}, headers=headers
        ).get_data(as_text=True)
        assert (secret in found) == (who in ALLOWED[target]), (who, "search")
        # The full name typed: a case in another program is "known to the agency" (where, never
        # who); a restricted case is never told, not even counted.
        full = client.get("/clients", query_string={"q": secret}, headers=headers)
        body = full.get_data(as_text=True)
        assert full.status_code == 200, (who, "full name")
        told = "Known to the agency" in body
        assert told == (target == "another program" and who not in ALLOWED[target]), who
        if who not in ALLOWED[target]:
            assert case.client.display_id not in body, (who, "full name")
        if target == "restricted":
            assert "cannot see" not in body and "Already known" not in body, (who, "full name")
