"""Staff accounts: the admin's form for a person, and the new colleague's set-up form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from webapp.forms import Form, enum_choices
from webapp.forms.cases import ChecklistField
from webapp.models import Program, Role, User
from webapp.services.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH


class StaffForm(Form):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Give their work email address: they sign in with it.")),
            # The shape only: deliverability is the person's first sign-in (and reserved domains
            # such as .example are what a demo or a test uses).
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("That is not an email address.")),
            Length(max=254),
        ],
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )
    display_name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Give the name colleagues know them by.")), Length(max=120)],
    )
    role = SelectField(_l("Role"), choices=enum_choices(Role), validators=[DataRequired()])
    programs = ChecklistField(_l("Programs they work in"), coerce=int, validators=[Optional()])
    supervisor = SelectField(
        _l("Supervisor"),
        coerce=int,
        validators=[Optional()],
        description=_l("Who oversees their cases, and may see the restricted ones."),
    )

    def __init__(
        self, *args, programs: list[Program], supervisors: list[User], editing: bool, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.programs.choices = [SelectChoice(p.id, p.name) for p in programs]
        self.supervisor.choices = [
            SelectChoice(0, _l("Nobody")),
            *(SelectChoice(s.id, s.display_name) for s in supervisors),
        ]
        if editing:
            # The email is who they sign in as: changed by them, never under their feet.
            del self.email


class SetUpForm(Form):
    password = PasswordField(
        _l("Choose a password"),
        validators=[DataRequired(_l("Choose a password.")), Length(max=MAX_PASSWORD_LENGTH)],
        description=_l(
            "At least %(num)s characters: a few unrelated words together work well.",
            num=MIN_PASSWORD_LENGTH,
        ),
        render_kw={"autocomplete": "new-password"},
    )
    again = PasswordField(
        _l("The same password again"),
        validators=[
            DataRequired(_l("Type it once more.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
