from __future__ import annotations

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from webapp.forms import Form, enum_choices
from webapp.forms.cases import ChecklistField
from webapp.models import MODEL_DEFAULTS, CaseModel, ClosureApproval, LifeDomain


def _model_defaults(model: CaseModel) -> str:
    standard = MODEL_DEFAULTS[model]
    return gettext(
        "%(model)s: %(contact)s days / %(cap)s cases / %(reassess)s days",
        model=gettext(model.label),
        contact=standard.contact_standard_days,
        cap=standard.caseload_cap,
        reassess=standard.reassessment_interval_days,
    )


def _defaults_hint() -> str:
    listed = "; ".join(_model_defaults(model) for model in MODEL_DEFAULTS)
    return gettext("Defaults — %(list)s", list=listed)


class ProgramForm(Form):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Give the program a name.")), Length(max=120)]
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    model = SelectField(
        _l("Case management model"),
        choices=enum_choices(CaseModel),
        validators=[DataRequired(_l("Choose a model."))],
        description=(
            _l(
                "The model sets how intense the work is. Leave the numbers below blank to use its "
                "defaults."
            )
        ),
    )
    contact_standard_days = IntegerField(
        _l("Contact standard (most days between contacts)"),
        validators=[Optional(), NumberRange(min=1, max=365, message=_l("Between 1 and 365 days."))],
        description=LazyString(_defaults_hint),
    )
    caseload_cap = IntegerField(
        _l("Caseload cap per worker"),
        validators=[
            Optional(),
            NumberRange(min=1, max=500, message=_l("Between 1 and 500 cases.")),
        ],
    )
    reassessment_interval_days = IntegerField(
        _l("Reassessment interval (days)"),
        validators=[Optional(), NumberRange(min=7, max=730, message=_l("Between 7 and 730 days."))],
    )
    closure_approval = SelectField(
        _l("Closures a supervisor approves"),
        choices=[SelectChoice("", _l("The model's default")), *enum_choices(ClosureApproval)],
        validators=[Optional()],
        description=(
            _l(
                "By default every closure in intensive and clinical programs, otherwise high and "
                "urgent risk."
            )
        ),
    )
    domains = ChecklistField(
        _l("Life domains assessed"),
        choices=enum_choices(LifeDomain),
        validators=[Optional()],
        description=_l("None ticked: all of them."),
    )
    retention_years = IntegerField(
        _l("Keep closed cases for (years)"),
        validators=[
            Optional(),
            NumberRange(min=1, max=100, message=_l("Between 1 and 100 years.")),
        ],
        description=_l(
            "Blank: kept for ever. After this many years, a client none of whose cases in any "
            "program is still kept, and who is not on legal hold, is anonymised by the retention "
            "run."
        ),
    )
    active = BooleanField(_l("Taking new cases"), default=True)
    open_case_limit = IntegerField(
        _l("Open cases the program holds at most"),
        validators=[
            Optional(),
            NumberRange(min=1, max=100_000, message=_l("Between 1 and 100,000 cases.")),
        ],
        description=_l(
            "Empty: no limit. Once reached, people who qualify wait on the program's waiting list."
        ),
    )
    intake_closed = BooleanField(_l("Intake closed: everyone who qualifies waits on the list"))
    hud_elements = BooleanField(
        _l("Ask HUD's data elements (for an HMIS)"),
        default=False,
        description=_l(
            "For street outreach funded through HUD or HHS: intake asks HUD's universal and "
            "street outreach questions, closure asks where the client went, and the program can "
            "be exported in HUD's HMIS CSV format."
        ),
    )


class HmisExportForm(Form):
    start = DateField(
        _l("From"), validators=[DataRequired(_l("Give the first day of the period."))]
    )
    end = DateField(_l("To"), validators=[DataRequired(_l("Give the last day of the period."))])
    programs = ChecklistField(
        _l("Programs"),
        coerce=int,
        validators=[DataRequired(_l("Choose at least one program."))],
        description=_l("Only programs that ask HUD's data elements can be exported."),
    )

    def validate_end(self, field: DateField) -> None:
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("The period ends before it starts."))
