"""Forms for the provider directory: organisations and the services they offer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Email, Length, Optional

from webapp.forms import Form
from webapp.models import ServiceCategory


class ProviderForm(Form):
    name = StringField(
        _l("Organisation name"),
        validators=[DataRequired(_l("Give the organisation's name.")), Length(max=200)],
    )
    description = TextAreaField(_l("What they do"), validators=[Optional(), Length(max=4000)])
    phone = StringField(
        _l("Phone"), validators=[Optional(), Length(max=40)], render_kw={"type": "tel"}
    )
    email = EmailField(
        _l("Email"),
        validators=[Optional(), Email(_l("Give a valid email address.")), Length(max=254)],
    )
    website = URLField(
        _l("Website"),
        validators=[
            Optional(),
            URL(message=_l("Give a full web address (https://…).")),
            Length(max=500),
        ],
    )
    address = StringField(_l("Address"), validators=[Optional(), Length(max=500)])
    active = BooleanField(_l("In the directory"), default=True)


class ServiceForm(Form):
    name = StringField(
        _l("Service name"),
        validators=[DataRequired(_l("Give the service a name.")), Length(max=200)],
    )
    category = SelectField(
        _l("Category"),
        choices=[SelectChoice(c.value, _l(c.label)) for c in ServiceCategory],
        validators=[DataRequired(_l("Choose a category."))],
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    eligibility = TextAreaField(_l("Who can use it"), validators=[Optional(), Length(max=4000)])
    area = StringField(_l("Area served"), validators=[Optional(), Length(max=200)])
    hours = StringField(
        _l("Opening hours"),
        validators=[Optional(), Length(max=500)],
        description=_l(
            "As the client should read it on their referral slip: “Mon–Fri 9:00–16:00”."
        ),
    )
    what_to_bring = TextAreaField(
        _l("What to bring"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Printed on the referral slip."),
    )
    active = BooleanField(_l("Taking referrals"), default=True)


class DirectoryImportForm(Form):
    file = FileField(
        _l("Open Referral (HSDS 3.0) file"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(
                ["json", "zip"],
                _l(
                    "Choose a .json file, or a .zip of HSDS tables "
                    "(organizations.csv, services.csv…)."
                ),
            ),
        ],
        description=_l(
            "JSON with organizations and their services, or with services (each naming its "
            "organization), or a zip of the CSV tables; at most 5 MB."
        ),
    )
