"""The quick intake form: who the person is, why we met, consent, and when we follow up."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.utils import unset_value
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from webapp.forms import Form, enum_choices
from webapp.forms.hud import INTAKE_FIELDS, HudIntakeFields
from webapp.forms.network import MemberRow
from webapp.models import CLIENT_LANGUAGES, ConsentMethod
from webapp.timeutil import local_today

NOTE_MAX = 10_000
YES_NO_UNKNOWN = [
    SelectChoice("", _l("Not asked")),
    SelectChoice("yes", _l("Yes")),
    SelectChoice("no", _l("No")),
]
# Quick intake takes at most this many people who live with the client.
HOUSEHOLD_ROWS = 12
IDENTITY_FIELDS = (
    "preferred_name",
    "legal_name",
    "aliases",
    "date_of_birth",
    "approximate_age",
    "phone",
)


class BoundedRows(FieldList):
    """Repeating rows, at most `max_entries`. WTForms would drop the rows past the limit without
    a word; here more rows than allowed are refused, so nothing typed is lost silently."""

    too_many = False
    # Rows past the limit are still shown again (up to this many), so the worker can choose.
    KEPT = 50

    def process(self, formdata, data=unset_value, extra_filters=None):
        indices = set(self._extract_indices(self.name, formdata)) if formdata else set()
        limit = self.max_entries
        self.too_many = limit is not None and len(indices) > limit
        self.max_entries = self.KEPT if self.too_many else limit
        try:
            super().process(formdata, data, extra_filters)
        finally:
            self.max_entries = limit

    def pre_validate(self, form) -> None:
        if self.too_many:
            raise ValidationError(
                _l(
                    "At most %(num)d people here; add more on the client's page.",
                    num=self.max_entries,
                )
            )

    def validate(self, form, extra_validators=()) -> bool:
        valid = super().validate(form, extra_validators)
        try:
            self.pre_validate(form)
        except ValidationError as error:
            self.errors.append(str(error.args[0]))
            return False
        return valid


def yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class IntakeMemberRow(MemberRow):
    """A row of the quick intake: someone who lives with the client, who may become a client too
    (their own record, ID and case, opened with this intake)."""

    becomes_client = BooleanField(
        _l("Also a client: their own record and case"),
        description=_l("They agreed to it (or, for a child, their parent or carer did)."),
    )
    # Made on the phone when the row is sent from the outbox, as the client's own ID is.
    persistent_id = HiddenField(
        validators=[Optional(), Length(max=20)], render_kw={"data-phone-id": ""}
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.is_empty and self.becomes_client.data:
            self.name.errors.append(_l("A name for this person, or leave the row empty."))
            return False
        return valid


class IntakeForm(HudIntakeFields, Form):
    # Who they are (left out when the person is already known).
    preferred_name = StringField(
        _l("First name, street name or alias"),
        validators=[
            DataRequired(_l("A name or alias is needed, even a street name.")),
            Length(max=200),
        ],
        render_kw={"autocomplete": "off", "autocapitalize": "words", "spellcheck": "false"},
    )
    legal_name = StringField(
        _l("Full legal name"),
        validators=[Optional(), Length(max=200)],
        description=_l("If they want to give it."),
        render_kw={"autocomplete": "off"},
    )
    aliases = StringField(
        _l("Other names they use"),
        validators=[Optional(), Length(max=400)],
        description=_l("Separate several with commas."),
        render_kw={"autocomplete": "off"},
    )
    date_of_birth = DateField(_l("Date of birth"), validators=[Optional()])
    approximate_age = IntegerField(
        _l("Or their approximate age"),
        validators=[Optional(), NumberRange(min=0, max=120, message=_l("An age from 0 to 120."))],
        render_kw={"inputmode": "numeric"},
    )
    language = SelectField(
        _l("Language they prefer"),
        choices=[
            SelectChoice("", _l("Not asked")),
            *(SelectChoice(code, name) for code, name in CLIENT_LANGUAGES.items()),
        ],
        validators=[Optional()],
    )
    phone = StringField(
        _l("Phone"),
        validators=[Optional(), Length(max=40)],
        render_kw={"type": "tel", "inputmode": "tel", "autocomplete": "off"},
    )
    safe_to_call = SelectField(_l("Safe to call?"), choices=YES_NO_UNKNOWN, validators=[Optional()])
    safe_to_text = SelectField(_l("Safe to text?"), choices=YES_NO_UNKNOWN, validators=[Optional()])
    contact_notes = TextAreaField(
        _l("How to reach them safely"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Places, times, people to ask for — or to avoid."),
    )

    # Who lives with them: a household made with the client as its contact person.
    household_name = StringField(
        _l("Household name or address line"),
        validators=[Optional(), Length(max=200)],
        description=_l("If empty, the household takes the client's name."),
        render_kw={"autocomplete": "off"},
    )
    members = BoundedRows(FormField(IntakeMemberRow), max_entries=HOUSEHOLD_ROWS)

    # Why we met.
    program = SelectField(
        _l("Program"),
        coerce=int,
        validators=[InputRequired(_l("Choose the program for this case."))],
    )
    presenting_circumstances = TextAreaField(
        _l("What is going on"), validators=[Optional(), Length(max=NOTE_MAX)]
    )
    safety_concern = BooleanField(_l("Immediate safety concern"))
    safety_details = TextAreaField(
        _l("Safety details"),
        validators=[Optional(), Length(max=NOTE_MAX)],
        description=_l("Marks the case urgent."),
    )
    client_priorities = TextAreaField(
        _l("What they want help with first"), validators=[Optional(), Length(max=NOTE_MAX)]
    )
    strengths = TextAreaField(
        _l("Strengths and supports they bring"), validators=[Optional(), Length(max=NOTE_MAX)]
    )

    # Where someone who does not qualify for the program was sent instead.
    referred_to = StringField(
        _l("Referred elsewhere to"),
        validators=[Optional(), Length(max=300)],
        description=_l(
            "If their answers do not qualify them, they are recorded without a case: say where "
            "you sent them."
        ),
        render_kw={"autocomplete": "off"},
    )

    # Consent and the next step.
    consent_given = BooleanField(
        _l("They agreed to us recording their information"),
        validators=[
            DataRequired(
                _l("Ask for consent before recording anything; without it, nothing can be saved.")
            )
        ],
    )
    consent_method = SelectField(
        _l("How they agreed"),
        choices=enum_choices(ConsentMethod)[:2],
        validators=[DataRequired(_l("Say how consent was given."))],
    )
    next_follow_up_on = DateField(
        _l("First follow-up"),
        validators=[Optional()],
        description=_l("When you plan to see or call them next."),
    )
    different_person = BooleanField(_l("This is a different person from the matches shown"))
    # Filled in on the phone when the intake is made offline (see static/js/outbox.js).
    persistent_id = HiddenField(
        validators=[Optional(), Length(max=20)], render_kw={"data-phone-id": ""}
    )

    def __init__(self, *args, programs=(), existing_client=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.program.choices = [SelectChoice(program.id, program.name) for program in programs]
        # HUD's questions only when one of the programs asks them (issue 23).
        self.hud_programs = [program for program in programs if program.hud_elements]
        if not self.hud_programs:
            for name in INTAKE_FIELDS:
                delattr(self, name)
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
                "household_name",
                "members",
            ):
                delattr(self, name)
        if not self.is_submitted() and self.next_follow_up_on.data is None:
            self.next_follow_up_on.data = local_today() + timedelta(days=7)

    def validate_date_of_birth(self, field: DateField) -> None:
        if field.data and not (1900 <= field.data.year and field.data <= local_today()):
            raise ValidationError(_l("A date of birth between 1900 and today."))

    def validate_next_follow_up_on(self, field: DateField) -> None:
        if field.data and field.data < local_today():
            raise ValidationError(_l("A follow-up date from today on."))
        if field.data and field.data > local_today() + timedelta(days=366):
            raise ValidationError(_l("A follow-up within the next year."))

    @staticmethod
    def member_template() -> IntakeMemberRow:
        """An empty row as the page's <template> holds it; the script numbers each copy."""
        return IntakeMemberRow(formdata=None, prefix="members-__index__-")

    def member_rows(self) -> list[IntakeMemberRow]:
        """The rows filled in (an empty row is one added and left)."""
        if "members" not in self:
            return []
        return [entry.form for entry in self.members if not entry.form.is_empty]

    def alias_list(self) -> list[str]:
        return [alias.strip() for alias in (self.aliases.data or "").split(",") if alias.strip()][
            :10
        ]
