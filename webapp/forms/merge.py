"""Merging two records of one person: which value survives, field by field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from webapp.forms import Form

FIELD_LABELS = {
    "preferred_name": _l("Name they use"),
    "legal_name": _l("Legal name"),
    "date_of_birth": _l("Date of birth"),
    "estimated_birth_year": _l("Birth year (estimated)"),
    "language": _l("Language"),
    "phone": _l("Phone"),
    "safe_to_call": _l("Safe to call"),
    "safe_to_text": _l("Safe to text"),
    "contact_notes": _l("Safe contact"),
}


def _keep(label: str) -> RadioField:
    return RadioField(
        label,
        choices=[
            SelectChoice("this", _l("This record's")),
            SelectChoice("other", _l("The other's")),
        ],
        default="this",
    )


class MergeForm(Form):
    other = HiddenField(validators=[InputRequired(_l("Choose the other record."))])
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
        _l("These two records are the same person"),
        validators=[DataRequired(_l("Tick this only when you are sure they are one person."))],
    )

    def taken_from_other(self) -> set[str]:
        return {name for name in FIELD_LABELS if self[name].data == "other"}


class SuggestMergeForm(Form):
    other = StringField(
        _l("Client ID of the other record"),
        validators=[InputRequired(_l("Type the other record's client ID.")), Length(max=40)],
        id="suggest-other",
    )
    note = TextAreaField(
        _l("Why you think they are one person"),
        validators=[Optional(), Length(max=2000, message=_l("At most 2,000 characters."))],
        id="suggest-note",
    )
