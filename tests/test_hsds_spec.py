"""Waymark's Open Referral files against the specification as published (HSDS 3.0, vendored in
tests/vendor/hsds-3.0 from github.com/openreferral/specification): its examples import, Waymark's
JSON validates against its compiled schemas with formats checked, its CSV zip against its table
definitions, and Waymark's own reading of the schema is nowhere stricter than the specification."""

from __future__ import annotations

import copy
import gzip
import io
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.hsds import export, schema
from webapp.models import Provider, Role, Service
from webapp.services import directory

# What the importer and `flask directory validate` check formats with.
FORMAT_CHECKER = jsonschema.Draft202012Validator.FORMAT_CHECKER
SPEC = Path(__file__).parent / "vendor" / "hsds-3.0"
EXAMPLES = SPEC / "examples"
ORGANIZATION_ID = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"


def compiled(name: str) -> dict[str, Any]:
    return json.loads(
        gzip.decompress((SPEC / "schema" / "compiled" / f"{name}.json.gz").read_bytes())
    )


def published_datapackage() -> dict[str, Any]:
    return json.loads(gzip.decompress((SPEC / "datapackage.json.gz").read_bytes()))


def closed(node: Any) -> Any:
    """The schema with additionalProperties false on every object, as the specification's own CI
    checks its examples (compiletojsonschema --set-additional-properties-false-everywhere)."""
    if isinstance(node, dict):
        node = {key: closed(value) for key, value in node.items()}
        if node.get("type") == "object" and "properties" in node:
            node["additionalProperties"] = False
    elif isinstance(node, list):
        node = [closed(value) for value in node]
    return node


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


def upload(client, name: str, content: bytes):
    return client.post(
        "/admin/providers/import",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


@pytest.fixture
def listed(app):
    shelter = directory.save_provider(
        None,
        active=True,
        name="Harbor Light Shelter",
        description="",
        phone="+1 415 555 0100",
        email="intake@harbor.example",
        website="https://harbor.example/beds?night=1",
        address="12 Quay Street, Portside, CA, 94000",
        street="12 Quay Street",
        city="Portside",
        state_province="CA",
        postal_code="94000",
        country="USA",
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
    outreach = directory.save_provider(
        None,
        active=True,
        name="=Street Outreach",
        description="Vans at night",
        phone="",
        email="",
        website="",
        address="Under the bridge",
    )
    directory.save_service(
        outreach,
        None,
        active=False,
        name="Night van",
        category="other",
        description="",
        eligibility="",
        area="",
    )
    db.session.commit()


# --- The specification's examples import -------------------------------------------------------


def test_the_specifications_full_organization_example_imports(admin, as_user):
    response = upload(
        as_user(admin), "organization_full.json", (EXAMPLES / "organization_full.json").read_bytes()
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[-3000:]
    assert "2 created, 0 updated, 0 unchanged" in html
    provider = db.session.scalar(sa.select(Provider).where(Provider.hsds_id == ORGANIZATION_ID))
    assert provider.name == "Example Organization Inc."
    assert provider.website == "http://example.com" and provider.email == "email@example.com"
    # The number as published, quotation marks and all; its extension (a number) is not kept.
    assert provider.phone == '"+44 1234 234567"'
    assert (provider.street, provider.city, provider.state_province) == (
        "1-30 Main Street, MyVillage",
        "MyCity",
        "MyState",
    )
    assert (provider.postal_code, provider.country) == ("ABC 1234", "US")
    assert provider.address == "1-30 Main Street, MyVillage, MyCity, MyState, ABC 1234"
    (service,) = provider.services
    assert (service.hsds_id, service.name, service.active) == (
        SERVICE_ID,
        "Community Counselling",
        True,
    )
    # Its attribute names a term of another taxonomy, and no taxonomy_term_id: "other".
    assert service.category == "other"
    assert service.eligibility.startswith("This service is intended for all people aged 12")


def test_the_specifications_organization_page_imports(admin, as_user):
    response = upload(
        as_user(admin), "organization_list.json", (EXAMPLES / "organization_list.json").read_bytes()
    )
    assert response.status_code == 200, response.get_data(as_text=True)[-3000:]
    assert "1 created, 0 updated, 0 unchanged" in response.get_data(as_text=True)
    provider = db.session.scalar(sa.select(Provider))
    assert (provider.hsds_id, provider.name) == (ORGANIZATION_ID, "Example Organization Inc.")


@pytest.mark.parametrize("example", ["service_full.json", "service_list.json"])
def test_the_specifications_service_examples_import_as_services_of_their_organization(
    admin, as_user, example
):
    """A service carries its organization inside it: the organization comes in (new to the
    directory) and the service goes into it. Before, a page of services became providers named
    after the services."""
    response = upload(as_user(admin), example, (EXAMPLES / example).read_bytes())
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[-3000:]
    assert "2 created, 0 updated, 0 unchanged" in html
    (provider,) = db.session.scalars(sa.select(Provider)).all()
    assert (provider.hsds_id, provider.name, provider.active) == (
        ORGANIZATION_ID,
        "Example Organization Inc.",
        True,
    )
    assert [(s.hsds_id, s.name) for s in provider.services] == [
        (SERVICE_ID, "Community Counselling")
    ]
    assert db.session.scalar(sa.select(Provider).where(Provider.hsds_id == SERVICE_ID)) is None


def test_a_service_file_leaves_a_known_organization_as_it_is(admin, as_user):
    client = as_user(admin)
    upload(client, "org.json", (EXAMPLES / "organization_list.json").read_bytes())
    provider = db.session.scalar(sa.select(Provider))
    provider.description = "Changed here since"
    db.session.commit()
    page = json.loads((EXAMPLES / "service_list.json").read_bytes())
    response = upload(client, "services.json", json.dumps(page).encode())
    assert "1 created, 0 updated, 0 unchanged" in response.get_data(as_text=True)
    db.session.refresh(provider)
    assert provider.description == "Changed here since"
    assert [s.name for s in provider.services] == ["Community Counselling"]
    # Naming the organization by id alone does as well.
    service = page["contents"][0]
    del service["organization"]
    service |= {"organization_id": ORGANIZATION_ID, "name": "Group counselling"}
    response = upload(client, "service.json", json.dumps(service).encode())
    assert "0 created, 1 updated, 0 unchanged" in response.get_data(as_text=True)
    db.session.refresh(provider)
    assert [s.name for s in provider.services] == ["Group counselling"]


def test_a_service_whose_organization_is_unknown_and_not_in_the_file_is_refused(admin, as_user):
    page = json.loads((EXAMPLES / "service_list.json").read_bytes())
    del page["contents"][0]["organization"]
    unknown = str(uuid.uuid4())
    orphan = copy.deepcopy(page["contents"][0]) | {
        "id": str(uuid.uuid4()),
        "organization_id": unknown,
    }
    page["contents"].append(orphan)
    response = upload(as_user(admin), "services.json", json.dumps(page).encode())
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was imported" in html and "2 of 2 services in the file have problems" in html
    assert "it names no organization (organization_id, or the organization inside it)" in html
    assert f"its organization ({unknown}) is neither in the directory nor in the file" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Provider)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Service)) == 0


@pytest.mark.parametrize(
    "document, message",
    [
        (
            {"contents": [{"id": str(uuid.uuid4()), "location_type": "physical"}]},
            "The file holds locations",
        ),
        (
            [{"id": str(uuid.uuid4()), "name": "n", "description": "d", "taxonomy": "x"}],
            "The file holds taxonomy terms",
        ),
        (
            [
                {"id": str(uuid.uuid4()), "name": "An organization", "description": ""},
                {"id": str(uuid.uuid4()), "name": "A service", "status": "active"},
            ],
            "The file mixes organizations and services (record 2 is not like the first)",
        ),
    ],
)
def test_what_waymark_does_not_import_is_refused_saying_what_the_file_holds(
    admin, as_user, document, message
):
    response = upload(as_user(admin), "other.json", json.dumps(document).encode())
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="file-error"' in html and message in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Provider)) == 0


def test_the_specifications_tabular_example_imports(admin, as_user):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for table in sorted((EXAMPLES / "csv").glob("*.csv")):
            archive.write(table, table.name)
    response = upload(as_user(admin), "example.zip", buffer.getvalue())
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[-3000:]
    assert "2 created, 0 updated, 0 unchanged" in html
    provider = db.session.scalar(sa.select(Provider))
    assert provider.hsds_id == ORGANIZATION_ID
    assert [s.hsds_id for s in provider.services] == [SERVICE_ID]


def test_a_services_zip_goes_into_known_providers_or_is_refused(listed, admin, as_user):
    shelter = db.session.scalar(sa.select(Provider).where(Provider.name == "Harbor Light Shelter"))
    new_id, orphan_id = str(uuid.uuid4()), str(uuid.uuid4())
    services_csv = (
        "id,organization_id,name,status\r\n"
        f"{new_id},{shelter.hsds_id},Day centre,active\r\n"
        f"{orphan_id},{uuid.uuid4()},Lost service,active\r\n"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("services.csv", services_csv)
    response = upload(as_user(admin), "services.zip", buffer.getvalue())
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "1 of 2 services in the file have problems" in html
    assert "Lost service" in html and "is neither in the directory nor in the file" in html
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("services.csv", services_csv.rsplit("\r\n", 2)[0] + "\r\n")
    response = upload(as_user(admin), "services.zip", buffer.getvalue())
    assert response.status_code == 200 and "1 created" in response.get_data(as_text=True)
    db.session.refresh(shelter)
    assert "Day centre" in [s.name for s in shelter.services]


def test_a_three_letter_country_is_valid_hsds_and_imports(admin, as_user):
    organization = json.loads((EXAMPLES / "organization_full.json").read_bytes())
    organization["locations"][0]["addresses"][0]["country"] = "USA"
    response = upload(as_user(admin), "org.json", json.dumps(organization).encode())
    assert response.status_code == 200, response.get_data(as_text=True)[-3000:]
    assert db.session.scalar(sa.select(Provider.country)) == "USA"


# --- Waymark's exports against the published schemas and table definitions -------------------


def test_the_json_export_validates_against_the_published_compiled_schema(listed, app):
    page = export.as_json()
    assert page["contents"], "nothing exported"
    validator = jsonschema.Draft202012Validator(
        closed(compiled("organization")), format_checker=FORMAT_CHECKER
    )
    problems = [
        f"{organization['name']}: {error.json_path}: {error.message}"
        for organization in page["contents"]
        for error in validator.iter_errors(organization)
    ]
    assert problems == []
    shelter = next(org for org in page["contents"] if org["name"] == "Harbor Light Shelter")
    assert shelter["locations"][0]["addresses"][0]["country"] == "USA"


def test_the_cli_checks_the_export_against_the_vendored_specification(listed, app):
    runner = app.test_cli_runner()
    schema_dir = str(SPEC / "schema")
    result = runner.invoke(args=["directory", "validate", "--schema-dir", schema_dir])
    assert result.exit_code == 0, result.output
    assert "2 organizations pass." in result.output
    # A website that is not a URI (written past the form) fails: formats are really checked.
    shelter = db.session.scalar(sa.select(Provider).where(Provider.name == "Harbor Light Shelter"))
    shelter.website = "https://harbor example/beds"
    db.session.commit()
    result = runner.invoke(args=["directory", "validate", "--schema-dir", schema_dir])
    assert result.exit_code == 1
    assert "'https://harbor example/beds' is not a 'uri'" in result.output


def test_the_cli_checks_a_service_file_against_the_published_service_schema(app, tmp_path):
    runner = app.test_cli_runner()
    schema_dir = str(SPEC / "schema")
    result = runner.invoke(
        args=[
            "directory",
            "validate",
            "--schema-dir",
            schema_dir,
            str(EXAMPLES / "service_full.json"),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "0 organizations, 1 services pass." in result.output
    service = json.loads((EXAMPLES / "service_full.json").read_bytes())
    service["url"] = "http://example.com/a|b"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(service))
    result = runner.invoke(args=["directory", "validate", "--schema-dir", schema_dir, str(bad)])
    assert result.exit_code == 1 and "is not a 'uri'" in result.output


@pytest.mark.parametrize(
    "fmt, good, bad",
    [
        ("uri", "https://example.org/a%20b?x=1", "https://exa mple.org"),
        ("uri", "https://xn--bcher-kva.example/", "https://bücher.example/"),
        ("uri", "https://example.org/", "https://example.org/a|b"),
        ("uri", "https://example.org/%41", "https://example.org/%zz"),
        ("email", "intake@harbor.example", "intake.harbor.example"),
        ("uuid", str(uuid.uuid4()), "org-6"),
        ("date", "2024-05-16", "2024-02-30"),
        ("date-time", "2023-03-15T10:30:45.123Z", "2023-03-15 10:30"),
    ],
)
def test_formats_are_really_checked_not_silently_skipped(fmt, good, bad):
    """jsonschema checks "uri" and "date-time" only with its optional format packages installed;
    without them every value passes."""
    assert FORMAT_CHECKER.conforms(good, fmt)
    assert not FORMAT_CHECKER.conforms(bad, fmt)


def _resources(package: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {resource["path"]: resource for resource in package["resources"]}


def test_the_zips_table_definitions_are_the_published_ones(listed, admin, as_user):
    archive = zipfile.ZipFile(io.BytesIO(as_user(admin).get("/admin/providers/export.zip").data))
    ours = json.loads(archive.read("datapackage.json"))
    assert ours["profile"] == "tabular-data-package"
    published = _resources(published_datapackage())
    written = {name for name in archive.namelist() if name.endswith(".csv")}
    assert set(_resources(ours)) == written
    for path, resource in _resources(ours).items():
        theirs = published[path]
        assert resource["name"] == theirs["name"]
        keep = ("name", "type", "format", "constraints")
        assert resource["schema"]["fields"] == [
            {key: field[key] for key in keep if key in field}
            for field in theirs["schema"]["fields"]
        ]
        assert resource["schema"].get("primaryKey") == theirs["schema"].get("primaryKey")
        names = {published[p]["name"] for p in written}
        assert resource["schema"].get("foreignKeys", []) == [
            key
            for key in theirs["schema"].get("foreignKeys", [])
            if key["reference"]["resource"] in names
        ]


def test_the_csv_zip_validates_against_the_published_table_definitions(
    listed, admin, as_user, tmp_path
):
    """Checked by frictionless, Data Package's reference implementation and what the
    specification's own CI runs on its tabular example, against the published datapackage.json
    narrowed to the tables in the zip (as the specification's examples/make_datapackages.py does):
    column names and order, required fields (an empty cell is a missing value), types and formats,
    code lists, unique and primary keys, and foreign keys between the tables."""
    import frictionless

    archive = zipfile.ZipFile(io.BytesIO(as_user(admin).get("/admin/providers/export.zip").data))
    archive.extractall(tmp_path)
    package = published_datapackage()
    written = {name for name in archive.namelist() if name.endswith(".csv")}
    package["resources"] = [r for r in package["resources"] if r["path"] in written]
    names = {r["name"] for r in package["resources"]}
    for resource in package["resources"]:
        keys = [
            key
            for key in resource["schema"].get("foreignKeys", [])
            if key["reference"]["resource"] in names
        ]
        resource["schema"]["foreignKeys"] = keys
    descriptor = tmp_path / "published.json"
    descriptor.write_text(json.dumps(package))
    report = frictionless.validate(str(descriptor))
    assert report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"]) == []
    assert report.valid
    # Every table has rows, so each definition was exercised (formats included).
    for name in written:
        assert archive.read(name).count(b"\r\n") >= 2, name
    # frictionless's own "uri" check lets spaces and '|' through: the URI columns are checked
    # with the same format checker as the JSON.
    import csv

    for resource in package["resources"]:
        uris = [f["name"] for f in resource["schema"]["fields"] if f.get("format") == "uri"]
        for row in csv.DictReader(io.StringIO(archive.read(resource["path"]).decode())):
            for column in uris:
                assert not row[column] or FORMAT_CHECKER.conforms(row[column], "uri")


def test_the_csv_zip_with_a_provider_without_a_description_still_validates(
    listed, admin, as_user, tmp_path
):
    """organizations.csv's description is required: a provider without one is described by its
    name, and the import reads that back as no description."""
    client = as_user(admin)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/admin/providers/export.zip").data))
    import csv

    rows = list(csv.DictReader(io.StringIO(archive.read("organizations.csv").decode())))
    shelter = next(row for row in rows if row["name"] == "Harbor Light Shelter")
    assert shelter["description"] == "Harbor Light Shelter"
    outreach = next(row for row in rows if row["name"] == "'=Street Outreach")
    assert outreach["description"] == "Vans at night"
    exported = client.get("/admin/providers/export.zip").data
    db.session.execute(sa.delete(Service))
    db.session.execute(sa.delete(Provider))
    db.session.commit()
    assert upload(client, "directory.zip", exported).status_code == 200
    provider = db.session.scalar(sa.select(Provider).where(Provider.name == "Harbor Light Shelter"))
    assert provider.description == ""
    assert (provider.street, provider.country) == ("12 Quay Street", "USA")
    assert (
        db.session.scalar(sa.select(Provider.name).where(Provider.address == "Under the bridge"))
        == "=Street Outreach"
    )


# --- Waymark's reading of the schema is never stricter than the specification's ----------------


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("type", [])
    return set([value] if isinstance(value, str) else value)


def _stricter(ours: dict[str, Any], theirs: dict[str, Any], where: str) -> list[str]:
    """Where `ours` refuses something `theirs` accepts: more required fields, a narrower type, a
    code list missing a code, a format or a length the specification does not ask for."""
    problems = []
    extra = set(ours.get("required", [])) - set(theirs.get("required", []))
    if extra:
        problems.append(f"{where}: requires {sorted(extra)}")
    for name, mine in ours.get("properties", {}).items():
        spec = theirs.get("properties", {}).get(name)
        at = f"{where}.{name}"
        if spec is None:
            problems.append(f"{at}: not in the specification")
            continue
        if spec.get("type") == "array":
            problems += _stricter(mine.get("items", {}), spec.get("items", {}), f"{at}[]")
            continue
        if spec.get("type") == "object":
            problems += _stricter(mine, spec, at)
            continue
        if "enum" in mine:
            if not set(spec.get("enum", [])) or set(spec["enum"]) - set(mine["enum"]):
                problems.append(f"{at}: a code list narrower than {spec.get('enum')}")
        elif spec.get("type") not in _types(mine):
            problems.append(f"{at}: {mine.get('type')} where the specification has {spec['type']}")
        if mine.get("format") not in (None, spec.get("format")):
            problems.append(f"{at}: format {mine['format']} the specification does not ask for")
        for limit in ("minLength", "maxLength", "pattern", "minimum", "maximum"):
            # Ids Waymark does not keep need not be UUIDs: 1 to 36 characters is looser than one.
            if limit in mine and limit not in spec and spec.get("format") != "uuid":
                problems.append(f"{at}: {limit} the specification does not have")
    return problems


@pytest.mark.parametrize(
    "ours, name",
    [(schema.ORGANIZATION, "organization"), (schema.SERVICE_ON_ITS_OWN, "service")],
)
def test_waymarks_schema_is_nowhere_stricter_than_the_published_one(ours, name):
    assert _stricter(ours, compiled(name), name) == []


def test_the_comparison_notices_what_was_stricter_before():
    """The rules this issue found stricter than the specification, as they were."""
    before = copy.deepcopy(schema.ORGANIZATION)
    phone = before["properties"]["phones"]["items"]
    phone["properties"]["extension"] = {"type": ["string", "null"]}
    address = before["properties"]["locations"]["items"]["properties"]["addresses"]["items"]
    address["properties"]["country"] = {"type": "string", "minLength": 2, "maxLength": 2}
    service = before["properties"]["services"]["items"]
    service["properties"]["attributes"]["items"]["required"] = ["id", "taxonomy_term_id"]
    assert _stricter(before, compiled("organization"), "organization") == [
        "organization.phones[].extension: ['string', 'null'] where the specification has number",
        "organization.locations[].addresses[].country: minLength the specification does not have",
        "organization.locations[].addresses[].country: maxLength the specification does not have",
        "organization.services[].attributes[]: requires ['taxonomy_term_id']",
        # (one phone rule for the organization's phones and its services')
        "organization.services[].phones[].extension: ['string', 'null'] where the specification "
        "has number",
    ]
