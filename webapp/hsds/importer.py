"""Reading an HSDS file into the directory: all of it, or (if anything is wrong) none of it.

A file holds organizations (one, a list, or a page of them as the HSDS API answers), services
(one, a list or a page; each names its organization by `organization_id` or carries it inside), or
is a zip of HSDS tables. Each is imported for what it is; anything else is refused, saying what it
holds.
"""

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
from webapp.hsds.schema import ORGANIZATION, SERVICE_ON_ITS_OWN
from webapp.models import Provider, Service, ServiceCategory
from webapp.models.referrals import ADDRESS_PARTS, address_line
from webapp.services import directory
from webapp.text import without_controls

MAX_RECORDS = 10_000
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
    "hours": 500,
    "what_to_bring": 2000,
    **ADDRESS_PARTS,
}
FORMAT_CHECKER = jsonschema.Draft202012Validator.FORMAT_CHECKER
_VALIDATOR = jsonschema.Draft202012Validator(ORGANIZATION, format_checker=FORMAT_CHECKER)
_SERVICE_VALIDATOR = jsonschema.Draft202012Validator(
    SERVICE_ON_ITS_OWN, format_checker=FORMAT_CHECKER
)
# Columns the table definitions type as numbers: a CSV cell is text until read as one.
NUMBER_COLUMNS = {
    "extension",
    "latitude",
    "longitude",
    "year_incorporated",
    "minimum_age",
    "maximum_age",
    "amount",
}
# What a record is, told by the fields only that kind of HSDS record has.
OTHER_KINDS = {
    "location": "locations",
    "service_at_location": "services at locations",
    "taxonomy_term": "taxonomy terms",
    "taxonomy": "taxonomies",
}


class UnreadableFile(ValueError):
    """The file is not HSDS JSON or a zip of HSDS tables, or holds something Waymark does not
    import; nothing in it was looked at."""


@dataclass
class Contents:
    """What a file holds: organizations (their services inside them), and services on their own,
    each naming its organization."""

    organizations: list[Any] = field(default_factory=list)
    services: list[Any] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.organizations) + len(self.services)


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
    # False: a provider already in the directory that a service file names; it is left as it is.
    write: bool = True


@dataclass
class Plan:
    """What a file would do, worked out before anything is written."""

    organizations: list[_Organization] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    # What the file's records are: "organizations", "services" or (a zip with both) "records".
    kind: str = "organizations"
    total: int = 0


@dataclass
class Result:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


# --- Reading the file -------------------------------------------------------------------------


def kind_of(record: Any) -> str:
    """Which HSDS record this is, by the fields only that kind has (a service must have a status
    and names its organization; an organization has neither)."""
    if not isinstance(record, dict):
        return "organization"  # the schema check says what is wrong with it
    keys = record.keys()
    if "location_type" in keys:
        return "location"
    if isinstance(record.get("service"), dict) or isinstance(record.get("location"), dict):
        return "service_at_location"
    if keys & {"taxonomy", "taxonomy_id", "parent_id", "term_uri", "taxonomy_detail"}:
        return "taxonomy_term"
    if "version" in keys and not keys & {"services", "status"}:
        return "taxonomy"
    if keys & {"status", "organization_id", "organization", "program_id"}:
        return "service"
    return "organization"


def read(filename: str, data: bytes) -> Contents:
    """What an uploaded file holds, as HSDS JSON objects."""
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
        records = document["contents"]  # a page of results, as the HSDS API answers
    elif isinstance(document, list):
        records = document
    elif isinstance(document, dict):
        records = [document]  # one organization or one service
    else:
        raise UnreadableFile(
            "The file holds neither organizations nor services (one, a list or a page of them)."
        )
    if len(records) > MAX_RECORDS:
        raise UnreadableFile(f"At most {MAX_RECORDS:,} organizations or services at a time.")
    kinds = [kind_of(record) for record in records]
    for kind in kinds:
        if kind in OTHER_KINDS:
            raise UnreadableFile(
                f"The file holds {OTHER_KINDS[kind]}: Waymark imports organizations (with their "
                "services) and services."
            )
    if "organization" in kinds and "service" in kinds:
        first = (
            kinds.index("service") if kinds[0] == "organization" else kinds.index("organization")
        )
        raise UnreadableFile(
            f"The file mixes organizations and services (record {first + 1} is not like the "
            "first): import a file of organizations, with their services inside them, or a file "
            "of services."
        )
    if kinds and kinds[0] == "service":
        return Contents(services=records)
    return Contents(organizations=records)


def _from_zip(data: bytes) -> Contents:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = {
            info.filename.rsplit("/", 1)[-1]: info
            for info in archive.infolist()
            if not info.is_dir()
        }
    except zipfile.BadZipFile:
        raise UnreadableFile("This is not a zip file.") from None
    if "organizations.csv" not in members and "services.csv" not in members:
        raise UnreadableFile("The zip has neither organizations.csv nor services.csv.")
    wanted = [members[name] for name in TABLES if name in members]
    if sum(info.file_size for info in wanted) > MAX_UNZIPPED_BYTES:
        raise UnreadableFile("The tables are too large once unzipped.")
    tables: dict[str, list[dict[str, Any]]] = {}
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
                {key: _cell(key, value) for key, value in row.items() if key is not None}
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
    """Undo the apostrophe a Waymark CSV export puts before a value a spreadsheet would run (older
    exports put it before phone numbers too)."""
    if value and value.startswith("'") and value[1:2] in ("=", "+", "-", "@", "\t", "\r", "\n"):
        return value[1:]
    return value if value != "" else None


def _cell(column: str, value: str | None) -> Any:
    """A CSV cell as the JSON value HSDS types it: empty is absent, a number column's number is a
    number (a cell that is not one stays text, for the schema check to name)."""
    value = _unprotect(value)
    if value is not None and column in NUMBER_COLUMNS:
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() and "." not in value else number
    return value


def _nest(tables: dict[str, list[dict[str, Any]]]) -> Contents:
    """HSDS's flat tables back into nested organizations, and services whose organization is not
    in the tables."""
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
    schedules: dict[str, list] = {}
    for row in tables.get("schedules.csv", []):
        schedules.setdefault(row.get("service_id"), []).append(row)
    documents: dict[str, list] = {}
    for row in tables.get("required_documents.csv", []):
        documents.setdefault(row.get("service_id"), []).append(row)
    services: dict[str, list] = {}
    for row in tables.get("services.csv", []):
        service = {
            **row,
            "service_areas": areas.get(row.get("id"), []),
            "schedules": schedules.get(row.get("id"), []),
            "required_documents": documents.get(row.get("id"), []),
            "attributes": by_link.get(row.get("id"), []),
        }
        services.setdefault(row.get("organization_id"), []).append(service)
    phones: dict[str, list] = {}
    for row in tables.get("phones.csv", []):
        if row.get("organization_id") and not row.get("service_id"):
            phones.setdefault(row["organization_id"], []).append(row)
    addresses: dict[str, list] = {}
    for row in tables.get("addresses.csv", []):
        addresses.setdefault(row.get("location_id"), []).append(row)
    locations: dict[str, list] = {}
    for row in tables.get("locations.csv", []):
        locations.setdefault(row.get("organization_id"), []).append(
            {**row, "addresses": addresses.get(row.get("id"), [])}
        )
    contents = Contents()
    for row in tables.get("organizations.csv", []):
        key = row.get("id")
        contents.organizations.append(
            {
                **row,
                "description": row.get("description") or "",
                "phones": phones.get(key, []),
                "locations": locations.get(key, []),
                "services": services.pop(key, []),
            }
        )
    contents.services = [service for listed in services.values() for service in listed]
    if len(contents) > MAX_RECORDS:
        raise UnreadableFile(f"At most {MAX_RECORDS:,} organizations or services at a time.")
    return contents


# --- Checking every record -------------------------------------------------------------------


def schema_problems(
    contents: Contents,
    schema: dict[str, Any] | None = None,
    service_schema: dict[str, Any] | None = None,
) -> list[str]:
    """Every way the file's records differ from the schemas (default: Waymark's reading of HSDS
    3.0; pass the specification's own schema/compiled/organization.json and service.json to check
    against them). Formats (uri, email, uuid, date-time) are checked."""

    def validator(given: dict[str, Any] | None, default: jsonschema.Validator):
        if given is None:
            return default
        cls = jsonschema.validators.validator_for(given, default=jsonschema.Draft202012Validator)
        return cls(given, format_checker=FORMAT_CHECKER)

    problems = []
    for label, records, check in (
        ("organization", contents.organizations, validator(schema, _VALIDATOR)),
        ("service", contents.services, validator(service_schema, _SERVICE_VALIDATOR)),
    ):
        for index, record in enumerate(records):
            name = record.get("name") if isinstance(record, dict) else None
            for error in check.iter_errors(record):
                problems.append(
                    f"{label} {index + 1} ({name or 'no name'}), {_where(error, label)}: "
                    f"{error.message}"[:300]
                )
    return problems


def _where(error: jsonschema.ValidationError, label: str = "organization") -> str:
    path = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path
    )
    return path.lstrip(".") or f"the {label}"


def _clean(value: Any) -> str:
    # Control characters out, as the directory's own forms take them out (PostgreSQL refuses NUL).
    return without_controls(value, multiline=True).strip() if isinstance(value, str) else ""


def _check_length(reasons: list[str], where: str, name: str, value: str) -> None:
    if len(value) > LIMITS[name]:
        reasons.append(f"{where}: {name} is longer than {LIMITS[name]} characters.")


def _address(organization: dict[str, Any]) -> dict[str, str]:
    """The provider's address: the parts of the first physical address (else the first address),
    the line made from them; without any, the first location's description as the line."""
    found = [
        (location, address)
        for location in organization.get("locations") or []
        for address in location.get("addresses") or []
    ]
    found.sort(
        key=lambda pair: (
            (pair[0].get("location_type") != "physical")
            + (pair[1].get("address_type") != "physical")
        )
    )
    if found:
        address = found[0][1]
        street = ", ".join(
            part
            for part in (_clean(address.get("address_1")), _clean(address.get("address_2")))
            if part
        )
        parts = {
            "street": street,
            "city": _clean(address.get("city")),
            "state_province": _clean(address.get("state_province")),
            "postal_code": _clean(address.get("postal_code")),
            "country": _clean(address.get("country")),
        }
        return {
            "address": address_line(
                parts["street"], parts["city"], parts["state_province"], parts["postal_code"]
            ),
            **parts,
        }
    line = next(
        (
            _clean(location.get("description"))
            for location in organization.get("locations") or []
            if _clean(location.get("description"))
        ),
        "",
    )
    return {"address": line, **dict.fromkeys(ADDRESS_PARTS, "")}


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


def _schema_reasons(validator: jsonschema.Validator, record: Any, label: str) -> list[str]:
    return [
        f"{_where(error, label)}: {error.message}"[:300]
        for error in sorted(
            validator.iter_errors(record), key=lambda error: list(error.absolute_path)
        )
    ]


def _organization_fields(organization: dict[str, Any], reasons: list[str], where: str) -> dict:
    name = _clean(organization.get("name"))
    description = _clean(organization.get("description"))
    fields = {
        "name": name,
        # A description that only repeats the name (how a CSV export fills the required column
        # for a provider without one) is none.
        "description": "" if description == name else description,
        "email": _clean(organization.get("email")),
        "website": _clean(organization.get("website")),
        "phone": next((_clean(phone["number"]) for phone in organization.get("phones") or []), ""),
        **_address(organization),
    }
    if not name:
        reasons.append(f"{where}: name is empty; Waymark lists organizations by name.")
    for key, value in fields.items():
        _check_length(reasons, where, key, value)
    if fields["website"] and not fields["website"].startswith(("https://", "http://")):
        reasons.append(f"{where}: website: Waymark links only to web addresses (https://…).")
    return fields


def _service_entry(
    service: dict[str, Any],
    where: str,
    owner_id: str,
    seen: set[str],
    known_services: dict[str, str],
    reasons: list[str],
) -> _Entry:
    service_id = _clean(service["id"])
    if service_id in seen:
        reasons.append(f"{where}: id {service_id} appears twice in the file.")
    seen.add(service_id)
    if known_services.get(service_id, owner_id) != owner_id:
        reasons.append(f"{where}: this service belongs to another organization in the directory.")
    fields = {
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
        # A schedule in words (structured times are not kept), and the documents to bring.
        "hours": next(
            (
                _clean(schedule.get("description"))
                for schedule in service.get("schedules") or []
                if _clean(schedule.get("description"))
            ),
            "",
        ),
        "what_to_bring": "\n".join(
            _clean(document.get("document"))
            for document in service.get("required_documents") or []
            if _clean(document.get("document"))
        ),
    }
    if not fields["name"]:
        reasons.append(f"{where}: name is empty; Waymark lists services by name.")
    for key, value in fields.items():
        _check_length(reasons, where, key, value)
    category = _category(service)
    if category is not None:
        fields["category"] = category
    return _Entry(service_id, fields, active=service["status"] == "active")


def plan(contents: Contents) -> Plan:
    result = Plan(
        kind=(
            "records"
            if contents.organizations and contents.services
            else "services"
            if contents.services
            else "organizations"
        ),
        total=len(contents),
    )
    seen: set[str] = set()
    known_services = dict(
        db.session.execute(
            sa.select(Service.hsds_id, Provider.hsds_id).join(
                Provider, Provider.id == Service.provider_id
            )
        ).all()
    )
    in_file: dict[str, _Organization] = {}
    for index, organization in enumerate(contents.organizations):
        name = _clean(organization.get("name")) if isinstance(organization, dict) else ""
        hsds_id = _clean(organization.get("id")) if isinstance(organization, dict) else ""
        reasons = _schema_reasons(_VALIDATOR, organization, "organization")
        if reasons:
            result.rejected.append(Rejection(name or f"Organization {index + 1}", hsds_id, reasons))
            continue
        fields = _organization_fields(organization, reasons, "the organization")
        if hsds_id in seen:
            reasons.append(f"id {hsds_id} appears twice in the file.")
        seen.add(hsds_id)
        entry = _Organization(hsds_id, fields, active=True)
        for number, service in enumerate(organization.get("services") or []):
            where = f"services[{number}]"
            if _clean(service.get("organization_id")) not in ("", hsds_id):
                reasons.append(f"{where}: organization_id is not this organization's id.")
            entry.services.append(
                _service_entry(service, where, hsds_id, seen, known_services, reasons)
            )
        # A provider stays listed while it offers anything, or when the file lists no services for
        # it.
        entry.active = not entry.services or any(service.active for service in entry.services)
        if reasons:
            result.rejected.append(Rejection(name, hsds_id, reasons))
        else:
            result.organizations.append(entry)
            in_file[hsds_id] = entry
    _plan_services(contents.services, result, in_file, seen, known_services)
    return result


def _plan_services(
    services: list[Any],
    result: Plan,
    in_file: dict[str, _Organization],
    seen: set[str],
    known_services: dict[str, str],
) -> None:
    """Services on their own go into their organization: one in the file (carried inside a service,
    or in the zip's organizations table), else one already in the directory, which is left as it
    is. A service whose organization is neither is refused."""
    if not services:
        return
    known_providers = set(db.session.scalars(sa.select(Provider.hsds_id)))
    created: dict[str, _Organization] = {}
    for index, service in enumerate(services):
        name = _clean(service.get("name")) if isinstance(service, dict) else ""
        service_id = _clean(service.get("id")) if isinstance(service, dict) else ""
        label = name or f"Service {index + 1}"
        reasons = _schema_reasons(_SERVICE_VALIDATOR, service, "service")
        if reasons:
            result.rejected.append(Rejection(label, service_id, reasons))
            continue
        nested = service.get("organization")
        named = _clean(service.get("organization_id"))
        owner_id = named or (_clean(nested.get("id")) if nested else "")
        if nested and named and _clean(nested.get("id")) != named:
            reasons.append("organization_id is not the id of the organization inside the service.")
        owner = in_file.get(owner_id) or created.get(owner_id)
        if owner is None and owner_id in known_providers:
            owner = _Organization(owner_id, {}, active=True, write=False)
            created[owner_id] = owner
        elif owner is None and nested:
            fields = _organization_fields(nested, reasons, "organization")
            owner = _Organization(owner_id, fields, active=False)
            created[owner_id] = owner
        elif owner is None:
            reasons.append(
                f"its organization ({owner_id}) is neither in the directory nor in the file: "
                "import the organization first, or a file with the organization inside the service."
                if owner_id
                else "it names no organization (organization_id, or the organization inside it)."
            )
        entry = _service_entry(service, "the service", owner_id, seen, known_services, reasons)
        if reasons:
            result.rejected.append(Rejection(label, service_id, reasons))
            continue
        owner.services.append(entry)
        # A provider new to the directory is listed while any of its services is active.
        if owner.write and owner_id not in in_file:
            owner.active = owner.active or entry.active
    result.organizations.extend(
        owner for owner in created.values() if owner.services and owner.hsds_id not in in_file
    )


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
        if not entry.write and provider is not None:
            pass  # named by a service file: left as it is
        elif provider is None:
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
            label = f"{provider.name}: {service_entry.fields['name']}"
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
