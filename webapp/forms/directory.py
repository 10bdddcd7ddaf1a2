"""Forms for the provider directory: organisations and the services they offer."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

import idna
import jsonschema
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from webapp.forms import Form
from webapp.models import ServiceCategory
from webapp.models.referrals import ADDRESS_PARTS

# What RFC 3986 allows in a URI besides letters and digits (and "%" starting an escape).
_URI_CHARACTERS = set("-._~:/?#[]@!$&'()*+,;=%")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_URI_CHECKER = jsonschema.Draft202012Validator.FORMAT_CHECKER


def _ascii_address(value: str) -> str:
    """The address with a non-ASCII host in its IDNA form (xn--…) and other non-ASCII characters
    percent-encoded as UTF-8: what a browser sends for the same address."""
    parts = urlsplit(value)
    host = parts.hostname or ""
    if not host.isascii():
        try:
            encoded = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError:
            raise ValidationError(
                _("The name after https:// is not a valid domain name.")
            ) from None
        netloc = parts.netloc.replace(parts.netloc.rsplit("@", 1)[-1].split(":")[0], encoded, 1)
        parts = parts._replace(netloc=netloc)
    safe = "".join(sorted(_URI_CHARACTERS))
    return urlunsplit(
        parts._replace(
            path=quote(parts.path, safe=safe),
            query=quote(parts.query, safe=safe),
            fragment=quote(parts.fragment, safe=safe),
        )
    )


def web_address(form: Form, field: Field) -> None:
    """A website Waymark can link to and Open Referral files carry (a URI, format "uri"): http or
    https with a host. Non-ASCII characters are encoded as a browser would (bücher.example becomes
    xn--bcher-kva.example, a path's "é" %C3%A9); spaces, characters a web address cannot have
    ("|", "<", a quotation mark…) and a "%" not followed by two hexadecimal digits are refused,
    since the address meant cannot be known."""
    value = (field.data or "").strip()
    if not value:
        return
    if any(character.isspace() for character in value):
        raise ValidationError(_("A web address has no spaces."))
    if _BAD_ESCAPE.search(value):
        raise ValidationError(_("A “%” in a web address is followed by two hexadecimal digits."))
    odd = sorted({c for c in value if c.isascii() and not c.isalnum() and c not in _URI_CHARACTERS})
    if odd:
        raise ValidationError(
            _("A web address cannot have “%(characters)s”.", characters=" ".join(odd))
        )
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Give a full web address (https://…)."))
    value = _ascii_address(value)
    if not _URI_CHECKER.conforms(value, "uri"):
        raise ValidationError(_("Give a full web address (https://…)."))
    field.data = value


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
    website = URLField(_l("Website"), validators=[Optional(), web_address, Length(max=500)])
    street = StringField(
        _l("Street address"),
        validators=[Optional(), Length(max=ADDRESS_PARTS["street"])],
        render_kw={"autocomplete": "street-address"},
    )
    city = StringField(
        _l("Town or city"),
        validators=[Optional(), Length(max=ADDRESS_PARTS["city"])],
        render_kw={"autocomplete": "address-level2"},
    )
    state_province = StringField(
        _l("State, province or region"),
        validators=[Optional(), Length(max=ADDRESS_PARTS["state_province"])],
        render_kw={"autocomplete": "address-level1"},
    )
    postal_code = StringField(
        _l("Postal code"),
        validators=[Optional(), Length(max=ADDRESS_PARTS["postal_code"])],
        render_kw={"autocomplete": "postal-code"},
    )
    country = StringField(
        _l("Country"),
        validators=[Optional(), Length(max=ADDRESS_PARTS["country"])],
        description=_l("A two-letter code, such as US."),
        render_kw={"autocomplete": "country"},
    )
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
