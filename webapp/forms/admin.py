from __future__ import annotations

from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from webapp.forms import Form, enum_choices
from webapp.forms.cases import ChecklistField
from webapp.models import MODEL_DEFAULTS, CaseModel, ClosureApproval, LifeDomain


def _defaults_hint() -> str:
    return "; ".join(
        f"{model.label}: {standard.contact_standard_days} days / {standard.caseload_cap} cases / "
        f"{standard.reassessment_interval_days} days"
        for model, standard in MODEL_DEFAULTS.items()
    )


class ProgramForm(Form):
    name = StringField(
        "Name", validators=[DataRequired("Give the program a name."), Length(max=120)]
    )
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    model = SelectField(
        "Case management model",
        choices=enum_choices(CaseModel),
        validators=[DataRequired("Choose a model.")],
        description=(
            "The model sets how intense the work is. Leave the numbers below blank to use its "
            "defaults."
        ),
    )
    contact_standard_days = IntegerField(
        "Contact standard (most days between contacts)",
        validators=[Optional(), NumberRange(min=1, max=365, message="Between 1 and 365 days.")],
        description="Defaults — " + _defaults_hint(),
    )
    caseload_cap = IntegerField(
        "Caseload cap per worker",
        validators=[Optional(), NumberRange(min=1, max=500, message="Between 1 and 500 cases.")],
    )
    reassessment_interval_days = IntegerField(
        "Reassessment interval (days)",
        validators=[Optional(), NumberRange(min=7, max=730, message="Between 7 and 730 days.")],
    )
    closure_approval = SelectField(
        "Closures a supervisor approves",
        choices=[SelectChoice("", "The model's default"), *enum_choices(ClosureApproval)],
        validators=[Optional()],
        description=(
            "By default every closure in intensive and clinical programs, otherwise high and "
            "urgent risk."
        ),
    )
    domains = ChecklistField(
        "Life domains assessed",
        choices=enum_choices(LifeDomain),
        validators=[Optional()],
        description="None ticked: all of them.",
    )
    active = BooleanField("Taking new cases", default=True)
