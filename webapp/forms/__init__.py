"""Form classes, one module per area. Every form validates on the server."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import PasswordField, StringField, TextAreaField, widgets
from wtforms.fields.choices import SelectChoice, SelectFieldBase
from wtforms.widgets import core as widget_core

from webapp.models.types import LabelledEnum
from webapp.text import without_controls


def _one_line(value: Any) -> Any:
    return without_controls(value) if isinstance(value, str) else value


def _multiline(value: Any) -> Any:
    return without_controls(value, multiline=True) if isinstance(value, str) else value


def html_params(**kwargs: Any) -> Markup:
    """WTForms' `html_params` (every field, label and option writes its attributes with it),
    the same attributes escaped the same way, without a string formatter per attribute: a form
    of forty fields is made in two thirds of the time. `tests/test_form_widgets.py` holds it to
    WTForms' own."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = widget_core.clean_key(key)
        if value is True:
            params.append(escape(key))
        elif value is not False:
            value = escape(value).replace(Markup('"'), Markup("&quot;"))
            params.append(f'{escape(key)}="{value}"')
    return Markup(" ".join(params))


WTFORMS_HTML_PARAMS = widget_core.html_params
# Widgets call it by module global, labels through `wtforms.widgets`: both are ours.
widget_core.html_params = widgets.html_params = html_params


class Select(widgets.Select):
    """WTForms' select, each plain option written directly rather than through `html_params`
    (a string formatter per attribute): the same HTML, a fifth of the time, for pickers that list
    every colleague of a program."""

    @classmethod
    def render_option(cls, choice: Any, **kwargs: Any) -> Markup:
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        label = escape(choice.label or choice.value)
        # html_params orders attributes by name: "selected" before "value".
        selected = "selected " if choice.selected else ""
        return Markup(f'<option {selected}value="{escape(value)}">{label}</option>')


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
            if (
                issubclass(field_class, SelectFieldBase)
                and type(field_class.widget) is widgets.Select
                and "widget" not in unbound_field.kwargs
            ):
                options = {**options, "widget": Select(multiple=field_class.widget.multiple)}
            return super().bind_field(form, unbound_field, options)


def enum_choices(enum_type: type[LabelledEnum]) -> list[SelectChoice]:
    """A select's options from one of our enums: stored value, shown label."""
    return [SelectChoice(member.value, _l(member.label)) for member in enum_type]
