"""What an imported organization or service must look like: HSDS 3.0's fields and types for the
parts Waymark reads, as JSON Schema, following the specification's schema/compiled/organization.json
and service.json (required fields, types, formats, the status and location type code lists).
HSDS lets a profile add fields, so other fields pass untouched (and unread).

Never stricter than the specification (tests/test_hsds_spec.py compares this with the published
compiled schemas): a file is refused only for what the specification refuses, or for Waymark's own
limits, which `importer.plan` checks and names as such (a name to list, lengths it stores, a web
address it can link to). Two leniencies: the specification types optional fields as strings, and
some systems write null for "none", so an import takes null as absent (Waymark's own exports leave
empty fields out); and the ids of records Waymark does not keep (a phone's, an attribute's) need
not be UUIDs.
"""

from __future__ import annotations

from typing import Any

UUID = {"type": "string", "minLength": 1, "maxLength": 36}
# Ids Waymark stores must be what the specification says they are.
STORED_UUID = {"type": "string", "format": "uuid"}
TEXT = {"type": ["string", "null"]}
NUMBER = {"type": ["number", "null"]}
URI = {"type": ["string", "null"], "format": "uri"}
EMAIL = {"type": ["string", "null"], "format": "email"}
LOCATION_TYPES = {"enum": ["physical", "postal", "virtual"]}

TAXONOMY_TERM = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {
        "id": UUID,
        "code": TEXT,
        "name": {"type": "string"},
        "description": TEXT,
        "taxonomy": TEXT,
    },
}

ATTRIBUTE = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": UUID,
        "link_id": TEXT,
        "link_type": TEXT,
        "link_entity": TEXT,
        "taxonomy_term_id": TEXT,
        "taxonomy_term": TAXONOMY_TERM,
    },
}

PHONE = {
    "type": "object",
    "required": ["id", "number"],
    "properties": {
        "id": UUID,
        "number": {"type": "string"},
        "extension": NUMBER,
        "type": TEXT,
    },
}

ADDRESS = {
    "type": "object",
    "required": [
        "id",
        "address_1",
        "city",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    ],
    "properties": {
        "id": UUID,
        "address_1": {"type": "string"},
        "address_2": TEXT,
        "city": {"type": "string"},
        "region": TEXT,
        "state_province": {"type": "string"},
        "postal_code": {"type": "string"},
        # The specification asks for a two-letter code in words only: "USA" is valid HSDS.
        "country": {"type": "string"},
        "address_type": LOCATION_TYPES,
    },
}

LOCATION = {
    "type": "object",
    "required": ["id", "location_type"],
    "properties": {
        "id": UUID,
        "location_type": LOCATION_TYPES,
        "name": TEXT,
        "description": TEXT,
        "addresses": {"type": "array", "items": ADDRESS},
    },
}

SERVICE_AREA = {
    "type": "object",
    "required": ["id"],
    "properties": {"id": UUID, "name": TEXT, "description": TEXT},
}

# What a client's referral slip prints: opening hours (a schedule's description) and what to bring
# (the service's required documents).
SCHEDULE = {
    "type": "object",
    "required": ["id"],
    "properties": {"id": UUID, "description": TEXT, "notes": TEXT},
}

REQUIRED_DOCUMENT = {
    "type": "object",
    "required": ["id"],
    "properties": {"id": UUID, "document": TEXT},
}

SERVICE: dict[str, Any] = {
    "type": "object",
    "required": ["id", "name", "status"],
    "properties": {
        "id": STORED_UUID,
        "organization_id": TEXT,
        "name": {"type": "string"},
        "description": TEXT,
        "eligibility_description": TEXT,
        "status": {"enum": ["active", "inactive", "defunct", "temporarily closed"]},
        "service_areas": {"type": "array", "items": SERVICE_AREA},
        "schedules": {"type": "array", "items": SCHEDULE},
        "required_documents": {"type": "array", "items": REQUIRED_DOCUMENT},
        "attributes": {"type": "array", "items": ATTRIBUTE},
        "phones": {"type": "array", "items": PHONE},
    },
}

ORGANIZATION: dict[str, Any] = {
    "type": "object",
    "required": ["id", "name", "description"],
    "properties": {
        "id": STORED_UUID,
        "name": {"type": "string"},
        "alternate_name": TEXT,
        "description": TEXT,
        "email": EMAIL,
        "website": URI,
        "phones": {"type": "array", "items": PHONE},
        "locations": {"type": "array", "items": LOCATION},
        "services": {"type": "array", "items": SERVICE},
    },
}

# A service on its own (a service file, or a page of them) may carry its organization inside it
# (without services of its own).
SERVICE_ON_ITS_OWN: dict[str, Any] = {
    **SERVICE,
    "properties": {
        **SERVICE["properties"],
        "organization": {
            **ORGANIZATION,
            "properties": {
                key: value for key, value in ORGANIZATION["properties"].items() if key != "services"
            },
        },
    },
}
