"""Form classes, one module per area. Every form validates on the server."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from webapp.models.types import LabelledEnum
from webapp.text import without_controls


def _one_line(value: Any) -> Any:
    return without_controls(value) if isinstance(value, str) else value


def _multiline(value: Any) -> Any:
    return without_controls(value, multiline=True) if isinstance(value, str) else value


class Form(FlaskForm):
    """Every form's base. Text fields lose control characters as they are read, so no NUL reaches
    PostgreSQL (which refuses it, and the error would carry the whole INSERT) and no stray escape
    or line break reaches a record. Passwords are left as typed: they are hashed, never stored."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
                cleaner = _multiline if issubclass(field_class, TextAreaField) else _one_line
                options = {
                    **options,
                    "filters": [cleaner, *unbound_field.kwargs.get("filters", ())],
                }
            return super().bind_field(form, unbound_field, options)


def enum_choices(enum_type: type[LabelledEnum]) -> list[SelectChoice]:
    """A select's options from one of our enums: stored value, shown label."""
    return [SelectChoice(member.value, _l(member.label)) for member in enum_type]
