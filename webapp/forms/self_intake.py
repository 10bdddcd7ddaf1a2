"""The form a client fills in on their own phone, in five short steps, in their language.

Every label and message is translatable (lazy_gettext): the form is built per request, in the
language of the page.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from webapp.forms import Form
from webapp.forms.cases import ChecklistField
from webapp.forms.clients import BoundedRows
from webapp.forms.network import MemberRow, birth_year_from, relationship_choices
from webapp.text import clean_line
from webapp.timeutil import local_today

TEXT_MAX = 2000

# The help a client can ask for, in plain words; the keys are stored, the words translated.
NEEDS = {
    "housing": _l("A safe place to stay"),
    "income": _l("Money and benefits"),
    "food": _l("Food"),
    "health": _l("Health or a doctor"),
    "mental_health": _l("Stress, worry or feeling low"),
    "substance_use": _l("Alcohol or drugs"),
    "employment": _l("Work or school"),
    "transportation": _l("Getting around"),
    "legal": _l("Papers, ID or legal problems"),
    "safety": _l("Feeling safe"),
    "social_support": _l("People to turn to"),
    "life_skills": _l("Everyday things, like forms or a phone"),
}

# Which fields make up each step; the page shows one step at a time when JavaScript runs.
STEPS = (
    ("about", _l("About me"), ("preferred_name", "legal_name", "date_of_birth", "age")),
    ("needs", _l("What I need help with"), ("needs", "needs_text")),
    ("going_well", _l("What is going well"), ("going_well", "supporters")),
    ("home", _l("Who lives with me"), ("household",)),
    (
        "contact",
        _l("How to reach me safely"),
        ("phone", "safe_to_call", "safe_to_text", "best_times", "contact_notes"),
    ),
    ("consent", _l("Saying yes"), ("consent_data", "consent_contact")),
)


# Rows shown for the people who live with the client; the client leaves the rest empty.
HOUSEHOLD_ROWS = 4


class HomeRow(MemberRow):
    """Someone who lives with the client, in the client's words."""

    name = StringField(
        _l("Their name"),
        validators=[Optional(), Length(max=200, message=_l("At most %(max)d characters."))],
        render_kw={"autocomplete": "off", "autocapitalize": "words"},
    )
    relationship = SelectField(
        _l("Who they are to you"), choices=relationship_choices(), validators=[Optional()]
    )
    age_or_year = IntegerField(
        _l("Their age"), validators=[Optional()], render_kw={"inputmode": "numeric"}
    )


def _yes_no() -> list[SelectChoice]:
    return [
        SelectChoice("yes", _l("Yes")),
        SelectChoice("no", _l("No")),
        SelectChoice("unsure", _l("Not sure")),
    ]


class SelfIntakeForm(Form):
    preferred_name = StringField(
        _l("What should we call you?"),
        validators=[
            DataRequired(_l("Tell us a name we can use. It can be a nickname.")),
            Length(max=200, message=_l("At most %(max)d characters.")),
        ],
        render_kw={"autocomplete": "given-name", "autocapitalize": "words"},
    )
    legal_name = StringField(
        _l("Your full name (if you want to give it)"),
        validators=[Optional(), Length(max=200, message=_l("At most %(max)d characters."))],
        render_kw={"autocomplete": "name"},
    )
    date_of_birth = DateField(
        _l("Date of birth"),
        validators=[Optional()],
        description=_l("Or leave it empty and give your age below."),
    )
    age = IntegerField(
        _l("Your age"),
        validators=[
            Optional(),
            NumberRange(min=10, max=120, message=_l("An age from %(min)d to %(max)d.")),
        ],
        render_kw={"inputmode": "numeric"},
    )

    needs = ChecklistField(_l("Tick all that fit"), validators=[Optional()])
    needs_text = TextAreaField(
        _l("In your own words"),
        validators=[Optional(), Length(max=TEXT_MAX, message=_l("At most %(max)d characters."))],
        description=_l("What is happening, and what would help most?"),
    )

    going_well = TextAreaField(
        _l("What is going well for you?"),
        validators=[Optional(), Length(max=TEXT_MAX, message=_l("At most %(max)d characters."))],
        description=_l("Things you are good at, or that have helped before."),
    )
    supporters = TextAreaField(
        _l("Who supports you?"),
        validators=[Optional(), Length(max=TEXT_MAX, message=_l("At most %(max)d characters."))],
        description=_l("Family, friends, a church, a group — anyone."),
    )

    household = BoundedRows(
        FormField(HomeRow),
        label=_l("People who live with you"),
        min_entries=HOUSEHOLD_ROWS,
        max_entries=HOUSEHOLD_ROWS,
        description=_l("Only if you want to tell us. Leave the rest empty."),
    )

    phone = StringField(
        _l("Phone number"),
        validators=[Optional(), Length(max=40, message=_l("At most %(max)d characters."))],
        render_kw={"type": "tel", "inputmode": "tel", "autocomplete": "tel"},
    )
    safe_to_call = RadioField(_l("Is it safe to call you?"), validators=[Optional()])
    safe_to_text = RadioField(_l("Is it safe to send you text messages?"), validators=[Optional()])
    best_times = StringField(
        _l("Best times to reach you"),
        validators=[Optional(), Length(max=200, message=_l("At most %(max)d characters."))],
    )
    contact_notes = TextAreaField(
        _l("Anything we should know to reach you safely"),
        validators=[Optional(), Length(max=TEXT_MAX, message=_l("At most %(max)d characters."))],
        description=_l("For example: do not leave messages, or ask for me by another name."),
    )

    consent_data = BooleanField(
        _l("Yes, the team may keep what I wrote here to help me."),
        validators=[DataRequired(_l("We can only take your answers if you say yes here."))],
    )
    consent_contact = BooleanField(_l("Yes, the team may contact me in the ways I said above."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs.choices = [SelectChoice(key, label) for key, label in NEEDS.items()]
        self.safe_to_call.choices = _yes_no()
        self.safe_to_text.choices = _yes_no()

    def validate_date_of_birth(self, field: DateField) -> None:
        if field.data and (field.data > local_today() or field.data.year < 1900):
            raise ValidationError(_l("Check the date of birth."))

    def validate_phone(self, field: StringField) -> None:
        digits = "".join(ch for ch in field.data or "" if ch.isdigit())
        if field.data and not 7 <= len(digits) <= 15:
            raise ValidationError(_l("Check the phone number: it should have 7 to 15 digits."))

    def answers(self) -> dict:
        """What is stored: plain values, one-line fields cleaned."""
        return {
            "preferred_name": clean_line(self.preferred_name.data),
            "legal_name": clean_line(self.legal_name.data or ""),
            "date_of_birth": self.date_of_birth.data.isoformat() if self.date_of_birth.data else "",
            "age": self.age.data,
            "needs": list(self.needs.data or []),
            "needs_text": self.needs_text.data or "",
            "going_well": self.going_well.data or "",
            "supporters": self.supporters.data or "",
            "phone": clean_line(self.phone.data or ""),
            "safe_to_call": self.safe_to_call.data or "",
            "safe_to_text": self.safe_to_text.data or "",
            "best_times": clean_line(self.best_times.data or ""),
            "contact_notes": self.contact_notes.data or "",
            "consent_contact": bool(self.consent_contact.data),
            "household": [
                {
                    "name": clean_line(entry.form.name.data or ""),
                    "relationship": entry.form.relationship.data or "",
                    "birth_year": birth_year_from(entry.form.age_or_year.data),
                }
                for entry in self.household
                if not entry.form.is_empty
            ],
        }
