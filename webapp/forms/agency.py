"""Forms for one person across the agency: asking for a referral, referring to another program,
and the receiving program's decision."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from webapp.forms import Form
from webapp.forms.clients import NOTE_MAX
from webapp.models import ConsentMethod
from webapp.timeutil import local_today


class AskForReferralForm(Form):
    """The "Ask for a referral" button: the case it names, and what the worker typed (the intake
    form's identity fields, or the search box as `preferred_name`)."""

    ask_case = IntegerField(validators=[InputRequired()])
    preferred_name = StringField(validators=[Optional(), Length(max=200)])
    legal_name = StringField(validators=[Optional(), Length(max=200)])
    aliases = StringField(validators=[Optional(), Length(max=400)])
    date_of_birth = StringField(validators=[Optional(), Length(max=20)])
    approximate_age = StringField(validators=[Optional(), Length(max=5)])
    phone = StringField(validators=[Optional(), Length(max=40)])
    asked_from = StringField(validators=[Optional(), Length(max=20)])

    @property
    def looked_for(self) -> str:
        """The name as typed: "Maria" and "Maria Lopez" make "Maria Lopez", not both."""
        names = [n.strip() for n in (self.preferred_name.data, self.legal_name.data) if n]
        names = [n for n in names if n]
        if len(names) == 2 and names[0].casefold() in names[1].casefold():
            return names[1]
        if len(names) == 2 and names[1].casefold() in names[0].casefold():
            return names[0]
        return ", ".join(names)


class InternalReferralForm(Form):
    program = SelectField(
        _l("Program"), coerce=int, validators=[InputRequired(_l("Choose a program."))]
    )
    # Worded apart from the directory form's fields on the same page: one label, one field.
    reason = TextAreaField(
        _l("What the program should know"), validators=[Optional(), Length(max=NOTE_MAX)]
    )
    # Needed only when no consent in force names the program (the view decides).
    share_consent = BooleanField(
        _l("The client agrees that we share their intake and assessment with this program")
    )
    share_method = SelectField(
        _l("How the client gave it"),
        choices=[
            SelectChoice("", _l("Choose…")),
            SelectChoice(ConsentMethod.VERBAL.value, ConsentMethod.VERBAL.label),
            SelectChoice(ConsentMethod.SIGNED.value, ConsentMethod.SIGNED.label),
        ],
        validate_choice=False,
    )
    share_witness = StringField(
        _l("Who else heard it"),
        validators=[Length(max=200, message=_l("At most 200 characters."))],
        description=_l("For a verbal consent: the other person who heard it."),
    )
    restricted_confirmed = BooleanField(
        _l("This case is restricted: I choose to send its intake and assessment to this program")
    )

    def __init__(self, *args, programs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.program.choices = [
            SelectChoice(0, _l("Choose a program…")),
            *(SelectChoice(program.id, program.name) for program in programs),
        ]


class InternalAcceptForm(Form):
    next_follow_up_on = DateField(
        _l("First follow-up"),
        validators=[Optional()],
        description=_l("When you plan to contact them."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_submitted() and self.next_follow_up_on.data is None:
            self.next_follow_up_on.data = local_today() + timedelta(days=2)

    def validate_next_follow_up_on(self, field: DateField) -> None:
        if field.data and field.data < local_today():
            raise ValidationError(_l("A date from today on."))
        if field.data and field.data > local_today() + timedelta(days=366):
            raise ValidationError(_l("A date within the next year."))


class InternalDeclineForm(Form):
    reason = TextAreaField(
        _l("Why not"),
        validators=[
            DataRequired(_l("Say why the program does not take this referral.")),
            Length(max=2000),
        ],
    )


class InternalWithdrawForm(Form):
    reason = TextAreaField(
        _l("Why it is withdrawn"),
        validators=[
            DataRequired(_l("Say why the referral is withdrawn.")),
            Length(max=2000),
        ],
        description=_l(
            "Sent by mistake, the client changed their mind, consent withdrawn… The receiving "
            "program does not see this."
        ),
    )
