"""Attaching a document to a client's record, and deleting one."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from webapp.forms import Form, enum_choices
from webapp.models import DocumentKind
from webapp.services.documents import Refusal

# The client's record, not one case: the "Kept with" choice's value.
CLIENT_RECORD = "client"

# What the person is told, beside the file field, when a file is refused.
REFUSALS = {
    Refusal.EMPTY: _l("The file is empty. Take the photo again or choose another file."),
    Refusal.TOO_LARGE: _l("The file is larger than %(size)s MB. Take a smaller photo or scan."),
    Refusal.NOT_ACCEPTED: _l(
        "Only photos (JPEG, PNG, WebP) and PDF files can be attached; this file is neither, "
        "whatever its name says."
    ),
    Refusal.UNREADABLE_IMAGE: _l(
        "This file says it is a photo but cannot be read as one. Take the photo again."
    ),
    Refusal.TOO_MANY_PIXELS: _l("This picture is too large to open. Take a smaller photo."),
    Refusal.ACTIVE_CONTENT: _l(
        "This file carries web page code or script, so it is not accepted. Attach a plain photo "
        "or PDF."
    ),
}


class DocumentForm(Form):
    file = FileField(
        _l("Photo or PDF"),
        validators=[FileRequired(_l("Take a photo or choose a file."))],
    )
    kind = SelectField(
        _l("What it is"),
        choices=[SelectChoice("", _l("Choose…")), *enum_choices(DocumentKind)],
        validators=[InputRequired(_l("Say what the document is."))],
    )
    title = StringField(
        _l("Description"),
        validators=[
            InputRequired(_l("A few words, such as “ID card, front”.")),
            Length(max=200, message=_l("At most 200 characters.")),
        ],
    )
    case = SelectField(
        _l("Kept with"),
        choices=[],
        description=_l(
            "In a case: seen only by those who may see that case. On the client's record: seen "
            "by everyone who works with the client."
        ),
    )
    consent = SelectField(
        _l("The consent it supports"),
        choices=[],
        validate_choice=False,
        description=_l("For a signed release: the consent the signature is for."),
    )

    def __init__(self, *args, cases=(), consents=(), max_mb: int = 10, **kwargs):
        super().__init__(*args, **kwargs)
        self.file.description = _l(
            "A photo is made smaller on the phone before it is sent; at most %(size)s MB.",
            size=max_mb,
        )
        self.case.choices = [
            SelectChoice(str(case.id), _l("Case in %(program)s", program=case.program.name))
            for case in cases
        ] + [SelectChoice(CLIENT_RECORD, _l("The client's record"))]
        self.consent.choices = [SelectChoice("", _l("None"))] + [
            SelectChoice(str(consent.id), label) for consent, label in consents
        ]

    def validate_consent(self, field) -> None:
        if not field.data:
            return
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Choose a consent from the list."))
        if self.kind.data != DocumentKind.SIGNED_RELEASE.value:
            raise ValidationError(_l("Only a signed release supports a consent."))


class DeleteDocumentForm(Form):
    """Only the CSRF token: the button says what it deletes."""
