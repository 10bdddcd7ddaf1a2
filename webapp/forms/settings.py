"""The user's own settings: the language of their pages, the phone providers and clients reach
them on, and the time zone and quiet hours for reminders."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, Regexp

from webapp.forms import Form
from webapp.models import TRANSLATED_LANGUAGES


@cache
def _zones() -> tuple[str, ...]:
    return tuple(
        sorted(
            zone for zone in available_timezones() if "/" in zone and not zone.startswith("Etc/")
        )
    )


class SettingsForm(Form):
    # Each language is named in itself, so a person lost in the wrong one can find their own.
    language = SelectField(
        _l("Language"),
        choices=[
            SelectChoice("", _l("As my browser prefers")),
            *(SelectChoice(code, name) for code, name in TRANSLATED_LANGUAGES.items()),
        ],
        validators=[Optional()],
    )
    work_phone = StringField(
        _l("Work phone"),
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[0-9+()./ -]+$", message=_l("Digits, spaces and + ( ) - only.")),
        ],
        description=_l("Shown to providers on a referral's link and on the client's slip."),
    )
    time_zone = SelectField(_l("Time zone"), validators=[Optional()])
    quiet_from = TimeField(_l("Quiet from"), validators=[Optional()])
    quiet_until = TimeField(_l("until"), validators=[Optional()])

    def __init__(self, *args, organisation_zone: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = [
            SelectChoice("", _l("The organisation's (%(zone)s)", zone=organisation_zone)),
            *(SelectChoice(zone, zone.replace("_", " ")) for zone in _zones()),
        ]

    def validate(self, extra_validators=None) -> bool:
        # Optional() ends a blank field's checks, so the pair is checked here.
        valid = super().validate(extra_validators)
        if valid and (self.quiet_from.data is None) != (self.quiet_until.data is None):
            self.quiet_until.errors.append(_l("Give both times, or neither."))
            valid = False
        return valid
