"""The directory as HSDS 3.0: JSON (a page of organizations, everything nested) or tabular CSV."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models import Provider, Service, ServiceCategory
from webapp.text import safe_cell

CATEGORY_TAXONOMY = "waymark-service-categories"
CATEGORY_LABELS = {category.value: category.label for category in ServiceCategory}
# Ids of the records Waymark keeps inside a provider or service (its phone, its address, its area,
# its category) are derived from the owner's id, so every export names them the same.
_NAMESPACE = uuid.UUID("5f0c3c7e-9a57-4d1f-9b0e-4a7c6b1f2d10")


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
    ) | {"service_areas": [], "attributes": []}
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
        # Waymark keeps an address as one line; HSDS's address needs it in parts, so the line is the
        # location's description.
        record["locations"].append(
            {
                "id": derived_id(provider.hsds_id, "location"),
                "organization_id": provider.hsds_id,
                "location_type": "physical",
                "name": provider.name,
                "description": provider.address,
                "addresses": [],
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


# The HSDS tables Waymark writes and reads, with their columns.
TABLES: dict[str, list[str]] = {
    "organizations.csv": ["id", "name", "description", "email", "website"],
    "phones.csv": ["id", "organization_id", "service_id", "number"],
    "locations.csv": ["id", "organization_id", "location_type", "name", "description"],
    "services.csv": [
        "id",
        "organization_id",
        "name",
        "description",
        "eligibility_description",
        "status",
    ],
    "service_areas.csv": ["id", "service_id", "name"],
    "taxonomy_terms.csv": ["id", "code", "name", "description", "taxonomy"],
    "attributes.csv": ["id", "link_id", "link_type", "link_entity", "taxonomy_term_id"],
}


def tables(page: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """A page of nested organizations as HSDS's flat tables."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    terms: dict[str, dict[str, Any]] = {}
    for organization in page["contents"]:
        rows["organizations.csv"].append(organization)
        rows["phones.csv"].extend(organization.get("phones", []))
        rows["locations.csv"].extend(organization.get("locations", []))
        for service in organization.get("services", []):
            rows["services.csv"].append(service)
            rows["service_areas.csv"].extend(service.get("service_areas", []))
            for attribute in service.get("attributes", []):
                rows["attributes.csv"].append(attribute)
                if attribute.get("taxonomy_term"):
                    terms[attribute["taxonomy_term"]["id"]] = attribute["taxonomy_term"]
    rows["taxonomy_terms.csv"] = list(terms.values())
    return rows


def as_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, records in tables(as_json()).items():
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow(TABLES[name])
            for record in records:
                writer.writerow([safe_cell(record.get(column)) for column in TABLES[name]])
            archive.writestr(name, text.getvalue())
    return buffer.getvalue()
