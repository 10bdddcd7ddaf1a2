"""Households and the client's network: the forms on the client's record (issue 19)."""

from __future__ import annotations

import wtforms
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from webapp import client_ids
from webapp.forms import Form, enum_choices
from webapp.models import RelationshipKind
from webapp.timeutil import local_today

CHOOSE = SelectChoice("", _l("Choose…"))


def relationship_choices() -> list[SelectChoice]:
    return [CHOOSE, *enum_choices(RelationshipKind)]


def birth_year_from(age_or_year: int | None) -> int | None:
    """One box takes an age (0–120) or a year of birth."""
    if age_or_year is None:
        return None
    return age_or_year if age_or_year > 120 else local_today().year - age_or_year


def age_or_year_valid(value: int | None) -> bool:
    if value is None or 0 <= value <= 120:
        return True
    return 1900 <= value <= local_today().year


AGE_OR_YEAR_ERROR = _l("An age from 0 to 120, or a year of birth.")
CLIENT_ID_ERROR = _l("Not a client ID: it looks like XXXX-XXXX-X.")


class HouseholdForm(Form):
    name = StringField(
        _l("Household name or address line"),
        validators=[
            DataRequired(_l("A name or an address line, such as “Rivera family” or “12 Elm St”.")),
            Length(max=200),
        ],
        render_kw={"autocomplete": "off"},
    )


class _PersonForm(Form):
    client_id = StringField(
        _l("Their client ID, if they are a client"),
        validators=[Optional(), Length(max=20)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    name = StringField(
        _l("Name"),
        validators=[Optional(), Length(max=200)],
        description=_l("For someone who is not a client."),
        render_kw={"autocomplete": "off", "autocapitalize": "words"},
    )
    can_contact = BooleanField(
        _l("Can be contacted about them"),
        description=_l("Only with the client's consent to talk with people close to them."),
    )

    def validate_client_id(self, field: StringField) -> None:
        if field.data:
            try:
                client_ids.parse(field.data)
            except client_ids.InvalidClientId:
                raise ValidationError(CLIENT_ID_ERROR) from None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        typed_id = "client_id" in self and self.client_id.data
        if valid and "name" in self and not typed_id and not (self.name.data or "").strip():
            self.name.errors.append(_l("A name, or the client ID of someone who is a client."))
            return False
        return valid


class MemberForm(_PersonForm):
    relationship = SelectField(
        _l("Relationship to the household's contact person"),
        choices=relationship_choices(),
        validators=[Optional()],
    )
    age_or_year = IntegerField(
        _l("Age or year born"),
        validators=[Optional()],
        render_kw={"inputmode": "numeric"},
    )
    lives_there = BooleanField(_l("Lives there"), default=True)
    joined_on = DateField(_l("Living there since"), validators=[Optional()])
    left_on = DateField(
        _l("Moved out on"),
        validators=[Optional()],
        description=_l("They stay on the record of this household, with the dates."),
    )

    def validate_age_or_year(self, field: IntegerField) -> None:
        if not age_or_year_valid(field.data):
            raise ValidationError(AGE_OR_YEAR_ERROR)

    def validate_left_on(self, field: DateField) -> None:
        if field.data and field.data > local_today():
            raise ValidationError(_l("A day from the past or today."))


class RelationshipForm(_PersonForm):
    kind = SelectField(
        _l("Who they are to the client"),
        choices=relationship_choices(),
        validators=[InputRequired(_l("Choose a relationship."))],
    )
    how_to_reach = StringField(
        _l("How to reach them"),
        validators=[Optional(), Length(max=200)],
        description=_l("A phone number, an address, when they are around."),
        render_kw={"autocomplete": "off"},
    )
    ended_on = DateField(_l("No longer in their life since"), validators=[Optional()])


class MemberRow(wtforms.Form):
    """One "someone who lives with them" row of the intake form: a person who is not a client.
    Not a `Form` (no CSRF token of its own) but cleaned as every form's text is."""

    Meta = Form.Meta

    name = StringField(
        _l("Their name"),
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "off", "autocapitalize": "words"},
    )
    relationship = SelectField(
        _l("Relationship"), choices=relationship_choices(), validators=[Optional()]
    )
    age_or_year = IntegerField(
        _l("Age or year born"), validators=[Optional()], render_kw={"inputmode": "numeric"}
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.is_empty and (self.relationship.data or self.age_or_year.data is not None):
            self.name.errors.append(_l("A name for this person, or leave the row empty."))
            return False
        return valid

    def validate_age_or_year(self, field: IntegerField) -> None:
        if not age_or_year_valid(field.data):
            raise ValidationError(AGE_OR_YEAR_ERROR)

    @property
    def is_empty(self) -> bool:
        return not (self.name.data or "").strip()
