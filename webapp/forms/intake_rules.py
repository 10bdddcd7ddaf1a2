"""Forms of a program's intake rules and its waiting list, and the answers to a program's
questions as the intake form sends them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from webapp.forms import Form, enum_choices
from webapp.models import EligibilityQuestion, LeftReason, QuestionKind, WaitPriority
from webapp.text import clean_line


def read_answers(
    questions: Sequence[EligibilityQuestion], formdata: Mapping[str, str]
) -> tuple[dict[int, str], dict[str, str]]:
    """The answers given (by question id) and, by field name, what is wrong with the others: each
    question of the program is answered, with one of its answers."""
    answers: dict[int, str] = {}
    errors: dict[str, str] = {}
    for question in questions:
        value = clean_line(formdata.get(question.field_name, "") or "")[:100]
        if not value:
            errors[question.field_name] = gettext("Ask this question: it decides who qualifies.")
        elif value not in question.answers:
            errors[question.field_name] = gettext("Choose one of the answers shown.")
        else:
            answers[question.id] = value
    return answers, errors


class QuestionForm(Form):
    text = StringField(
        _l("Question"),
        validators=[DataRequired(_l("Write the question.")), Length(max=200)],
        description=_l("Asked at intake, as written here. Example: Sleeping outside?"),
    )
    kind = SelectField(
        _l("Answered with"),
        choices=enum_choices(QuestionKind),
        validators=[DataRequired(_l("Choose how it is answered."))],
    )
    choices = TextAreaField(
        _l("Answers offered"),
        validators=[Optional(), Length(max=1000)],
        description=_l("For a choice question: one answer a line."),
    )
    qualifying = TextAreaField(
        _l("Answers with which a person qualifies"),
        validators=[Optional(), Length(max=1000)],
        description=_l("One a line (yes or no for a yes/no question). Empty: every answer."),
    )
    priority_answers = TextAreaField(
        _l("Answers that give a priority"),
        validators=[Optional(), Length(max=1000)],
        description=_l("One a line. Example: yes"),
    )
    priority = SelectField(
        _l("Priority they give"),
        choices=[SelectChoice("", _l("None")), *enum_choices(WaitPriority)],
        validators=[Optional()],
    )

    def answers_typed(self, field: TextAreaField) -> str:
        """A field's answers, one a line; for a yes/no question "sí" (or "Yes") is "yes": the
        admin types the words in their own language and the rule keeps the stored ones."""
        text = field.data or ""
        if self.kind.data != QuestionKind.YES_NO.value:
            return text
        words = {"yes": "yes", "no": "no", gettext("yes").casefold(): "yes"}
        words[gettext("no").casefold()] = "no"
        return "\n".join(words.get(line.strip().casefold(), line) for line in text.splitlines())


class CheckInForm(Form):
    next_check_in_on = DateField(
        _l("Next check-in"), validators=[InputRequired(_l("Choose the day of the next check-in."))]
    )


class OfferForm(Form):
    what = StringField(
        _l("Resource offered"),
        validators=[DataRequired(_l("Say what was offered.")), Length(max=300)],
        description=_l("A shelter, a food bank, another program, a phone number…"),
    )
    offered_on = DateField(
        _l("Offered on"), validators=[InputRequired(_l("Give the day it was offered."))]
    )


class TakeOffForm(Form):
    """Only the CSRF token: taking someone off the list is one button."""


class LeaveForm(Form):
    """Taking someone off the list without a case: why (one of a short list), and a note."""

    reason = SelectField(
        _l("Why they come off the list"),
        choices=[SelectChoice("", _l("Choose…")), *enum_choices(LeftReason)],
        validators=[DataRequired(_l("Choose why they come off the list."))],
    )
    note = TextAreaField(
        _l("Note"),
        validators=[Optional(), Length(max=500)],
        description=_l('Needed for "Other". Example: housed by her sister in Dayton.'),
    )


class QuestionRemoveForm(Form):
    """Only the CSRF token: removing a question is one button."""
