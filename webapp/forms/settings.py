"""The user's own settings: time zone and quiet hours for reminders."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from wtforms import SelectField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from webapp.forms import Form


@cache
def _zones() -> tuple[str, ...]:
    return tuple(
        sorted(
            zone for zone in available_timezones() if "/" in zone and not zone.startswith("Etc/")
        )
    )


class SettingsForm(Form):
    time_zone = SelectField("Time zone", validators=[Optional()])
    quiet_from = TimeField("Quiet from", validators=[Optional()])
    quiet_until = TimeField("until", validators=[Optional()])

    def __init__(self, *args, organisation_zone: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = [
            SelectChoice("", f"The organisation's ({organisation_zone})"),
            *(SelectChoice(zone, zone.replace("_", " ")) for zone in _zones()),
        ]

    def validate(self, extra_validators=None) -> bool:
        # Optional() ends a blank field's checks, so the pair is checked here.
        valid = super().validate(extra_validators)
        if valid and (self.quiet_from.data is None) != (self.quiet_until.data is None):
            self.quiet_until.errors.append("Give both times, or neither.")
            valid = False
        return valid
