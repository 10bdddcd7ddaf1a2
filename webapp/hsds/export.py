"""The directory as HSDS 3.0: JSON (a page of organizations, everything nested) or tabular CSV
(a zip of the specification's tables with their table definitions, a Tabular Data Package)."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
import zipfile
from functools import cache
from importlib import resources
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models import Provider, Service, ServiceCategory

CATEGORY_TAXONOMY = "waymark-service-categories"
CATEGORY_LABELS = {category.value: category.label for category in ServiceCategory}
# Ids of the records Waymark keeps inside a provider or service (its phone, its address, its area,
# its category) are derived from the owner's id, so every export names them the same.
_NAMESPACE = uuid.UUID("5f0c3c7e-9a57-4d1f-9b0e-4a7c6b1f2d10")
# The parts Open Referral requires of an address: a provider's address goes out as an HSDS address
# only when it has them all (a CSV's empty cell is a missing value, which a required field refuses).
ADDRESS_REQUIRED = ("street", "city", "state_province", "postal_code", "country")


def derived_id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def _providers() -> list[Provider]:
    return list(
        db.session.scalars(
            sa.select(Provider)
            .options(so.selectinload(Provider.services))
            .order_by(Provider.name, Provider.id)
        )
    )


def _present(record: dict[str, Any]) -> dict[str, Any]:
    """HSDS types optional fields as strings: an empty one is left out, never written as null."""
    return {key: value for key, value in record.items() if value not in (None, "")}


def term(category: str) -> dict[str, Any]:
    label = CATEGORY_LABELS.get(category, category)
    return {
        "id": derived_id("category", category),
        "code": category,
        "name": label,
        "description": label,
        "taxonomy": CATEGORY_TAXONOMY,
    }


def service_record(service: Service, provider: Provider) -> dict[str, Any]:
    record: dict[str, Any] = _present(
        {
            "id": service.hsds_id,
            "organization_id": provider.hsds_id,
            "name": service.name,
            "description": service.description,
            "eligibility_description": service.eligibility,
            # A provider taken out of the directory takes its services with it.
            "status": "active" if service.active and provider.active else "inactive",
        }
    ) | {"service_areas": [], "schedules": [], "required_documents": [], "attributes": []}
    # The referral slip's opening hours and what to bring, in words: a schedule's description and a
    # required document (Waymark keeps no structured opening times).
    if service.hours:
        record["schedules"].append(
            {
                "id": derived_id(service.hsds_id, "hours"),
                "service_id": service.hsds_id,
                "description": service.hours,
            }
        )
    if service.what_to_bring:
        record["required_documents"].append(
            {
                "id": derived_id(service.hsds_id, "what-to-bring"),
                "service_id": service.hsds_id,
                "document": service.what_to_bring,
            }
        )
    if service.area:
        record["service_areas"].append(
            {
                "id": derived_id(service.hsds_id, "area"),
                "service_id": service.hsds_id,
                "name": service.area,
            }
        )
    if service.category:
        category = term(service.category)
        record["attributes"].append(
            {
                "id": derived_id(service.hsds_id, "category"),
                "link_id": service.hsds_id,
                "link_type": "category",
                "link_entity": "service",
                "taxonomy_term_id": category["id"],
                "taxonomy_term": category,
            }
        )
    return record


def address_record(provider: Provider, location_id: str) -> dict[str, Any] | None:
    """The provider's address as HSDS's `address`, when it has every part HSDS requires."""
    if not all(getattr(provider, part) for part in ADDRESS_REQUIRED):
        return None
    return {
        "id": derived_id(provider.hsds_id, "address"),
        "location_id": location_id,
        "address_1": provider.street,
        "city": provider.city,
        "state_province": provider.state_province,
        "postal_code": provider.postal_code,
        "country": provider.country,
        "address_type": "physical",
    }


def organization_record(provider: Provider) -> dict[str, Any]:
    record: dict[str, Any] = {
        # The specification requires a description, empty or not.
        "id": provider.hsds_id,
        "name": provider.name,
        "description": provider.description or "",
        **_present({"email": provider.email, "website": provider.website}),
        "phones": [],
        "locations": [],
        "services": [service_record(service, provider) for service in provider.services],
    }
    if provider.phone:
        record["phones"].append(
            {
                "id": derived_id(provider.hsds_id, "phone"),
                "organization_id": provider.hsds_id,
                "number": provider.phone,
            }
        )
    if provider.address:
        # The one line people read is the location's description; the parts, when complete, are
        # its address.
        location_id = derived_id(provider.hsds_id, "location")
        address = address_record(provider, location_id)
        record["locations"].append(
            {
                "id": location_id,
                "organization_id": provider.hsds_id,
                "location_type": "physical",
                "name": provider.name,
                "description": provider.address,
                "addresses": [address] if address else [],
            }
        )
    return record


def as_json() -> dict[str, Any]:
    contents = [organization_record(provider) for provider in _providers()]
    return {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }


@cache
def datapackage() -> dict[str, Any]:
    """The package descriptor the zip carries: the specification's own table definitions
    (datapackage.json at HSDS 3.0) for the tables Waymark writes, their fields in the published
    order, with names, types, formats and constraints (tests/test_hsds_spec.py compares them with
    the published file)."""
    text = resources.files("webapp.hsds").joinpath("datapackage.json").read_text("utf-8")
    return json.loads(text)


@cache
def _tables() -> dict[str, list[str]]:
    return {
        resource["path"]: [field["name"] for field in resource["schema"]["fields"]]
        for resource in datapackage()["resources"]
    }


# The HSDS tables Waymark writes and reads, with all their columns in the specification's order.
TABLES: dict[str, list[str]] = _tables()

# A spreadsheet runs a cell starting with one of these; in an HSDS table such a value is neutralised
# with a leading apostrophe (the import takes it off again).
_ALWAYS_RUN = ("=", "@", "\t", "\r", "\n", "\uff1d", "\uff20")
_SIGNS = ("+", "-", "\uff0b", "\uff0d")
# …but "+1 415 555 0100", "-12.5" and "+44 (0)20 7946 0000 ext 12" are data, left as they are.
_PHONE_OR_NUMBER = re.compile(r"[+-][\d\s().\-/]*(?:\s*(?:x|ext\.?)\s*\d+)?", re.IGNORECASE)


def hsds_cell(value: Any) -> str:
    """A value for an HSDS CSV table. The tables are a data exchange format, read by other systems,
    so values go out as they are, with one exception for the person who opens the file in a
    spreadsheet: a value that would run as a formula and cannot be a phone number or a number (it
    starts with = or @, or with + or - followed by anything but digits and phone punctuation) gets
    a leading apostrophe."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_ALWAYS_RUN) or (
        text.startswith(_SIGNS) and not _PHONE_OR_NUMBER.fullmatch(text)
    ):
        return "'" + text
    return text


def tables(page: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """A page of nested organizations as HSDS's flat tables."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    terms: dict[str, dict[str, Any]] = {}
    for organization in page["contents"]:
        rows["organizations.csv"].append(
            # The table definitions require a description, and an empty cell is a missing value: a
            # provider without one is described by its name (the import reads that as none).
            {**organization, "description": organization["description"] or organization["name"]}
        )
        rows["phones.csv"].extend(organization.get("phones", []))
        for location in organization.get("locations", []):
            rows["locations.csv"].append(location)
            rows["addresses.csv"].extend(location.get("addresses", []))
        for service in organization.get("services", []):
            rows["services.csv"].append(service)
            rows["service_areas.csv"].extend(service.get("service_areas", []))
            rows["schedules.csv"].extend(service.get("schedules", []))
            rows["required_documents.csv"].extend(service.get("required_documents", []))
            for attribute in service.get("attributes", []):
                rows["attributes.csv"].append(attribute)
                if attribute.get("taxonomy_term"):
                    terms[attribute["taxonomy_term"]["id"]] = attribute["taxonomy_term"]
    rows["taxonomy_terms.csv"] = list(terms.values())
    return rows


def as_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(datapackage(), indent=1) + "\n")
        for name, records in tables(as_json()).items():
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow(TABLES[name])
            for record in records:
                writer.writerow([hsds_cell(record.get(column)) for column in TABLES[name]])
            archive.writestr(name, text.getvalue())
    return buffer.getvalue()
