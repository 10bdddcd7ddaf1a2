"""Every form's selects use `forms.Select`, which writes what WTForms' own select writes."""

from __future__ import annotations

import pytest
import wtforms.widgets
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import SelectField, SelectMultipleField, widgets
from wtforms.fields.choices import SelectChoice

from webapp import forms
from webapp.forms import Form, Select
from webapp.forms.lifecycle import TeamForm

C = SelectChoice


class Awkward(Form):
    plain = SelectField(choices=[C(1, "One"), C(2, 'Two <b>"&'), C(3, _l("Tomorrow"))], coerce=int)
    text = SelectField(choices=[C("a&b", "A"), C("", "None chosen"), C("x", "")], default="x")
    flags = SelectField(choices=[C(True, "Yes"), C(False, "No")], coerce=lambda v: v == "True")
    many = SelectMultipleField(choices=[C("p", "P"), C("q", "Q")], default=["p", "q"])
    grouped = SelectField(choices=[C("g", "G", optgroup="Group <1>"), C("h", "H", optgroup="Two")])
    kw = SelectField(choices=[C("k", "K", render_kw={"disabled": True}), C("l", "L")])


@pytest.mark.parametrize("name", ["plain", "text", "flags", "many", "grouped", "kw"])
def test_selects_are_written_as_wtforms_writes_them(app, name):
    with app.test_request_context("/"):
        form = Awkward(formdata=None, meta={"csrf": False}, plain=2)
        field = form[name]
        assert type(field.widget) is Select
        ours = field(class_="field__control", aria_describedby="x-hint")
        field.widget = widgets.Select(multiple=field.widget.multiple)
        assert ours == field(class_="field__control", aria_describedby="x-hint")


def test_a_forms_own_widget_is_kept(app):
    class Radios(Form):
        pick = SelectField(choices=[SelectChoice("a", "A")], widget=widgets.ListWidget())

    with app.test_request_context("/"):
        assert type(Radios(formdata=None, meta={"csrf": False}).pick.widget) is widgets.ListWidget
        assert type(TeamForm(formdata=None, meta={"csrf": False}).member.widget) is Select


@pytest.mark.parametrize(
    "attributes",
    [
        {},
        {"class_": "field__control", "id": "note", "name": "note", "rows": 3},
        {"aria_describedby": "x-hint", "aria_invalid": False, "required": True},
        {"value": 'a "b" <c> & d', "data_outbox_key": "k", "for_": "x"},
        {"value": Markup('already <b>"safe"</b>'), "checked": True, "disabled": False},
        {"value": None, "label": _l("Tomorrow"), "min": 0, "step": 0.5},
        {"title": "é ü — ’", "placeholder": "0"},
    ],
)
def test_attributes_are_written_as_wtforms_writes_them(app, attributes):
    with app.test_request_context("/"):
        assert forms.html_params(**attributes) == forms.WTFORMS_HTML_PARAMS(**attributes)
        assert wtforms.widgets.core.html_params is forms.html_params
        assert wtforms.widgets.html_params is forms.html_params
