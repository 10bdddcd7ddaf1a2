"""The admin's provider form: a website is a web address Open Referral files can carry (a URI),
and the address is kept in parts as well as the one line people read (issue 23, items 3 and 6)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.hsds import export
from webapp.models import Provider, Role
from webapp.services import directory


@pytest.fixture
def admin(as_user, make_user):
    return as_user(make_user(Role.ADMIN))


@pytest.mark.parametrize(
    "website, message",
    [
        ("https://example.org/beds and meals", "A web address has no spaces."),
        ("https://exa mple.org", "A web address has no spaces."),
        ("https://example.org/a|b", "A web address cannot have “|”."),
        ("https://example.org/<script>", "A web address cannot have “&lt; &gt;”."),
        ("https://example.org/100%zz", "A “%” in a web address is followed by two"),
        ("https://example.org/100%", "A “%” in a web address is followed by two"),
        ("javascript:alert(1)", "Give a full web address (https://…)."),
        ("https://", "Give a full web address (https://…)."),
        ("example.org", "Give a full web address (https://…)."),
        ("https://bü..cher.example/", "The name after https:// is not a valid domain name."),
    ],
)
def test_a_website_that_is_not_a_uri_is_refused_beside_the_field(admin, website, message):
    response = admin.post(
        "/admin/providers/new",
        data={"name": "Harbor Light", "website": website, "city": "Portside"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = html[html.index('id="website-error">') :]
    assert message in error[: error.index("</p>")]
    # Everything else typed is kept.
    assert 'value="Harbor Light"' in html and 'value="Portside"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Provider)) == 0


@pytest.mark.parametrize(
    "website, saved",
    [
        ("https://eastside.example", "https://eastside.example"),
        ("http://example.com/a%20b?x=1&y=2#top", "http://example.com/a%20b?x=1&y=2#top"),
        # Non-ASCII is encoded as a browser encodes it: the same address, now a URI.
        (
            "https://bücher.example/straße?q=é",
            "https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%A9",
        ),
        ("https://user@Bücher.example:8443/", "https://user@xn--bcher-kva.example:8443/"),
    ],
)
def test_a_web_address_is_saved_as_a_uri(admin, website, saved):
    response = admin.post("/admin/providers/new", data={"name": "Clinic", "website": website})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    provider = db.session.scalar(sa.select(Provider))
    assert provider.website == saved
    from webapp.hsds.importer import FORMAT_CHECKER

    assert FORMAT_CHECKER.conforms(provider.website, "uri")


def test_the_address_is_kept_in_parts_and_as_one_line(admin, app):
    response = admin.post(
        "/admin/providers/new",
        data={
            "name": "Harbor Light",
            "street": "12 Quay Street",
            "city": "Portside",
            "state_province": "CA",
            "postal_code": "94000",
            "country": "US",
            "active": "y",
        },
    )
    assert response.status_code == 302
    provider = db.session.scalar(sa.select(Provider))
    assert provider.address == "12 Quay Street, Portside, CA, 94000"
    assert (provider.street, provider.city, provider.state_province) == (
        "12 Quay Street",
        "Portside",
        "CA",
    )
    assert (provider.postal_code, provider.country) == ("94000", "US")
    (location,) = export.organization_record(provider)["locations"]
    assert location["description"] == "12 Quay Street, Portside, CA, 94000"
    assert location["addresses"][0]["address_1"] == "12 Quay Street"
    # Without a postal code the parts are not a complete HSDS address: the line goes out alone.
    response = admin.post(
        f"/admin/providers/{provider.id}",
        # (a browser sends the emptied fields)
        data={
            "name": "Harbor Light",
            "street": "12 Quay Street",
            "city": "Portside",
            "state_province": "",
            "postal_code": "",
            "country": "US",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    db.session.refresh(provider)
    assert provider.address == "12 Quay Street, Portside"
    (location,) = export.organization_record(provider)["locations"]
    assert location["addresses"] == []
    # Too long a part is refused beside it.
    response = admin.post(
        f"/admin/providers/{provider.id}", data={"name": "Harbor Light", "postal_code": "9" * 41}
    )
    assert response.status_code == 422
    assert 'id="postal_code-error">' in response.get_data(as_text=True)


def test_an_address_kept_as_one_line_is_offered_as_the_street(admin, app):
    provider = directory.save_provider(
        None,
        active=True,
        name="Old entry",
        description="",
        phone="",
        email="",
        website="",
        address="Under the bridge, by the river",
    )
    db.session.commit()
    page = admin.get(f"/admin/providers/{provider.id}").get_data(as_text=True)
    street = page[page.index('id="street"') - 200 : page.index('id="street"') + 200]
    assert 'value="Under the bridge, by the river"' in street
    # Saved unchanged, the line stays the same.
    admin.post(
        f"/admin/providers/{provider.id}",
        data={"name": "Old entry", "street": "Under the bridge, by the river", "active": "y"},
    )
    db.session.refresh(provider)
    assert provider.address == "Under the bridge, by the river"


@pytest.mark.parametrize("role", [Role.OUTREACH_WORKER, Role.CASE_MANAGER, Role.SUPERVISOR])
def test_only_admins_change_providers(as_user, make_user, role):
    client = as_user(make_user(role))
    assert client.get("/admin/providers/new").status_code == 403
    assert client.post("/admin/providers/new", data={"name": "X"}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Provider)) == 0


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.post("/admin/providers/new", data={"name": "X"})
    assert response.status_code in (302, 401)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Provider)) == 0
