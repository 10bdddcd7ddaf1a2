"""Forms for the provider directory: organisations and the services they offer."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Email, Length, Optional

from webapp.forms import Form
from webapp.models import ServiceCategory


class ProviderForm(Form):
    name = StringField(
        "Organisation name",
        validators=[DataRequired("Give the organisation's name."), Length(max=200)],
    )
    description = TextAreaField("What they do", validators=[Optional(), Length(max=4000)])
    phone = StringField("Phone", validators=[Optional(), Length(max=40)], render_kw={"type": "tel"})
    email = EmailField(
        "Email", validators=[Optional(), Email("Give a valid email address."), Length(max=254)]
    )
    website = URLField(
        "Website",
        validators=[
            Optional(),
            URL(message="Give a full web address (https://…)."),
            Length(max=500),
        ],
    )
    address = StringField("Address", validators=[Optional(), Length(max=500)])
    active = BooleanField("In the directory", default=True)


class ServiceForm(Form):
    name = StringField(
        "Service name", validators=[DataRequired("Give the service a name."), Length(max=200)]
    )
    category = SelectField(
        "Category",
        choices=[SelectChoice(c.value, c.label) for c in ServiceCategory],
        validators=[DataRequired("Choose a category.")],
    )
    description = TextAreaField("Description", validators=[Optional(), Length(max=4000)])
    eligibility = TextAreaField("Who can use it", validators=[Optional(), Length(max=4000)])
    area = StringField("Area served", validators=[Optional(), Length(max=200)])
    active = BooleanField("Taking referrals", default=True)


class DirectoryImportForm(Form):
    file = FileField(
        "Open Referral (HSDS 3.0) file",
        validators=[
            FileRequired("Choose a file."),
            FileAllowed(
                ["json", "zip"],
                "Choose a .json file, or a .zip of HSDS tables (organizations.csv, services.csv…).",
            ),
        ],
        description=(
            "JSON with organizations and their services, or a zip of the CSV tables; at most 5 MB."
        ),
    )
