"""Recording and revoking a consent or release of information."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from webapp.forms import Form
from webapp.forms.cases import ChecklistField
from webapp.forms.clients import NOTE_MAX
from webapp.models import ConsentMethod, ConsentScope
from webapp.timeutil import local_today

# A release of information is renewed at least this often.
LONGEST = timedelta(days=3 * 366)
DEFAULT_TERM = timedelta(days=365)
# A worker types into the form the consents a client gives now; self-intake records its own.
WORKER_METHODS = (ConsentMethod.VERBAL, ConsentMethod.SIGNED)


def _choice(member) -> SelectChoice:
    return SelectChoice(member.value, _l(member.label))


class ConsentForm(Form):
    scope = SelectField(
        _l("What they agree to"),
        choices=[SelectChoice("", _l("Choose…")), *(_choice(scope) for scope in ConsentScope)],
        validators=[InputRequired(_l("Choose what the client agrees to."))],
    )
    provider = SelectField(
        _l("Which provider"),
        choices=[],
        validate_choice=False,
        description=_l("Only for sharing with a provider: the organisation in the directory."),
    )
    all_programs = BooleanField(_l("Every program of the agency"))
    programs = ChecklistField(
        _l("Or these programs"), choices=[], coerce=int, validate_choice=False
    )
    method = SelectField(
        _l("How it was given"),
        choices=[SelectChoice("", _l("Choose…")), *(_choice(method) for method in WORKER_METHODS)],
        validators=[InputRequired(_l("Say how the client gave it."))],
    )
    witness = StringField(
        _l("Who witnessed it"),
        # Not Optional(): it would stop the check that a verbal consent names its witness.
        validators=[Length(max=200, message=_l("At most 200 characters."))],
        description=_l("For a verbal consent: the other person who heard it."),
    )
    given_on = DateField(_l("Given on"), validators=[InputRequired(_l("The day it was given."))])
    expires_on = DateField(
        _l("Runs until"),
        validators=[InputRequired(_l("The day it runs out."))],
        description=_l("A year is usual; at most three."),
    )
    case = SelectField(_l("Recorded in"), choices=[], validate_choice=False)
    note = TextAreaField(
        _l("Note"),
        validators=[
            Optional(),
            Length(
                max=NOTE_MAX, message=_l("At most %(num)s characters.", num=format(NOTE_MAX, ","))
            ),
        ],
        description=_l("Limits the client set, what may not be shared."),
    )

    def __init__(self, *args, providers=(), programs=(), cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.provider.choices = [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(str(provider.id), provider.name) for provider in providers
        ]
        self.programs.choices = [SelectChoice(program.id, program.name) for program in programs]
        self.case.choices = [SelectChoice(str(case.id), case.program.name) for case in cases]
        if not self.is_submitted():
            self.given_on.data = self.given_on.data or local_today()
            self.expires_on.data = self.expires_on.data or local_today() + DEFAULT_TERM

    def validate_provider(self, field) -> None:
        if self.scope.data != ConsentScope.SHARING.value:
            return
        if not field.data:
            raise ValidationError(_l("Choose the provider the client agrees to share with."))
        if field.data not in {choice[0] for choice in field.iter_choices() if choice[0]}:
            raise ValidationError(_l("Choose a provider from the list."))

    def validate_programs(self, field) -> None:
        if self.scope.data != ConsentScope.AGENCY_SHARING.value:
            return
        known = {choice.value for choice in field.choices}
        if any(value not in known for value in field.data or ()):
            raise ValidationError(_l("Choose programs from the list."))
        if not (field.data or self.all_programs.data):
            raise ValidationError(_l("Tick every program, or the programs the client named."))

    def validate_witness(self, field) -> None:
        if self.method.data == ConsentMethod.VERBAL.value and not (field.data or "").strip():
            raise ValidationError(_l("A verbal consent names who else heard it."))

    def validate_given_on(self, field) -> None:
        if field.data and field.data > local_today():
            raise ValidationError(_l("Not a day in the future."))
        if field.data and field.data < local_today() - LONGEST:
            raise ValidationError(_l("A consent that old has run out: record a new one."))

    def validate_expires_on(self, field) -> None:
        given = self.given_on.data
        if not (field.data and given):
            return
        if field.data <= given:
            raise ValidationError(_l("After the day it was given."))
        if field.data > given + LONGEST:
            raise ValidationError(_l("At most three years after it was given."))
        if field.data < local_today():
            raise ValidationError(_l("This day has passed: the consent would not be in force."))

    def validate_case(self, field) -> None:
        if field.data not in {value for value, *_ in field.iter_choices()}:
            raise ValidationError(_l("Choose one of the client's open cases."))


class RevokeConsentForm(Form):
    reason = TextAreaField(
        _l("Why it is revoked"),
        validators=[
            DataRequired(_l("Say why: the client asked, or what changed.")),
            Length(
                max=NOTE_MAX, message=_l("At most %(num)s characters.", num=format(NOTE_MAX, ","))
            ),
        ],
    )
