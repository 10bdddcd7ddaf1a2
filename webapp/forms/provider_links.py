"""Forms of the closed loop: the provider's answers on their link, and the worker's choices about
that link and the provider's commitment."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from webapp.forms import Form, enum_choices
from webapp.forms.cases import for_an_appointment
from webapp.models import NameShown, ProviderAnswer
from webapp.timeutil import local_today

NOTE_MAX = 1000
# An appointment a provider books is within a year of today, like one the worker records.
APPOINTMENT_RANGE = timedelta(days=366)


class ProviderAnswerForm(Form):
    """One answer from the provider. The page shows one small form per answer open to them, each
    with only the fields it needs; the server checks them all the same."""

    answer = SelectField(
        choices=enum_choices(ProviderAnswer),
        validators=[DataRequired(_l("Choose an answer."))],
    )
    note = TextAreaField(_l("Note for the worker"), validators=[Optional(), Length(max=NOTE_MAX)])
    appointment_on = DateField(_l("Date"), validators=[for_an_appointment(required=True)])
    appointment_time = TimeField(_l("Time"), validators=[for_an_appointment()])
    appointment_place = StringField(_l("Place"), validators=[for_an_appointment(), Length(max=500)])
    commitment = TextAreaField(
        _l("What you will do"),
        validators=[Optional(), Length(max=500)],
        description=_l("For example: “See her for an intake interview”."),
    )
    commitment_by = DateField(_l("By when"), validators=[Optional()])

    @property
    def chosen(self) -> ProviderAnswer | None:
        return ProviderAnswer._value2member_map_.get(self.answer.data or "")  # type: ignore[return-value]

    @property
    def scheduling(self) -> bool:
        return self.chosen == ProviderAnswer.SCHEDULE

    def validate_note(self, field: TextAreaField) -> None:
        if self.chosen == ProviderAnswer.DECLINE and not (field.data or "").strip():
            raise ValidationError(_l("Say why you cannot take this referral."))

    def validate_appointment_on(self, field: DateField) -> None:
        if field.data is None:  # not scheduling, or a date that did not parse (it says so)
            return
        today = local_today()
        if not today - APPOINTMENT_RANGE <= field.data <= today + APPOINTMENT_RANGE:
            raise ValidationError(_l("A date within a year of today."))

    def validate_commitment_by(self, field: DateField) -> None:
        if self.chosen != ProviderAnswer.ACCEPT or field.data is None:
            return
        if field.data < local_today():
            raise ValidationError(_l("A date from today on."))
        if field.data > local_today() + APPOINTMENT_RANGE:
            raise ValidationError(_l("A date within the next year."))
        if not (self.commitment.data or "").strip():
            self.commitment.errors = [*self.commitment.errors, _l("Say what you will do by then.")]


class ProviderNoteForm(Form):
    message = TextAreaField(
        _l("A note for the worker"),
        validators=[DataRequired(_l("Write the note first.")), Length(max=NOTE_MAX)],
    )


class LinkShownForm(Form):
    """What the provider's page shows of the client, within the consent."""

    name_shown = RadioField(
        _l("Name the client by"), choices=enum_choices(NameShown), validators=[DataRequired()]
    )
    show_reason = BooleanField(_l("Show the reason for the referral"))
    show_contact = BooleanField(
        _l("Show how to reach the client"),
        description=_l("Their phone number and how they agreed to be contacted."),
    )


class CommitmentForm(Form):
    """The secondary contract, as the worker heard it from the provider."""

    commitment = TextAreaField(
        _l("What the provider agreed to do"), validators=[Optional(), Length(max=500)]
    )
    commitment_by = DateField(_l("By when"), validators=[Optional()])

    def validate_commitment_by(self, field: DateField) -> None:
        if field.data is not None and not (self.commitment.data or "").strip():
            raise ValidationError(_l("Say what the provider agreed to do by then."))
        if field.data is not None and field.data > local_today() + APPOINTMENT_RANGE:
            raise ValidationError(_l("A date within the next year."))
