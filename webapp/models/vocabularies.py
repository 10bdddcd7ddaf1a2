"""The words people read for the codes Waymark stores: every vocabulary in one place, and one
`label` that turns any stored value into its words, so no snake_case reaches a page."""

from __future__ import annotations

import enum

from webapp.models import hud
from webapp.models.cases import Phase, RiskLevel
from webapp.models.network import RelationshipKind
from webapp.models.programs import CaseModel
from webapp.models.types import N_, LabelledEnum


class ServiceCategory(LabelledEnum):
    """A directory service's category (stored as its code on `Service.category`)."""

    HOUSING = "housing", N_("Housing and shelter")
    FOOD = "food", N_("Food")
    HEALTH = "health", N_("Health care")
    MENTAL_HEALTH = "mental_health", N_("Mental health")
    SUBSTANCE_USE = "substance_use", N_("Substance use")
    INCOME = "income", N_("Income and benefits")
    EMPLOYMENT = "employment", N_("Employment and education")
    LEGAL = "legal", N_("Legal")
    TRANSPORTATION = "transportation", N_("Transportation")
    SAFETY = "safety", N_("Safety")
    SOCIAL_SUPPORT = "social_support", N_("Social support")
    LIFE_SKILLS = "life_skills", N_("Life skills")
    OTHER = "other", N_("Other")


# The languages a client may prefer to be spoken to in (`Client.language`), by ISO 639-1 code.
CLIENT_LANGUAGES: dict[str, str] = {
    "en": N_("English"),
    "es": N_("Spanish"),
    "zh": N_("Chinese"),
    "vi": N_("Vietnamese"),
    "tl": N_("Tagalog"),
    "ar": N_("Arabic"),
    "ko": N_("Korean"),
    "ru": N_("Russian"),
    "fr": N_("French"),
    "ht": N_("Haitian Creole"),
    "pt": N_("Portuguese"),
    "fa": N_("Persian"),
    "so": N_("Somali"),
    "uk": N_("Ukrainian"),
    "other": N_("Other"),
}

# The languages the client's own pages (self-intake links) are translated into, named in themselves.
TRANSLATED_LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}

# What an audit event is about (`AuditEvent.record_type`).
RECORD_TYPES: dict[str, str] = {
    "agency_lookup": N_("look-up across the agency"),
    "assessment": N_("assessment"),
    "case": N_("case"),
    "case_event": N_("case history entry"),
    "case_extract": N_("case extract"),
    "case_team_member": N_("case team member"),
    "client": N_("client"),
    "client_search": N_("client search"),
    "client_relationship": N_("person in a client's network"),
    "closure_request": N_("closure request"),
    "consent": N_("consent"),
    "contact_log": N_("contact"),
    "directory": N_("directory"),
    "document": N_("document"),
    "eligibility_question": N_("eligibility question"),
    "goal": N_("goal"),
    "household": N_("household"),
    "household_member": N_("household member"),
    "intake_screening": N_("intake screening or waiting-list entry"),
    "hmis_export": N_("HMIS export"),
    "hud_answers": N_("HUD data elements"),
    "internal_referral": N_("referral to a program of the agency"),
    "invitation": N_("self-intake link"),
    "legal_hold": N_("legal hold"),
    "outbox_entry": N_("entry saved on a phone"),
    "plan_signature": N_("signature of a service plan"),
    "plan_task": N_("plan task"),
    "post_closure_follow_up": N_("post-closure check"),
    "program": N_("program"),
    "provider": N_("provider"),
    "provider_link": N_("provider's link to a referral"),
    "push_subscription": N_("device for reminders"),
    "referral": N_("referral"),
    "referral_message": N_("message with a provider about a referral"),
    "referral_request": N_("request for a referral"),
    "report": N_("report"),
    "retention_run": N_("retention run"),
    "self_intake_submission": N_("self-intake"),
    "service": N_("service"),
    "service_plan": N_("service plan"),
    "staff_invitation": N_("set-up link for a staff account"),
    "user": N_("staff account"),
    "waiting_offer": N_("resource offered while waiting"),
}


def _by_text(table: dict[int, str]) -> dict[str, str]:
    return {str(code): words for code, words in table.items()}


VOCABULARIES: dict[str, type[enum.Enum] | dict[str, str]] = {
    "category": ServiceCategory,
    "hud_destination": _by_text(hud.DESTINATIONS),
    "hud_living_situation": _by_text(hud.LIVING_SITUATION_WORDS),
    "hud_no_yes": _by_text(hud.NO_YES),
    "hud_race": {**hud.RACES, **_by_text(hud.MISSING_REASONS)},
    "hud_relationship": _by_text(hud.RELATIONSHIP_TO_HOH),
    "hud_sex": _by_text(hud.SEX),
    "language": CLIENT_LANGUAGES,
    "model": CaseModel,
    "phase": Phase,
    "record_type": RECORD_TYPES,
    "relationship": RelationshipKind,
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
