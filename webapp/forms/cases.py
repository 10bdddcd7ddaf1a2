"""Forms used on a case: the contact log, a referral, and a referral's confirmation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.forms import Form, enum_choices
from webapp.forms.clients import NOTE_MAX
from webapp.forms.network import relationship_choices
from webapp.models import (
    MOVED_LABEL,
    N_,
    ConfirmationMethod,
    ConsentMethod,
    ContactType,
    ReferralStatus,
    utcnow,
)
from webapp.timeutil import local_today, local_zone

# Stored in English as given; shown in the page's language.
SERVICES_ON_THE_SPOT = [
    N_("Food or water"),
    N_("Hygiene kit"),
    N_("Clothing or blanket"),
    N_("Harm reduction supplies"),
    N_("First aid"),
    N_("Phone charge or minutes"),
    N_("Transport"),
    N_("Help with ID documents"),
    N_("Help with benefits"),
    N_("Crisis support"),
]
# Allow a phone's clock to run a little fast.
CLOCK_SKEW = timedelta(minutes=10)
# An appointment is booked within a year of today, either way: further is a typing slip.
APPOINTMENT_RANGE = timedelta(days=366)


class ChecklistField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def to_utc(local: datetime) -> datetime:
    return local.replace(tzinfo=local_zone()).astimezone(UTC)


def local_now() -> datetime:
    return utcnow().astimezone(local_zone()).replace(tzinfo=None, second=0, microsecond=0)


def _a_past_moment(field: DateTimeLocalField, what: str) -> None:
    if field.data is None:
        return
    if field.data.year < 2000:
        raise ValidationError(_l("A date from 2000 on."))
    if to_utc(field.data) > utcnow() + CLOCK_SKEW:
        raise ValidationError(_l("%(what)s cannot be in the future.", what=what))


def _not_in_the_past(field: DateField) -> None:
    if field.data and field.data < local_today():
        raise ValidationError(_l("A date from today on."))
    if field.data and field.data > local_today() + timedelta(days=366):
        raise ValidationError(_l("A date within the next year."))


class ContactForm(Form):
    occurred_at = DateTimeLocalField(
        _l("When"),
        validators=[InputRequired(_l("Say when the contact happened."))],
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    contact_type = SelectField(
        _l("Type"),
        choices=enum_choices(ContactType),
        validators=[DataRequired(_l("Choose the kind of contact."))],
    )
    collateral_name = StringField(
        _l("With someone else about them? Their name"),
        validators=[Optional(), Length(max=200)],
        description=_l("A collateral contact: a family member, the landlord, a teacher…"),
        render_kw={"autocomplete": "off", "autocapitalize": "words"},
    )
    collateral_relationship = SelectField(
        _l("Their relationship to the client"), choices=[], validators=[Optional()]
    )
    duration_minutes = IntegerField(
        _l("Minutes"),
        validators=[
            Optional(),
            NumberRange(min=0, max=24 * 60, message=_l("Between 0 and 1440 minutes.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    place = StringField(_l("Where"), validators=[Optional(), Length(max=200)])
    services_given = ChecklistField(
        _l("Given on the spot"),
        choices=[SelectChoice(s, _l(s)) for s in SERVICES_ON_THE_SPOT],
        validators=[Optional()],
    )
    note = TextAreaField(
        _l("What happened"),
        validators=[
            DataRequired(_l("Write a short note: what happened, what they said, what you agreed.")),
            Length(
                max=NOTE_MAX, message=_l("At most %(num)s characters.", num=format(NOTE_MAX, ","))
            ),
        ],
    )
    next_follow_up_on = DateField(
        _l("Next follow-up"),
        validators=[Optional()],
        description=_l("Leave empty to keep the follow-up already planned."),
    )
    clear_follow_up = BooleanField(_l("No follow-up needed now (clears the one planned)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.collateral_relationship.choices = relationship_choices()
        if not self.is_submitted():
            self.occurred_at.data = local_now()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        named = (self.collateral_name.data or "").strip()
        if valid and not named and self.collateral_relationship.data:
            self.collateral_name.errors.append(_l("Say who it was with."))
            return False
        if valid and not named and self.contact_type.data == ContactType.COLLATERAL.value:
            self.collateral_name.errors.append(_l("Say who it was with."))
            return False
        return valid

    def validate_occurred_at(self, field: DateTimeLocalField) -> None:
        _a_past_moment(field, _l("A contact"))

    def validate_next_follow_up_on(self, field: DateField) -> None:
        _not_in_the_past(field)


NO_SERVICE = 0


def _eligibility(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= 60 else text[:59].rstrip() + "…"


def service_choices(services) -> list[SelectChoice]:
    """Services grouped by provider, each with the area it serves and who it is for, when the
    directory says; nothing is chosen until the worker chooses (a first service pre-selected sent
    a wrong referral)."""
    return [
        SelectChoice(NO_SERVICE, _l("Choose a service…")),
        *(
            SelectChoice(
                service.id,
                " · ".join(
                    part
                    for part in (service.name, service.area, _eligibility(service.eligibility))
                    if part
                ),
                optgroup=service.provider.name,
            )
            for service in services
        ),
    ]


class ReferralForm(Form):
    service = SelectField(
        _l("Service"),
        coerce=int,
        validators=[InputRequired(_l("Choose a service from the directory."))],
    )
    goal = SelectField(_l("For which goal"), coerce=int, validators=[Optional()], default=0)
    reason = TextAreaField(_l("Why this referral"), validators=[Optional(), Length(max=NOTE_MAX)])
    follow_up_on = DateField(
        _l("Check it happened by"),
        validators=[InputRequired(_l("Choose a follow-up date."))],
        description=_l("A week from today unless you change it."),
    )
    # Needed only when no consent in force names the provider (the view decides).
    share_consent = BooleanField(_l("The client agrees that we share what this referral needs"))
    share_method = SelectField(
        _l("How they agreed"),
        choices=[
            SelectChoice("", _l("Choose…")),
            SelectChoice(ConsentMethod.VERBAL.value, _l(ConsentMethod.VERBAL.label)),
            SelectChoice(ConsentMethod.SIGNED.value, _l(ConsentMethod.SIGNED.label)),
        ],
        validate_choice=False,  # checked by the view, and only when it is needed
    )
    share_witness = StringField(
        _l("Who witnessed it"),
        validators=[Length(max=200, message=_l("At most 200 characters."))],
        description=_l("For a verbal consent: the other person who heard it."),
    )

    def __init__(self, *args, services=(), goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.service.choices = service_choices(services)
        self.goal.choices = [
            SelectChoice(0, _l("No particular goal")),
            *(SelectChoice(goal.id, goal.statement) for goal in goals),
        ]
        if not self.is_submitted():
            self.follow_up_on.data = local_today() + timedelta(days=7)

    def validate_follow_up_on(self, field: DateField) -> None:
        _not_in_the_past(field)


def for_an_appointment(required: bool = False):
    """The appointment's fields count only when the step is "scheduled": for any other step they
    are dropped, errors and all (the page hides them then); for "scheduled" an empty optional one
    is simply left out."""

    def check(form, field) -> None:  # a form with a `scheduling` property
        empty = not field.raw_data or not str(field.raw_data[0]).strip()
        if not form.scheduling or (empty and not required):
            field.errors[:] = []
            field.data = None if field.type != "StringField" else ""
            raise StopValidation()
        if empty:
            field.errors[:] = []  # not "Not a valid date value": nothing was typed
            raise StopValidation(_l("Give the appointment's date."))

    return check


class ReferralStatusForm(Form):
    status = SelectField(
        _l("What happened"), validators=[DataRequired(_l("Choose what happened."))]
    )
    occurred_at = DateTimeLocalField(
        _l("When"),
        validators=[InputRequired(_l("Say when it happened."))],
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    method = SelectField(
        _l("How you know"),
        # What a worker can say; "recorded when made" and "confirmed by the provider" (on their
        # link) are written by Waymark, never chosen.
        choices=[
            choice
            for choice in enum_choices(ConfirmationMethod)
            if choice.value not in (ConfirmationMethod.SYSTEM, ConfirmationMethod.PROVIDER_LINK)
        ],
        validators=[DataRequired(_l("Say how you know."))],
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=NOTE_MAX)])
    follow_up_on = DateField(
        _l("Check again by"),
        validators=[Optional()],
        description=_l("If it is not finished yet: when to ask again."),
    )
    # Asked for when the step is "scheduled" (the page shows them only then; without script they
    # are always there and ignored for other steps).
    appointment_on = DateField(
        _l("Appointment date"), validators=[for_an_appointment(required=True)]
    )
    appointment_time = TimeField(
        _l("Appointment time"),
        validators=[for_an_appointment()],
        description=_l("If you know it."),
    )
    appointment_place = StringField(
        _l("Appointment place"),
        validators=[for_an_appointment(), Length(max=500)],  # as long as an address
        description=_l("Where to go, if you know it."),
    )

    def __init__(self, *args, referral=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Offline (referral=None) the page fills the choices in from the picked referral.
        statuses = referral.next_statuses if referral is not None else []
        # Nothing is pre-selected: "acknowledged" chosen by default was recorded without anyone
        # deciding it.
        self.status.choices = [
            SelectChoice("", _l("Choose what happened…")),
            *(
                SelectChoice(
                    status.value,
                    _l(MOVED_LABEL) if status == referral.status else _l(status.label),
                )
                for status in statuses
            ),
        ]
        address = referral.service.provider.address if referral is not None else ""
        if address:
            self.appointment_place.description = _l(
                "The directory's address for the provider: %(address)s. Change it if the "
                "appointment is elsewhere.",
                address=address,
            )
        if not self.is_submitted():
            self.occurred_at.data = local_now()
            self.appointment_place.data = address

    @property
    def scheduling(self) -> bool:
        return self.status.data == ReferralStatus.SCHEDULED.value

    def validate_occurred_at(self, field: DateTimeLocalField) -> None:
        _a_past_moment(field, _l("A confirmation"))

    def validate_follow_up_on(self, field: DateField) -> None:
        if not self.scheduling:  # a scheduled referral is confirmed the day after its appointment
            _not_in_the_past(field)

    def validate_appointment_on(self, field: DateField) -> None:
        if field.data is None:  # a date that did not parse already says so
            return
        today = local_today()
        if not today - APPOINTMENT_RANGE <= field.data <= today + APPOINTMENT_RANGE:
            raise ValidationError(_l("A date within a year of today."))
        booked = self.occurred_at.data
        if booked is not None and field.data < booked.date():
            raise ValidationError(_l("The appointment cannot be before the day it was booked."))
