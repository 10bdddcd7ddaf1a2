from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from webapp.forms import Form
from webapp.models import CaseModel, Program
from webapp.reports.scope import CaseStatus

MAX_RANGE = timedelta(days=366 * 20)
WITH_CHILDREN = "with_children"


class ReportFilterForm(Form):
    """Filters for /reports, sent as a GET query (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    program = SelectField(_l("Program"), validators=[Optional()])
    worker = SelectField(_l("Worker"), validators=[Optional()])
    model = SelectField(_l("Model"), validators=[Optional()])
    status = SelectField(
        _l("Cases"),
        default=CaseStatus.ALL,
        validators=[Optional()],
        choices=[
            SelectChoice(CaseStatus.ALL, _l("Open and closed")),
            SelectChoice(CaseStatus.OPEN, _l("Still open")),
            SelectChoice(CaseStatus.CLOSED, _l("Closed")),
        ],
    )
    households = SelectField(
        _l("Households"),
        default="",
        validators=[Optional()],
        choices=[
            SelectChoice("", _l("Any household, or none")),
            SelectChoice(WITH_CHILDREN, _l("Households with children")),
        ],
    )
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])

    def __init__(self, *args, programs: list[Program] = (), workers: list[sa.Row] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.program.choices = [SelectChoice("", _l("All my programs"))] + [
            SelectChoice(str(program.id), program.name) for program in programs
        ]
        self.worker.choices = [SelectChoice("", _l("Everyone"))] + [
            SelectChoice(str(worker.id), worker.display_name) for worker in workers
        ]
        self.model.choices = [SelectChoice("", _l("Any model"))] + [
            SelectChoice(model.value, _l(model.label)) for model in CaseModel
        ]

    def validate_until(self, field: DateField) -> None:
        if field.data and self.since.data:
            if field.data < self.since.data:
                raise ValidationError(_l("The end date is before the start date."))
            if field.data - self.since.data > MAX_RANGE:
                raise ValidationError(_l("Choose at most twenty years."))
