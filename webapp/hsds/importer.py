"""Reading an HSDS file into the directory: all of it, or (if anything is wrong) none of it."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

import jsonschema
import sqlalchemy as sa

from webapp.extensions import db
from webapp.hsds.export import CATEGORY_TAXONOMY, TABLES
from webapp.hsds.schema import ORGANIZATION
from webapp.models import Provider, Service, ServiceCategory
from webapp.services import directory
from webapp.text import without_controls

MAX_ORGANIZATIONS = 10_000
MAX_UNZIPPED_BYTES = 20 * 1024 * 1024
# An HSDS organization nests about eight levels (organization, services, attributes, taxonomy
# term…).
MAX_DEPTH = 32
TOO_DEEP = (
    f"The file is nested too deeply: HSDS records nest a few levels, at most {MAX_DEPTH} are read."
)
CATEGORIES = {category.value for category in ServiceCategory}
# Waymark's own limits on what a directory entry holds (the admin forms' limits).
LIMITS = {
    "name": 200,
    "description": 4000,
    "email": 254,
    "website": 500,
    "phone": 40,
    "address": 500,
    "eligibility": 4000,
    "area": 200,
}
_VALIDATOR = jsonschema.Draft202012Validator(
    ORGANIZATION, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)


class UnreadableFile(ValueError):
    """The file is not HSDS JSON or a zip of HSDS tables; nothing in it was looked at."""


@dataclass
class Rejection:
    name: str
    hsds_id: str
    reasons: list[str]


@dataclass
class _Entry:
    hsds_id: str
    fields: dict[str, Any]
    active: bool


@dataclass
class _Organization(_Entry):
    services: list[_Entry] = field(default_factory=list)


@dataclass
class Plan:
    """What a file would do, worked out before anything is written."""

    organizations: list[_Organization] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


@dataclass
class Result:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


# --- Reading the file -------------------------------------------------------------------------


def read(filename: str, data: bytes) -> list[Any]:
    """The organizations in an uploaded file, as HSDS JSON objects."""
    if filename.lower().endswith(".zip"):
        return _from_zip(data)
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UnreadableFile(f"This is not a JSON file ({error}).") from None
    except RecursionError:
        raise UnreadableFile(TOO_DEEP) from None
    if _depth(document) > MAX_DEPTH:
        # Checking a record walks it recursively: a file the parser could read may still be too deep
        # for that.
        raise UnreadableFile(TOO_DEEP)
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        organizations = document["contents"]  # a page of results, as the HSDS API answers
    elif isinstance(document, list):
        organizations = document
    elif isinstance(document, dict):
        organizations = [document]  # one organization
    else:
        raise UnreadableFile("The file holds neither an organization nor a list of organizations.")
    if len(organizations) > MAX_ORGANIZATIONS:
        raise UnreadableFile(f"At most {MAX_ORGANIZATIONS:,} organizations at a time.")
    return organizations


def _from_zip(data: bytes) -> list[Any]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = {
            info.filename.rsplit("/", 1)[-1]: info
            for info in archive.infolist()
            if not info.is_dir()
        }
    except zipfile.BadZipFile:
        raise UnreadableFile("This is not a zip file.") from None
    if "organizations.csv" not in members:
        raise UnreadableFile("The zip has no organizations.csv.")
    wanted = [members[name] for name in TABLES if name in members]
    if sum(info.file_size for info in wanted) > MAX_UNZIPPED_BYTES:
        raise UnreadableFile("The tables are too large once unzipped.")
    tables: dict[str, list[dict[str, str]]] = {}
    for info in wanted:
        try:
            text = archive.read(info).decode("utf-8-sig")
        except (UnicodeDecodeError, zipfile.BadZipFile, RuntimeError) as error:
            raise UnreadableFile(
                f"{info.filename} cannot be read as UTF-8 text ({error})."
            ) from None
        name = info.filename.rsplit("/", 1)[-1]
        try:
            tables[name] = [
                {key: _unprotect(value) for key, value in row.items() if key is not None}
                for row in csv.DictReader(io.StringIO(text))
            ]
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise UnreadableFile(
                    f"A value in {name} is longer than {csv.field_size_limit():,} characters."
                ) from None
            raise UnreadableFile(f"{name} cannot be read as a CSV table ({error}).") from None
    return _nest(tables)


def _depth(document: Any) -> int:
    """How deeply lists and objects nest, counted without recursion."""
    deepest, pending = 0, [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_DEPTH:
                pending.extend(
                    (child, depth + 1)
                    for child in (value.values() if isinstance(value, dict) else value)
                )
    return deepest


def _unprotect(value: str | None) -> str | None:
    """Undo the apostrophe our CSV export puts before a value a spreadsheet would run."""
    if value and value.startswith("'") and value[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        return value[1:]
    return value if value != "" else None


def _nest(tables: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """HSDS's flat tables back into nested organizations."""
    terms = {row.get("id"): row for row in tables.get("taxonomy_terms.csv", [])}
    by_link: dict[str, list] = {}
    for row in tables.get("attributes.csv", []):
        attribute = dict(row)
        if attribute.get("taxonomy_term_id") in terms:
            attribute["taxonomy_term"] = terms[attribute["taxonomy_term_id"]]
        by_link.setdefault(row.get("link_id"), []).append(attribute)
    areas: dict[str, list] = {}
    for row in tables.get("service_areas.csv", []):
        areas.setdefault(row.get("service_id"), []).append(row)
    services: dict[str, list] = {}
    for row in tables.get("services.csv", []):
        service = {
            **row,
            "service_areas": areas.get(row.get("id"), []),
            "attributes": by_link.get(row.get("id"), []),
        }
        services.setdefault(row.get("organization_id"), []).append(service)
    phones: dict[str, list] = {}
    for row in tables.get("phones.csv", []):
        if row.get("organization_id") and not row.get("service_id"):
            phones.setdefault(row["organization_id"], []).append(row)
    locations: dict[str, list] = {}
    for row in tables.get("locations.csv", []):
        locations.setdefault(row.get("organization_id"), []).append({**row, "addresses": []})
    organizations = []
    for row in tables["organizations.csv"]:
        key = row.get("id")
        organizations.append(
            {
                **row,
                "description": row.get("description") or "",
                "phones": phones.get(key, []),
                "locations": locations.get(key, []),
                "services": services.get(key, []),
            }
        )
    if len(organizations) > MAX_ORGANIZATIONS:
        raise UnreadableFile(f"At most {MAX_ORGANIZATIONS:,} organizations at a time.")
    return organizations


# --- Checking every record -------------------------------------------------------------------


def schema_problems(organizations: list[Any], schema: dict[str, Any] | None = None) -> list[str]:
    """Every way the organizations differ from `schema` (default: Waymark's reading of HSDS 3.0;
    pass the specification's own schema/compiled/organization.json to check against it)."""
    validator = (
        _VALIDATOR
        if schema is None
        else jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)(
            schema, format_checker=jsonschema.FormatChecker()
        )
    )
    problems = []
    for index, organization in enumerate(organizations):
        name = organization.get("name") if isinstance(organization, dict) else None
        for error in validator.iter_errors(organization):
            problems.append(
                f"organization {index + 1} ({name or 'no name'}), {_where(error)}: {error.message}"[
                    :300
                ]
            )
    return problems


def _where(error: jsonschema.ValidationError) -> str:
    path = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path
    )
    return path.lstrip(".") or "the organization"


def _clean(value: Any) -> str:
    # Control characters out, as the directory's own forms take them out (PostgreSQL refuses NUL).
    return without_controls(value, multiline=True).strip() if isinstance(value, str) else ""


def _check_length(reasons: list[str], where: str, name: str, value: str) -> None:
    if len(value) > LIMITS[name]:
        reasons.append(f"{where}: {name} is longer than {LIMITS[name]} characters.")


def _address(organization: dict[str, Any]) -> str:
    for location in organization.get("locations") or []:
        for address in location.get("addresses") or []:
            parts = [
                address.get(key)
                for key in ("address_1", "address_2", "city", "state_province", "postal_code")
            ]
            return ", ".join(_clean(part) for part in parts if _clean(part))
        if _clean(location.get("description")):
            return _clean(location["description"])
    return ""


def _category(service: dict[str, Any]) -> str | None:
    """Our category from the service's attributes, "other" for a term we do not know, None for
    none."""
    found = None
    for attribute in service.get("attributes") or []:
        term = attribute.get("taxonomy_term") or {}
        code = _clean(term.get("code"))
        if code in CATEGORIES and term.get("taxonomy") in (None, "", CATEGORY_TAXONOMY):
            return code
        found = "other"
    return found


def plan(organizations: list[Any]) -> Plan:
    result = Plan()
    seen: set[str] = set()
    known_services = dict(
        db.session.execute(
            sa.select(Service.hsds_id, Provider.hsds_id).join(
                Provider, Provider.id == Service.provider_id
            )
        ).all()
    )
    for index, organization in enumerate(organizations):
        name = _clean(organization.get("name")) if isinstance(organization, dict) else ""
        hsds_id = _clean(organization.get("id")) if isinstance(organization, dict) else ""
        reasons = [
            f"{_where(error)}: {error.message}"[:300]
            for error in sorted(
                _VALIDATOR.iter_errors(organization), key=lambda error: list(error.absolute_path)
            )
        ]
        if reasons:
            result.rejected.append(Rejection(name or f"Organization {index + 1}", hsds_id, reasons))
            continue
        fields = {
            "name": name,
            "description": _clean(organization.get("description")),
            "email": _clean(organization.get("email")),
            "website": _clean(organization.get("website")),
            "phone": next(
                (_clean(phone["number"]) for phone in organization.get("phones") or []), ""
            ),
            "address": _address(organization),
        }
        for key, value in fields.items():
            _check_length(reasons, "the organization", key, value)
        if fields["website"] and not fields["website"].startswith(("https://", "http://")):
            reasons.append("website: give a full web address (https://…).")
        if fields["email"] and "@" not in fields["email"]:
            reasons.append("email: not an email address.")
        if hsds_id in seen:
            reasons.append(f"id {hsds_id} appears twice in the file.")
        seen.add(hsds_id)
        entry = _Organization(hsds_id, fields, active=True)
        for number, service in enumerate(organization.get("services") or []):
            where = f"services[{number}]"
            service_id = _clean(service["id"])
            if service_id in seen:
                reasons.append(f"{where}: id {service_id} appears twice in the file.")
            seen.add(service_id)
            if _clean(service.get("organization_id")) not in ("", hsds_id):
                reasons.append(f"{where}: organization_id is not this organization's id.")
            if known_services.get(service_id, hsds_id) != hsds_id:
                reasons.append(
                    f"{where}: this service belongs to another organization in the directory."
                )
            service_fields = {
                "name": _clean(service["name"]),
                "description": _clean(service.get("description")),
                "eligibility": _clean(service.get("eligibility_description")),
                "area": next(
                    (
                        _clean(area.get("name"))
                        for area in service.get("service_areas") or []
                        if _clean(area.get("name"))
                    ),
                    "",
                ),
            }
            for key, value in service_fields.items():
                _check_length(reasons, where, key, value)
            category = _category(service)
            if category is not None:
                service_fields["category"] = category
            entry.services.append(
                _Entry(service_id, service_fields, active=service["status"] == "active")
            )
        # A provider stays listed while it offers anything, or when the file lists no services for
        # it.
        entry.active = not entry.services or any(service.active for service in entry.services)
        if reasons:
            result.rejected.append(Rejection(name, hsds_id, reasons))
        else:
            result.organizations.append(entry)
    return result


# --- Applying a clean plan -------------------------------------------------------------------


def _changes(record: Provider | Service, entry: _Entry) -> bool:
    return record.active != entry.active or any(
        getattr(record, key) != value for key, value in entry.fields.items()
    )


def apply(checked: Plan) -> Result:
    """Write a plan with no rejections (the caller commits, or rolls back on any error)."""
    if checked.rejected:
        raise ValueError("A plan with rejections is never applied.")
    result = Result()
    ids = [entry.hsds_id for entry in checked.organizations]
    providers = (
        {
            provider.hsds_id: provider
            for provider in db.session.scalars(sa.select(Provider).where(Provider.hsds_id.in_(ids)))
        }
        if ids
        else {}
    )
    service_ids = [service.hsds_id for entry in checked.organizations for service in entry.services]
    services = (
        {
            service.hsds_id: service
            for service in db.session.scalars(
                sa.select(Service).where(Service.hsds_id.in_(service_ids))
            )
        }
        if service_ids
        else {}
    )
    for entry in checked.organizations:
        provider = providers.get(entry.hsds_id)
        if provider is None:
            provider = directory.save_provider(None, active=entry.active, **entry.fields)
            provider.hsds_id = entry.hsds_id
            result.created.append(entry.fields["name"])
        elif _changes(provider, entry):
            directory.save_provider(provider, active=entry.active, **entry.fields)
            result.updated.append(entry.fields["name"])
        else:
            result.unchanged.append(entry.fields["name"])
        for service_entry in entry.services:
            service = services.get(service_entry.hsds_id)
            fields = (
                {"category": "other", **service_entry.fields}
                if service is None
                else service_entry.fields
            )
            label = f"{entry.fields['name']}: {service_entry.fields['name']}"
            if service is None:
                service = directory.save_service(
                    provider, None, active=service_entry.active, **fields
                )
                service.hsds_id = service_entry.hsds_id
                result.created.append(label)
            elif _changes(service, service_entry):
                directory.save_service(provider, service, active=service_entry.active, **fields)
                result.updated.append(label)
            else:
                result.unchanged.append(label)
    db.session.flush()
    return result
