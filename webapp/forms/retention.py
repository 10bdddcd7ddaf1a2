"""A legal hold on a client's record."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from webapp.forms import Form


class LegalHoldForm(Form):
    reason = TextAreaField(
        _l("Why the record is held"),
        validators=[
            DataRequired(_l("Say why the record is held.")),
            Length(max=2000, message=_l("At most 2000 characters.")),
        ],
        description=_l(
            "A court order, a complaint, an investigation: while held, the record is kept whatever "
            "the retention policy."
        ),
    )


class LiftHoldForm(Form):
    """Only the CSRF token: lifting says nothing more."""
