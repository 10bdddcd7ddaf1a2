"""HUD's data elements as form fields, in plain words, for the programs that ask them (issue 23):
each list's choices carry HUD's code as their value, and HUD's "client doesn't know", "client
prefers not to answer" and "not collected" are choices like the others."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.models import hud
from webapp.timeutil import local_today


class ChecklistField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def choices(table: dict[int, str], empty=None) -> list[SelectChoice]:
    first = [SelectChoice("", empty or _l("Not asked yet"))]
    return first + [SelectChoice(str(code), _l(words)) for code, words in table.items()]


def code(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


RACE_CHOICES = [SelectChoice(column, _l(words)) for column, words in hud.RACES.items()] + [
    SelectChoice(str(code), _l(words)) for code, words in hud.MISSING_REASONS.items()
]

# The intake form's HUD fields, by name (IntakeForm takes them out when no program asks them).
INTAKE_FIELDS = (
    "hmis_consent",
    "hud_prior_living",
    "hud_current_living",
    "hud_engaged_on",
    "hud_disabling",
    "hud_veteran",
    "hud_sex",
    "hud_race",
    "hud_relationship",
)


class HudIntakeFields:
    """Mixed into the intake form."""

    hmis_consent = BooleanField(
        _l("They agreed to share this with the HUD homeless data system (HMIS)"),
        description=_l("Without it, nothing about them goes into the HMIS export."),
    )
    hud_prior_living = SelectField(
        _l("Where did they stay last night, before today?"),
        choices=choices(hud.PRIOR_LIVING_SITUATIONS),
        validators=[Optional()],
    )
    hud_current_living = SelectField(
        _l("Where are they staying now?"),
        choices=choices(hud.CURRENT_LIVING_SITUATIONS),
        validators=[Optional()],
    )
    hud_engaged_on = DateField(
        _l("Date of engagement"),
        validators=[Optional()],
        description=_l("The day they agreed to work with you on a plan."),
    )
    hud_disabling = SelectField(
        _l("Do they have a long-lasting health condition or disability that limits daily life?"),
        choices=choices(hud.NO_YES),
        validators=[Optional()],
    )
    hud_veteran = SelectField(
        _l("Have they served in the US armed forces?"),
        choices=choices(hud.NO_YES),
        validators=[Optional()],
    )
    hud_sex = SelectField(_l("Sex"), choices=choices(hud.SEX), validators=[Optional()])
    hud_race = ChecklistField(
        _l("Race and ethnicity (all that they say)"),
        choices=RACE_CHOICES,
        validators=[Optional()],
    )
    hud_relationship = SelectField(
        _l("Their place in the household"),
        choices=choices(hud.RELATIONSHIP_TO_HOH),
        validators=[Optional()],
    )

    def validate_hud_race(self, field: ChecklistField) -> None:
        picked = field.data or []
        reasons = [value for value in picked if value.isdigit()]
        if reasons and (len(picked) > 1):
            raise ValidationError(
                _l("Tick what they say, or one reason it is not known, not both.")
            )

    def validate_hud_engaged_on(self, field: DateField) -> None:
        if field.data and not (2000 <= field.data.year and field.data <= local_today()):
            raise ValidationError(_l("A date from 2000 up to today."))


def destination_field() -> SelectField:
    return SelectField(
        _l("Where are they going? (HUD exit destination)"),
        choices=choices(hud.DESTINATIONS, empty=_l("Choose…")),
        validators=[Optional()],
    )
