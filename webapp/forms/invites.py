"""Staff forms for self-intake: sending an invitation, and reviewing what comes back."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from webapp import client_ids
from webapp.forms import Form
from webapp.models import TRANSLATED_LANGUAGES
from webapp.timeutil import local_today


class InvitationForm(Form):
    program = SelectField(
        _l("Program"), coerce=int, validators=[InputRequired(_l("Choose the program."))]
    )
    language = SelectField(_l("Language of the form"), validators=[Optional()])
    client = StringField(
        _l("Client ID, if they are already known"),
        validators=[Optional(), Length(max=20)],
        description=_l("Their answers will be added to that record."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    expires_in_days = IntegerField(
        _l("Link works for (days)"),
        default=7,
        validators=[
            InputRequired(_l("Say how many days the link works.")),
            NumberRange(min=1, max=30, message=_l("From 1 to 30 days.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    note = TextAreaField(
        _l("Note for yourself"),
        validators=[Optional(), Length(max=500)],
        description=_l("Not shown to the client. No names needed: the list shows this note."),
    )

    def __init__(self, *args, programs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.program.choices = [SelectChoice(program.id, program.name) for program in programs]
        self.language.choices = [
            SelectChoice("", _l("Their phone's language")),
            *(SelectChoice(code, name) for code, name in TRANSLATED_LANGUAGES.items()),
        ]

    def validate_client(self, field: StringField) -> None:
        if field.data:
            try:
                field.data = client_ids.parse(field.data)
            except client_ids.InvalidClientId as error:
                raise ValidationError(
                    _l("Not a client ID: check it against their card.")
                ) from error


class AcceptForm(Form):
    client = RadioField(
        _l("Who is this?"), validators=[DataRequired(_l("Choose a known client or a new record."))]
    )
    next_follow_up_on = DateField(
        _l("First follow-up"),
        validators=[Optional()],
        description=_l("When you plan to contact them."),
    )

    def validate_next_follow_up_on(self, field: DateField) -> None:
        if field.data and field.data < local_today():
            raise ValidationError(_l("A date from today on."))


class RejectForm(Form):
    reason = TextAreaField(
        _l("Why not"),
        validators=[
            DataRequired(_l("Say why this self-intake is not taken on.")),
            Length(max=2000),
        ],
    )
