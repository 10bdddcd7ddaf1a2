"""Picking a service for a referral: searched by name, provider, category and area."""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Case, Provider, Referral, Role, Service, User
from webapp.timeutil import local_today


@dataclass(frozen=True)
class Directory:
    worker: User
    case: Case


@pytest.fixture
def directory(make_program, make_user, make_case) -> Directory:
    program = make_program()
    worker = make_user(Role.OUTREACH_WORKER, [program])
    case = make_case(program, worker, name="Tyrell")
    shelter = Provider(name="Harbor Light Shelter")
    clinic = Provider(name="Clínica Núñez")
    db.session.add_all(
        [
            Service(
                name="Emergency shelter bed",
                category="housing",
                area="Eastside",
                provider=shelter,
                eligibility="Adults over 18",
            ),
            Service(name="Family rooms", category="housing", area="Westside", provider=shelter),
            Service(
                name="Walk-in clinic",
                category="health",
                area="Eastside and Downtown",
                provider=clinic,
                description="Primary care without an appointment",
            ),
            Service(
                name="Closed programme",
                category="housing",
                area="Eastside",
                provider=clinic,
                active=False,
            ),
        ]
    )
    db.session.commit()
    return Directory(worker, case)


def options(html: str) -> list[str]:
    """The services offered, after the "Choose a service…" that nothing is pre-selected past."""
    field = html[html.index('id="service-field"') :]
    field = field[: field.index("</select>")]
    found = re.findall(r"<option[^>]*>([^<]+)</option>", field)
    assert found[0] == "Choose a service…"
    return found[1:]


@pytest.mark.parametrize(
    "query, expected",
    [
        # By provider: Clínica Núñez, then Harbor Light Shelter.
        (
            {},
            [
                "Walk-in clinic · Eastside and Downtown",
                "Emergency shelter bed · Eastside · Adults over 18",
                "Family rooms · Westside",
            ],
        ),
        (
            {"find": "shelter"},
            ["Emergency shelter bed · Eastside · Adults over 18", "Family rooms · Westside"],
        ),
        (
            {"find": "nunez"},
            ["Walk-in clinic · Eastside and Downtown"],
        ),  # accents folded, provider's name
        ({"find": "appointment"}, ["Walk-in clinic · Eastside and Downtown"]),  # the description
        (
            {"find": "adults bed"},
            ["Emergency shelter bed · Eastside · Adults over 18"],
        ),  # every word, any order, eligibility too
        (
            {"category": "housing"},
            ["Emergency shelter bed · Eastside · Adults over 18", "Family rooms · Westside"],
        ),
        (
            {"area": "east"},
            [
                "Walk-in clinic · Eastside and Downtown",
                "Emergency shelter bed · Eastside · Adults over 18",
            ],
        ),
        ({"category": "housing", "area": "downtown"}, []),
    ],
)
def test_the_service_list_narrows_to_what_was_searched(directory, as_user, query, expected):
    response = as_user(directory.worker).get(
        f"/cases/{directory.case.id}/referrals/new", query_string=query
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert options(html) == expected
    if query and expected:
        assert f"{len(expected)} service" in html
    if not expected:
        assert "No service matches your search" in html


def test_htmx_gets_the_service_field_alone(directory, as_user):
    response = as_user(directory.worker).get(
        f"/cases/{directory.case.id}/referrals/new",
        query_string={"find": "clinic"},
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert (
        response.status_code == 200
        and "<html" not in html
        and "HX-Request" in response.headers["Vary"]
    )
    assert html.strip().startswith('<div id="service-choice"') and options(html) == [
        "Walk-in clinic · Eastside and Downtown"
    ]


def test_hostile_or_oversized_searches_are_answered_not_failed(directory, as_user):
    client = as_user(directory.worker)
    for query in (
        {"find": "x" * 5000},
        {"category": "<script>"},
        {"area": "'; DROP TABLE services; --"},
        {"find": "\u0000"},
    ):
        response = client.get(f"/cases/{directory.case.id}/referrals/new", query_string=query)
        assert response.status_code == 200
        assert (
            "<script>"
            not in response.get_data(as_text=True).split('id="category"')[1].split("</select>")[0]
        )


def test_someone_outside_the_program_cannot_search_through_a_case(
    directory, as_user, make_user, make_program
):
    stranger = make_user(Role.OUTREACH_WORKER, [make_program()])
    assert (
        as_user(stranger)
        .get(f"/cases/{directory.case.id}/referrals/new", query_string={"find": "shelter"})
        .status_code
        == 404
    )


def test_a_referral_is_made_to_a_service_found_by_search(directory, as_user):
    client = as_user(directory.worker)
    html = client.get(
        f"/cases/{directory.case.id}/referrals/new", query_string={"find": "family"}
    ).get_data(as_text=True)
    service_id = re.search(r'<option value="(\d+)">Family rooms', html).group(1)
    follow_up = (local_today() + timedelta(days=7)).isoformat()
    response = client.post(
        f"/cases/{directory.case.id}/referrals/new",
        data={
            "service": service_id,
            "goal": "0",
            "follow_up_on": follow_up,
            "share_consent": "y",
            "share_method": "signed",
        },
    )
    assert response.status_code == 302
    assert db.session.query(Referral).one().service.name == "Family rooms"
    # A retired service cannot be chosen even if its id is sent.
    retired = db.session.query(Service).filter_by(name="Closed programme").one()
    response = client.post(
        f"/cases/{directory.case.id}/referrals/new",
        data={"service": str(retired.id), "goal": "0", "follow_up_on": follow_up},
    )
    assert response.status_code == 422


def test_narrowing_the_list_keeps_the_service_already_chosen(directory, as_user):
    """With nothing pre-selected, a refreshed list must not drop what the worker just chose."""
    chosen = db.session.scalar(sa.select(Service).where(Service.name == "Family rooms"))
    html = (
        as_user(directory.worker)
        .get(
            f"/cases/{directory.case.id}/referrals/new",
            query_string={"find": "rooms", "service": str(chosen.id)},
            headers={"HX-Request": "true"},
        )
        .get_data(as_text=True)
    )
    assert re.search(
        rf'<option selected value="{chosen.id}"|<option value="{chosen.id}" selected', html
    )
    for hostile in ("99999999999999999999999", "-1", "x"):
        response = as_user(directory.worker).get(
            f"/cases/{directory.case.id}/referrals/new", query_string={"service": hostile}
        )
        assert (
            response.status_code == 200
            and "selected"
            not in response.get_data(as_text=True).split('id="service"')[1].split("</select>")[0]
        )
