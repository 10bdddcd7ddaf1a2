"""Form classes, one module per area. Every form validates on the server."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from webapp.models.types import LabelledEnum


class EmptyForm(FlaskForm):
    """For button-only POSTs (logout, revoke…), so they carry the CSRF token."""


def enum_choices(enum_type: type[LabelledEnum]) -> list[SelectChoice]:
    """A select's options from one of our enums: stored value, shown label."""
    return [SelectChoice(member.value, member.label) for member in enum_type]
