"""Correcting a client's details; the version they started from travels with the form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms.validators import InputRequired

from webapp.forms.clients import IntakeForm

CLIENT_FIELDS = (
    "preferred_name",
    "legal_name",
    "aliases",
    "date_of_birth",
    "approximate_age",
    "language",
    "phone",
    "safe_to_call",
    "safe_to_text",
    "contact_notes",
)


class ClientForm(IntakeForm):
    """The intake form's "who they are" and "reaching them" fields, and nothing else."""

    version = HiddenField(
        validators=[InputRequired(_l("This form is missing its version; open the record again."))]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self._fields):
            if name not in (*CLIENT_FIELDS, "version", "csrf_token"):
                delattr(self, name)
