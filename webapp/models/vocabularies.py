"""The words people read for the codes Waymark stores: every vocabulary in one place, and one
`label` that turns any stored value into its words, so no snake_case reaches a page."""

from __future__ import annotations

import enum

from webapp.models.cases import Phase, RiskLevel
from webapp.models.types import LabelledEnum


class ServiceCategory(LabelledEnum):
    """A directory service's category (stored as its code on `Service.category`)."""

    HOUSING = "housing", "Housing and shelter"
    FOOD = "food", "Food"
    HEALTH = "health", "Health care"
    MENTAL_HEALTH = "mental_health", "Mental health"
    SUBSTANCE_USE = "substance_use", "Substance use"
    INCOME = "income", "Income and benefits"
    EMPLOYMENT = "employment", "Employment and education"
    LEGAL = "legal", "Legal"
    TRANSPORTATION = "transportation", "Transportation"
    SAFETY = "safety", "Safety"
    SOCIAL_SUPPORT = "social_support", "Social support"
    LIFE_SKILLS = "life_skills", "Life skills"
    OTHER = "other", "Other"


# The languages a client may prefer to be spoken to in (`Client.language`), by ISO 639-1 code.
CLIENT_LANGUAGES: dict[str, str] = {
    "en": "English",
    "es": "Spanish",
    "zh": "Chinese",
    "vi": "Vietnamese",
    "tl": "Tagalog",
    "ar": "Arabic",
    "ko": "Korean",
    "ru": "Russian",
    "fr": "French",
    "ht": "Haitian Creole",
    "pt": "Portuguese",
    "fa": "Persian",
    "so": "Somali",
    "uk": "Ukrainian",
    "other": "Other",
}

# The languages the client's own pages (self-intake links) are translated into, named in themselves.
TRANSLATED_LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}

# What an audit event is about (`AuditEvent.record_type`).
RECORD_TYPES: dict[str, str] = {
    "agency_lookup": "look-up across the agency",
    "assessment": "assessment",
    "case": "case",
    "case_event": "case history entry",
    "case_extract": "case extract",
    "client": "client",
    "client_search": "client search",
    "closure_request": "closure request",
    "consent": "consent",
    "contact_log": "contact",
    "directory": "directory",
    "goal": "goal",
    "internal_referral": "referral to a program of the agency",
    "invitation": "self-intake link",
    "outbox_entry": "entry saved on a phone",
    "plan_task": "plan task",
    "post_closure_follow_up": "post-closure check",
    "program": "program",
    "provider": "provider",
    "push_subscription": "device for reminders",
    "referral": "referral",
    "referral_request": "request for a referral",
    "report": "report",
    "self_intake_submission": "self-intake",
    "service": "service",
    "service_plan": "service plan",
    "user": "staff account",
}

VOCABULARIES: dict[str, type[enum.Enum] | dict[str, str]] = {
    "category": ServiceCategory,
    "language": CLIENT_LANGUAGES,
    "phase": Phase,
    "record_type": RECORD_TYPES,
    "risk": RiskLevel,
}


def label(value: object, vocabulary: str | None = None) -> str:
    """The words for a stored value: an enum member's own label, or the named vocabulary's entry.
    An unknown code is shown as it is rather than guessed at."""
    if value is None or value == "":
        return ""
    if isinstance(value, LabelledEnum):
        return value.label
    table = VOCABULARIES[vocabulary] if vocabulary else None
    if isinstance(table, dict):
        return table.get(str(value), str(value))
    if table is not None:
        try:
            return table(value).label
        except ValueError:
            return str(value)
    return str(value)
