"""Merging two records of one person: which value survives, field by field."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from webapp.forms import Form

FIELD_LABELS = {
    "preferred_name": "Name they use",
    "legal_name": "Legal name",
    "date_of_birth": "Date of birth",
    "estimated_birth_year": "Birth year (estimated)",
    "language": "Language",
    "phone": "Phone",
    "safe_to_call": "Safe to call",
    "safe_to_text": "Safe to text",
    "contact_notes": "Safe contact",
}


def _keep(label: str) -> RadioField:
    return RadioField(
        label,
        choices=[SelectChoice("this", "This record's"), SelectChoice("other", "The other's")],
        default="this",
    )


class MergeForm(Form):
    other = HiddenField(validators=[InputRequired("Choose the other record.")])
    preferred_name = _keep(FIELD_LABELS["preferred_name"])
    legal_name = _keep(FIELD_LABELS["legal_name"])
    date_of_birth = _keep(FIELD_LABELS["date_of_birth"])
    estimated_birth_year = _keep(FIELD_LABELS["estimated_birth_year"])
    language = _keep(FIELD_LABELS["language"])
    phone = _keep(FIELD_LABELS["phone"])
    safe_to_call = _keep(FIELD_LABELS["safe_to_call"])
    safe_to_text = _keep(FIELD_LABELS["safe_to_text"])
    contact_notes = _keep(FIELD_LABELS["contact_notes"])
    confirm = BooleanField(
        "These two records are the same person",
        validators=[DataRequired("Tick this only when you are sure they are one person.")],
    )

    def taken_from_other(self) -> set[str]:
        return {name for name in FIELD_LABELS if self[name].data == "other"}


class SuggestMergeForm(Form):
    other = StringField(
        "Client ID of the other record",
        validators=[InputRequired("Type the other record's client ID."), Length(max=40)],
        id="suggest-other",
    )
    note = TextAreaField(
        "Why you think they are one person",
        validators=[Optional(), Length(max=2000, message="At most 2,000 characters.")],
        id="suggest-note",
    )
