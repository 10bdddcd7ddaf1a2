"""The provider directory in Open Referral (HSDS 3.0) form: export, import, round trips,
refusals."""

from __future__ import annotations

import copy
import csv
import io
import json
import uuid
import zipfile

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.hsds.importer import _VALIDATOR
from webapp.models import AuditAction, AuditEvent, Provider, Role, Service
from webapp.services import directory


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


@pytest.fixture
def listed(app):
    shelter = directory.save_provider(
        None,
        active=True,
        name="Harbor Light Shelter",
        description="Beds and meals",
        phone="555-0175",
        email="intake@harbor.example",
        website="https://harbor.example",
        address="12 Quay Street, Portside, CA, 94000",
        street="12 Quay Street",
        city="Portside",
        state_province="CA",
        postal_code="94000",
        country="US",
    )
    directory.save_service(
        shelter,
        None,
        active=True,
        name="Emergency shelter bed",
        category="housing",
        description="One night at a time",
        eligibility="Adults over 18",
        area="Portside",
        hours="Intake daily 4–8 pm",
        what_to_bring="ID if you have one; any medication.",
    )
    directory.save_service(
        shelter,
        None,
        active=False,
        name="Winter overflow",
        category="housing",
        description="",
        eligibility="",
        area="",
    )
    clinic = directory.save_provider(
        None,
        active=True,
        name="Clínica Núñez",
        description="",
        phone="",
        email="",
        website="",
        # Saved before addresses had parts: one line only.
        address="Calle 5, Eastside",
    )
    directory.save_service(
        clinic,
        None,
        active=True,
        name='=HYPERLINK("http://evil.example")',
        category="health",
        description="Walk in",
        eligibility="",
        area="Eastside",
    )
    db.session.commit()


def directory_state() -> list[tuple]:
    """Everything the directory holds, in a comparable form."""
    providers = db.session.scalars(sa.select(Provider).order_by(Provider.hsds_id)).all()
    return [
        (
            p.hsds_id,
            p.name,
            p.description,
            p.phone,
            p.email,
            p.website,
            p.address,
            p.street,
            p.city,
            p.state_province,
            p.postal_code,
            p.country,
            p.active,
            sorted(
                (
                    s.hsds_id,
                    s.name,
                    s.category,
                    s.description,
                    s.eligibility,
                    s.area,
                    s.hours,
                    s.what_to_bring,
                    s.active,
                )
                for s in p.services
            ),
        )
        for p in providers
    ]


ADDRESS_KEYS = ("address_1", "city", "state_province", "postal_code", "country", "address_type")


def empty_directory() -> None:
    db.session.execute(sa.delete(Service))
    db.session.execute(sa.delete(Provider))
    db.session.commit()


def upload(client, name: str, content: bytes):
    return client.post(
        "/admin/providers/import",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_the_json_export_is_hsds_and_says_what_the_directory_holds(listed, admin, as_user):
    response = as_user(admin).get("/admin/providers/export.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    page = response.get_json()
    # The specification types optional fields as strings: empty ones are left out, never null.
    assert b"null" not in response.data
    assert page["total_items"] == 2 and page["first_page"] and page["last_page"]
    for organization in page["contents"]:
        assert not list(_VALIDATOR.iter_errors(organization))
    shelter = next(org for org in page["contents"] if org["name"] == "Harbor Light Shelter")
    assert shelter["phones"][0]["number"] == "555-0175"
    location = shelter["locations"][0]
    assert location["description"] == "12 Quay Street, Portside, CA, 94000"
    assert location["location_type"] == "physical"
    assert {key: location["addresses"][0][key] for key in ADDRESS_KEYS} == {
        "address_1": "12 Quay Street",
        "city": "Portside",
        "state_province": "CA",
        "postal_code": "94000",
        "country": "US",
        "address_type": "physical",
    }
    # An address kept as one line goes out as the location's description only.
    clinic = next(org for org in page["contents"] if org["name"] == "Clínica Núñez")
    assert clinic["locations"][0]["description"] == "Calle 5, Eastside"
    assert clinic["locations"][0]["addresses"] == []
    bed = next(
        service for service in shelter["services"] if service["name"] == "Emergency shelter bed"
    )
    assert bed["status"] == "active" and bed["eligibility_description"] == "Adults over 18"
    assert bed["organization_id"] == shelter["id"]
    assert bed["service_areas"][0]["name"] == "Portside"
    assert bed["attributes"][0]["taxonomy_term"]["code"] == "housing"
    overflow = next(
        service for service in shelter["services"] if service["name"] == "Winter overflow"
    )
    assert overflow["status"] == "inactive"


@pytest.mark.parametrize("kind", ["json", "zip"])
def test_an_export_imported_into_an_empty_directory_gives_the_same_directory(
    listed, admin, as_user, kind
):
    client = as_user(admin)
    before = directory_state()
    exported = client.get(f"/admin/providers/export.{kind}").data
    empty_directory()
    response = upload(client, f"directory.{kind}", exported)
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
    assert "5 created, 0 updated, 0 unchanged" in response.get_data(as_text=True)
    assert directory_state() == before
    # The same file again changes nothing.
    again = upload(client, f"directory.{kind}", exported)
    assert "0 created, 0 updated, 5 unchanged" in again.get_data(as_text=True)
    assert directory_state() == before


def test_the_csv_tables_neutralise_only_what_cannot_be_a_phone_number(listed, admin, as_user):
    """HSDS CSV is a data exchange format: values go out as they are, except one a spreadsheet
    would run that cannot be a phone number or a number."""
    client = as_user(admin)
    bed = db.session.scalar(sa.select(Service).where(Service.name == "Emergency shelter bed"))
    bed.provider.phone = "+1 415 555 0100"
    bed.description = "-cmd|' /C calc'!A0"
    bed.eligibility = "-18 or younger: with a parent"
    db.session.commit()
    archive = zipfile.ZipFile(io.BytesIO(client.get("/admin/providers/export.zip").data))
    assert sorted(archive.namelist()) == [
        "addresses.csv",
        "attributes.csv",
        "datapackage.json",
        "locations.csv",
        "organizations.csv",
        "phones.csv",
        "required_documents.csv",
        "schedules.csv",
        "service_areas.csv",
        "services.csv",
        "taxonomy_terms.csv",
    ]
    services = list(csv.DictReader(io.StringIO(archive.read("services.csv").decode())))
    assert '\'=HYPERLINK("http://evil.example")' in [row["name"] for row in services]
    shelter_bed = next(row for row in services if row["name"] == "Emergency shelter bed")
    assert shelter_bed["description"] == "'-cmd|' /C calc'!A0"
    assert shelter_bed["eligibility_description"] == "'-18 or younger: with a parent"
    phones = list(csv.DictReader(io.StringIO(archive.read("phones.csv").decode())))
    assert [row["number"] for row in phones] == ["+1 415 555 0100"]
    # …and the import takes the apostrophe off again.
    before = directory_state()
    exported = client.get("/admin/providers/export.zip").data
    empty_directory()
    assert upload(client, "directory.zip", exported).status_code == 200
    assert directory_state() == before


def test_an_older_export_with_apostrophes_before_phone_numbers_still_imports(admin, as_user):
    organization_id = str(uuid.uuid4())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "organizations.csv",
            f"id,name,description,email,website\r\n{organization_id},Night Bus,,,\r\n",
        )
        archive.writestr(
            "phones.csv",
            f"id,organization_id,service_id,number\r\nph-1,{organization_id},,'+1 415 555 0100\r\n",
        )
    response = upload(as_user(admin), "old.zip", buffer.getvalue())
    assert response.status_code == 200, response.get_data(as_text=True)[-1500:]
    night_bus = db.session.scalar(sa.select(Provider).where(Provider.name == "Night Bus"))
    assert night_bus.phone == "+1 415 555 0100"


def test_an_import_updates_known_records_and_adds_new_ones(listed, admin, as_user):
    client = as_user(admin)
    page = client.get("/admin/providers/export.json").get_json()
    shelter = next(org for org in page["contents"] if org["name"] == "Harbor Light Shelter")
    shelter["services"][0]["eligibility_description"] = "Adults over 18, pets welcome"
    page["contents"].append(
        {
            "id": "0b7d6f0e-3f55-4b8e-9d7e-2b8e3f4c5a61",
            "name": "Eastside Food Bank",
            "description": "Groceries",
            "locations": [
                {
                    "id": "loc-1",
                    "location_type": "physical",
                    "addresses": [
                        {
                            "id": "addr-1",
                            "address_1": "4 Mill Lane",
                            "city": "Eastside",
                            "state_province": "CA",
                            "postal_code": "90001",
                            "country": "US",
                            "address_type": "physical",
                        }
                    ],
                }
            ],
            "services": [
                {
                    "id": "4b8f0d3e-6a0c-4f37-8f62-0c7f9d1e2a11",
                    "name": "Weekly groceries",
                    "status": "active",
                    "attributes": [
                        {
                            "id": "a1",
                            "taxonomy_term_id": "t1",
                            "taxonomy_term": {
                                "id": "t1",
                                "code": "food",
                                "name": "Food",
                                "taxonomy": "waymark-service-categories",
                            },
                        }
                    ],
                },
                {
                    "id": "4b8f0d3e-6a0c-4f37-8f62-0c7f9d1e2a12",
                    "name": "Hot meals",
                    "status": "temporarily closed",
                    "attributes": [
                        {
                            "id": "a2",
                            "taxonomy_term_id": "t2",
                            "taxonomy_term": {
                                "id": "t2",
                                "code": "101-45",
                                "name": "Meals",
                                "taxonomy": "open-eligibility",
                            },
                        }
                    ],
                },
            ],
        }
    )
    response = upload(client, "directory.json", json.dumps(page).encode())
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 created, 1 updated, 4 unchanged" in html
    food_bank = db.session.scalar(sa.select(Provider).where(Provider.name == "Eastside Food Bank"))
    assert food_bank.address == "4 Mill Lane, Eastside, CA, 90001" and food_bank.active
    assert {(s.name, s.category, s.active) for s in food_bank.services} == {
        ("Weekly groceries", "food", True),
        ("Hot meals", "other", False),
    }
    bed = db.session.scalar(sa.select(Service).where(Service.name == "Emergency shelter bed"))
    assert bed.eligibility == "Adults over 18, pets welcome"
    updates = db.session.scalars(
        sa.select(AuditEvent.record_type).where(AuditEvent.action == AuditAction.UPDATE)
    )
    assert "service" in list(updates)


def test_a_file_with_any_bad_record_imports_nothing_and_says_why(listed, admin, as_user):
    client = as_user(admin)
    before = directory_state()
    page = client.get("/admin/providers/export.json").get_json()
    good = copy.deepcopy(page["contents"][0])
    good["name"] = "A renamed organization"
    bad_status = {
        "id": str(uuid.uuid4()),
        "name": "Night Bus",
        "description": "",
        "services": [{"id": str(uuid.uuid4()), "name": "Rides", "status": "open"}],
    }
    no_name = {"id": str(uuid.uuid4()), "description": "Nameless"}
    too_long = {"id": str(uuid.uuid4()), "name": "x" * 201, "description": ""}
    not_a_uuid = {"id": "org-6", "name": "Legacy ids", "description": ""}
    stolen = {
        "id": str(uuid.uuid4()),
        "name": "Copycat",
        "description": "",
        "services": [
            {"id": page["contents"][1]["services"][0]["id"], "name": "Same id", "status": "active"}
        ],
    }
    response = upload(
        client,
        "directory.json",
        json.dumps([good, bad_status, no_name, too_long, not_a_uuid, stolen]).encode(),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        "Nothing was imported" in html and "5 of 6 organizations in the file have problems" in html
    )
    assert "services[0].status: &#39;open&#39; is not one of" in html
    assert "&#39;name&#39; is a required property" in html
    assert "name is longer than 200 characters" in html
    assert "this service belongs to another organization in the directory" in html
    assert "id: &#39;org-6&#39; is not a &#39;uuid&#39;" in html
    assert directory_state() == before


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("directory.json", b"{not json", "This is not a JSON file"),
        ("directory.json", b"42", "neither organizations nor services"),
        ("directory.zip", b"PK\x03\x04 broken", "This is not a zip file."),
        ("directory.txt", b"[]", "Choose a .json file, or a .zip of HSDS tables"),
    ],
)
def test_unreadable_files_are_refused_beside_the_field(admin, as_user, name, content, message):
    response = upload(as_user(admin), name, content)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="file-error"' in html and message in html


def test_a_zip_without_organizations_or_services_is_refused(admin, as_user):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("phones.csv", "id,number\r\np1,555\r\n")
    response = upload(as_user(admin), "directory.zip", buffer.getvalue())
    assert response.status_code == 422
    assert "The zip has neither organizations.csv nor services.csv." in response.get_data(
        as_text=True
    )


def test_no_file_is_asked_for_again(admin, as_user):
    response = as_user(admin).post(
        "/admin/providers/import", data={}, content_type="multipart/form-data"
    )
    assert response.status_code == 422 and "Choose a file." in response.get_data(as_text=True)


def test_a_directory_file_may_be_larger_than_a_form_but_not_unbounded(admin, as_user):
    client = as_user(admin)
    organizations = [
        {"id": str(uuid.uuid4()), "name": f"Provider {n}", "description": "d" * 1000}
        for n in range(1500)
    ]
    body = json.dumps(organizations).encode()
    assert 1024 * 1024 < len(body) < 5 * 1024 * 1024
    response = upload(client, "big.json", body)
    assert response.status_code == 200 and "1500 created" in response.get_data(as_text=True)
    assert upload(client, "huge.json", b" " * (6 * 1024 * 1024)).status_code == 413
    # Everywhere else the app's own limit still holds.
    assert (
        client.post("/admin/providers/new", data={"name": "x" * (2 * 1024 * 1024)}).status_code
        == 413
    )


def test_exports_are_audited(listed, admin, as_user):
    client = as_user(admin)
    client.get("/admin/providers/export.json")
    client.get("/admin/providers/export.zip")
    events = db.session.execute(
        sa.select(AuditEvent.record_type, AuditEvent.record_id)
        .where(AuditEvent.action == AuditAction.EXPORT)
        .order_by(AuditEvent.id)
    ).all()
    assert [tuple(event) for event in events] == [("directory", "json"), ("directory", "zip")]


@pytest.mark.parametrize("role", [Role.OUTREACH_WORKER, Role.CASE_MANAGER, Role.SUPERVISOR])
def test_only_admins_export_or_import(make_user, as_user, role):
    client = as_user(make_user(role))
    assert client.get("/admin/providers/export.json").status_code == 403
    assert client.get("/admin/providers/export.zip").status_code == 403
    assert client.get("/admin/providers/import").status_code == 403
    assert upload(client, "d.json", b"[]").status_code == 403


def test_the_export_passes_an_operators_copy_of_the_specification_schema(listed, app, tmp_path):
    """`flask directory validate --schema-dir` checks against the specification's own compiled
    schema. It cannot be fetched here, so a stand-in in the same place and shape is used: one that
    asks for what Waymark writes passes, one that asks for more fails and says what is missing."""
    compiled = tmp_path / "compiled"
    compiled.mkdir()
    runner = app.test_cli_runner()
    compiled.joinpath("organization.json").write_text(
        json.dumps(
            {
                "name": "organization",
                "type": "object",
                "required": ["id", "name", "description"],
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "email": {"type": "string", "format": "email"},
                    "services": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["id", "name", "status"],
                            "properties": {"status": {"type": "string"}},
                        },
                    },
                },
            }
        )
    )
    result = runner.invoke(args=["directory", "validate", "--schema-dir", str(tmp_path)])
    assert result.exit_code == 0 and "2 organizations pass." in result.output
    compiled.joinpath("organization.json").write_text(
        json.dumps({"type": "object", "required": ["alternate_name"]})
    )
    result = runner.invoke(args=["directory", "validate", "--schema-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        "'alternate_name' is a required property" in result.output
        and "2 problems in 2 organizations" in result.output
    )
    # Without a schema folder: Waymark's own reading of HSDS 3.0; with a file: that file.
    assert runner.invoke(args=["directory", "validate"]).exit_code == 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"id": "x", "name": "No description"}]))
    result = runner.invoke(args=["directory", "validate", str(bad)])
    assert result.exit_code == 1 and "'description' is a required property" in result.output
    assert "'x' is not a 'uuid'" in result.output


def _zip(organizations_csv: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("organizations.csv", organizations_csv)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("deep.json", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (
            "deep.json",
            b'{"id": "x", "name": "n", "services": ' + b"[" * 900 + b"]" * 900 + b"}",
            "nested too deeply",
        ),
        (
            "wide.zip",
            _zip(
                "id,name,description\r\n"
                + str(uuid.uuid4())
                + ",Big,"
                + "d" * (128 * 1024 + 1)
                + "\r\n"
            ),
            "A value in organizations.csv is longer than",
        ),
    ],
)
def test_hostile_files_are_refused_beside_the_field_and_nothing_is_written(
    listed, admin, as_user, name, content, message
):
    before = directory_state()
    response = upload(as_user(admin), name, content)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="file-error"' in html and message in html
    assert directory_state() == before
