"""The quick intake form: who the person is, why we met, consent, and when we follow up."""

from __future__ import annotations

from datetime import timedelta

from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from webapp.forms import Form, enum_choices
from webapp.models import CLIENT_LANGUAGES, ConsentMethod
from webapp.timeutil import local_today

NOTE_MAX = 10_000
YES_NO_UNKNOWN = [
    SelectChoice("", "Not asked"),
    SelectChoice("yes", "Yes"),
    SelectChoice("no", "No"),
]
IDENTITY_FIELDS = (
    "preferred_name",
    "legal_name",
    "aliases",
    "date_of_birth",
    "approximate_age",
    "phone",
)


def yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class IntakeForm(Form):
    # Who they are (left out when the person is already known).
    preferred_name = StringField(
        "First name, street name or alias",
        validators=[
            DataRequired("A name or alias is needed, even a street name."),
            Length(max=200),
        ],
        render_kw={"autocomplete": "off", "autocapitalize": "words", "spellcheck": "false"},
    )
    legal_name = StringField(
        "Full legal name",
        validators=[Optional(), Length(max=200)],
        description="If they want to give it.",
        render_kw={"autocomplete": "off"},
    )
    aliases = StringField(
        "Other names they use",
        validators=[Optional(), Length(max=400)],
        description="Separate several with commas.",
        render_kw={"autocomplete": "off"},
    )
    date_of_birth = DateField("Date of birth", validators=[Optional()])
    approximate_age = IntegerField(
        "Or their approximate age",
        validators=[Optional(), NumberRange(min=0, max=120, message="An age from 0 to 120.")],
        render_kw={"inputmode": "numeric"},
    )
    language = SelectField(
        "Language they prefer",
        choices=[
            SelectChoice("", "Not asked"),
            *(SelectChoice(code, name) for code, name in CLIENT_LANGUAGES.items()),
        ],
        validators=[Optional()],
    )
    phone = StringField(
        "Phone",
        validators=[Optional(), Length(max=40)],
        render_kw={"type": "tel", "inputmode": "tel", "autocomplete": "off"},
    )
    safe_to_call = SelectField("Safe to call?", choices=YES_NO_UNKNOWN, validators=[Optional()])
    safe_to_text = SelectField("Safe to text?", choices=YES_NO_UNKNOWN, validators=[Optional()])
    contact_notes = TextAreaField(
        "How to reach them safely",
        validators=[Optional(), Length(max=2000)],
        description="Places, times, people to ask for — or to avoid.",
    )

    # Why we met.
    program = SelectField(
        "Program", coerce=int, validators=[InputRequired("Choose the program for this case.")]
    )
    presenting_circumstances = TextAreaField(
        "What is going on", validators=[Optional(), Length(max=NOTE_MAX)]
    )
    safety_concern = BooleanField("Immediate safety concern")
    safety_details = TextAreaField(
        "Safety details",
        validators=[Optional(), Length(max=NOTE_MAX)],
        description="Marks the case urgent.",
    )
    client_priorities = TextAreaField(
        "What they want help with first", validators=[Optional(), Length(max=NOTE_MAX)]
    )
    strengths = TextAreaField(
        "Strengths and supports they bring", validators=[Optional(), Length(max=NOTE_MAX)]
    )

    # Consent and the next step.
    consent_given = BooleanField(
        "They agreed to us recording their information",
        validators=[
            DataRequired(
                "Ask for consent before recording anything; without it, nothing can be saved."
            )
        ],
    )
    consent_method = SelectField(
        "How they agreed",
        choices=enum_choices(ConsentMethod)[:2],
        validators=[DataRequired("Say how consent was given.")],
    )
    next_follow_up_on = DateField(
        "First follow-up",
        validators=[Optional()],
        description="When you plan to see or call them next.",
    )
    different_person = BooleanField("This is a different person from the matches shown")
    # Filled in on the phone when the intake is made offline (see static/js/outbox.js).
    persistent_id = HiddenField(validators=[Optional(), Length(max=20)])

    def __init__(self, *args, programs=(), existing_client=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.program.choices = [SelectChoice(program.id, program.name) for program in programs]
        if len(programs) == 1 and self.program.data is None:
            self.program.data = programs[0].id
        if existing_client:
            for name in (
                *IDENTITY_FIELDS,
                "language",
                "safe_to_call",
                "safe_to_text",
                "contact_notes",
                "different_person",
                "persistent_id",
            ):
                delattr(self, name)
        if not self.is_submitted() and self.next_follow_up_on.data is None:
            self.next_follow_up_on.data = local_today() + timedelta(days=7)

    def validate_date_of_birth(self, field: DateField) -> None:
        if field.data and not (1900 <= field.data.year and field.data <= local_today()):
            raise ValidationError("A date of birth between 1900 and today.")

    def validate_next_follow_up_on(self, field: DateField) -> None:
        if field.data and field.data < local_today():
            raise ValidationError("A follow-up date from today on.")
        if field.data and field.data > local_today() + timedelta(days=366):
            raise ValidationError("A follow-up within the next year.")

    def alias_list(self) -> list[str]:
        return [alias.strip() for alias in (self.aliases.data or "").split(",") if alias.strip()][
            :10
        ]
