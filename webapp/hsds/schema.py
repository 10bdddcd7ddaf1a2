"""What an imported organization must look like: HSDS 3.0's fields and types for the parts Waymark
reads, as JSON Schema, following the specification's schema/compiled/organization.json (required
fields, the status and location type code lists, UUID ids for what Waymark keeps). HSDS lets a
profile add fields, so other fields pass untouched (and unread).

One leniency: the specification types optional fields as strings, and some systems write null for
"none"; an import takes null as absent. Waymark's own exports leave empty fields out.
"""

from __future__ import annotations

UUID = {"type": "string", "minLength": 1, "maxLength": 36}
# Ids Waymark stores must be what the specification says they are.
STORED_UUID = {"type": "string", "format": "uuid"}
TEXT = {"type": ["string", "null"]}

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
    "required": ["id", "taxonomy_term_id"],
    "properties": {
        "id": UUID,
        "link_id": TEXT,
        "link_type": TEXT,
        "link_entity": TEXT,
        "taxonomy_term_id": UUID,
        "taxonomy_term": TAXONOMY_TERM,
    },
}

PHONE = {
    "type": "object",
    "required": ["id", "number"],
    "properties": {
        "id": UUID,
        "number": {"type": "string", "minLength": 1},
        "extension": TEXT,
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
        "country": {"type": "string", "minLength": 2, "maxLength": 2},
        "address_type": {"enum": ["physical", "postal", "virtual"]},
    },
}

LOCATION = {
    "type": "object",
    "required": ["id", "location_type"],
    "properties": {
        "id": UUID,
        "location_type": {"enum": ["physical", "postal", "virtual"]},
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

SERVICE = {
    "type": "object",
    "required": ["id", "name", "status"],
    "properties": {
        "id": STORED_UUID,
        "organization_id": TEXT,
        "name": {"type": "string", "minLength": 1},
        "description": TEXT,
        "eligibility_description": TEXT,
        "status": {"enum": ["active", "inactive", "defunct", "temporarily closed"]},
        "service_areas": {"type": "array", "items": SERVICE_AREA},
        "attributes": {"type": "array", "items": ATTRIBUTE},
        "phones": {"type": "array", "items": PHONE},
    },
}

ORGANIZATION = {
    "type": "object",
    "required": ["id", "name", "description"],
    "properties": {
        "id": STORED_UUID,
        "name": {"type": "string", "minLength": 1},
        "alternate_name": TEXT,
        "description": TEXT,
        "email": TEXT,
        "website": TEXT,
        "phones": {"type": "array", "items": PHONE},
        "locations": {"type": "array", "items": LOCATION},
        "services": {"type": "array", "items": SERVICE},
    },
}
