from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from webapp import client_ids
from webapp.forms import Form


class AuditFilterForm(Form):
    """Filters for /admin/audit, sent as a GET query (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    user = SelectField(_l("Staff member"), coerce=str, validators=[Optional()])
    client = StringField(
        _l("Client ID"),
        validators=[Optional(), Length(max=20)],
        render_kw={"autocapitalize": "characters", "spellcheck": "false"},
    )
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user.choices = [SelectChoice("", _l("Anyone"))] + [
            SelectChoice(str(user.id), f"{user.display_name} ({user.email})") for user in users
        ]

    def validate_client(self, field: StringField) -> None:
        if field.data and not client_ids.is_valid(field.data):
            raise ValidationError(_l("Not a client ID: check the symbols (XXXX-XXXX-X)."))

    def validate_until(self, field: DateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date is before the start date."))
