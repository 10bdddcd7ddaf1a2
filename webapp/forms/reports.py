from __future__ import annotations

from datetime import timedelta

from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from webapp.forms import Form
from webapp.models import CaseModel, Program, User
from webapp.reports.scope import CaseStatus

MAX_RANGE = timedelta(days=366 * 20)


class ReportFilterForm(Form):
    """Filters for /reports, sent as a GET query (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    program = SelectField("Program", validators=[Optional()])
    worker = SelectField("Worker", validators=[Optional()])
    model = SelectField("Model", validators=[Optional()])
    status = SelectField(
        "Cases",
        default=CaseStatus.ALL,
        validators=[Optional()],
        choices=[
            SelectChoice(CaseStatus.ALL, "Open and closed"),
            SelectChoice(CaseStatus.OPEN, "Still open"),
            SelectChoice(CaseStatus.CLOSED, "Closed"),
        ],
    )
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])

    def __init__(self, *args, programs: list[Program] = (), workers: list[User] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.program.choices = [SelectChoice("", "All my programs")] + [
            SelectChoice(str(program.id), program.name) for program in programs
        ]
        self.worker.choices = [SelectChoice("", "Everyone")] + [
            SelectChoice(str(worker.id), worker.display_name) for worker in workers
        ]
        self.model.choices = [SelectChoice("", "Any model")] + [
            SelectChoice(model.value, model.label) for model in CaseModel
        ]

    def validate_until(self, field: DateField) -> None:
        if field.data and self.since.data:
            if field.data < self.since.data:
                raise ValidationError("The end date is before the start date.")
            if field.data - self.since.data > MAX_RANGE:
                raise ValidationError("Choose at most twenty years.")
