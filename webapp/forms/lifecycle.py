"""Forms for the practice model: assessment, plan, phase and risk, transfer, closure,
supervision."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from webapp.forms import Form, enum_choices
from webapp.forms.clients import NOTE_MAX
from webapp.forms.hud import destination_field
from webapp.models import (
    GOAL_OUTCOMES,
    SCORE_MEANINGS,
    AgreementMethod,
    AssessmentKind,
    BadSignature,
    CaseModel,
    ClosureReason,
    Goal,
    GoalStatus,
    LifeDomain,
    Phase,
    RiskLevel,
    SignatureParty,
    TaskOwner,
    TeamRole,
    WarmHandoff,
)
from webapp.models.lifecycle import strokes_from_text
from webapp.timeutil import local_today

SHORT_MAX = 2000


def _note(label: str, message: str, *, id: str | None = None) -> TextAreaField:
    """A required note. `id` for a form that shares its page with others: the case page's forms
    each have a "reason" or a "note", and a label finds its field by id."""
    return TextAreaField(
        label,
        validators=[
            DataRequired(message),
            Length(
                max=NOTE_MAX, message=_l("At most %(num)s characters.", num=format(NOTE_MAX, ","))
            ),
        ],
        id=id,
    )


def _scored(score: int, meaning: str) -> str:
    return f"{score} · {gettext(meaning)}"


def _why_for(domain: LifeDomain) -> str:
    return gettext("Why, for %(domain)s", domain=gettext(domain.label).lower())


def _text(label: str, description: str = "") -> TextAreaField:
    return TextAreaField(
        label,
        validators=[
            Optional(),
            Length(
                max=NOTE_MAX, message=_l("At most %(num)s characters.", num=format(NOTE_MAX, ","))
            ),
        ],
        description=description,
    )


def _not_after_today(field: DateField) -> None:
    if field.data and field.data > local_today():
        raise ValidationError(_l("A date up to today."))
    if field.data and field.data.year < 2000:
        raise ValidationError(_l("A date from 2000 on."))


def _within_a_year(field: DateField, *, past_ok: bool = False) -> None:
    if field.data is None:
        return
    if not past_ok and field.data < local_today():
        raise ValidationError(_l("A date from today on."))
    if field.data > local_today() + timedelta(days=3 * 366):
        raise ValidationError(_l("A date within the next three years."))


class AssessmentForm(Form):
    """The fixed part; `assessment_form` adds a score and a narrative per domain."""

    kind = SelectField(
        _l("Kind"),
        choices=enum_choices(AssessmentKind),
        validators=[DataRequired(_l("Choose the kind."))],
    )
    assessed_on = DateField(
        _l("Assessed on"), validators=[InputRequired(_l("Say when you assessed."))]
    )
    strengths_personal = _text(
        _l("Personal strengths"), _l("What they are good at, what has worked before.")
    )
    strengths_family = _text(_l("Family and friends"), _l("Who is on their side."))
    strengths_community = _text(
        _l("Community"), _l("Places, groups and services they already use.")
    )
    # Offered only when an earlier assessment recorded strengths; never copied unless ticked.
    copy_strengths = BooleanField(_l("Copy the last strengths into the fields I leave blank"))
    needs = _text(_l("Needs"), _l("What gets in the way, in their words and yours."))
    client_view = _text(
        _l("In the client's own words"), _l("How they see their situation and what they want.")
    )

    domains: list[LifeDomain] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_submitted() and self.assessed_on.data is None:
            self.assessed_on.data = local_today()

    def validate_assessed_on(self, field: DateField) -> None:
        _not_after_today(field)

    def score_field(self, domain: LifeDomain) -> RadioField:
        return self[f"score_{domain.value}"]

    def narrative_field(self, domain: LifeDomain) -> TextAreaField:
        return self[f"narrative_{domain.value}"]

    def scores(self) -> dict[LifeDomain, tuple[int, str]]:
        return {
            domain: (self.score_field(domain).data, self.narrative_field(domain).data or "")
            for domain in self.domains
            if self.score_field(domain).data
        }

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for domain in self.domains:
            score, narrative = self.score_field(domain), self.narrative_field(domain)
            if score.data and not (narrative.data or "").strip():
                narrative.errors.append(
                    gettext(
                        "Say why %(domain)s scores %(score)s.",
                        domain=gettext(domain.label).lower(),
                        score=score.data,
                    )
                )
                valid = False
            if not score.data and (narrative.data or "").strip():
                score.errors.append(_l("Choose a score for what you wrote, or clear the text."))
                valid = False
        if valid and not self.scores():
            self.score_field(self.domains[0]).errors.append(_l("Score at least one life domain."))
            valid = False
        return valid


NOT_ASSESSED = 0


def assessment_form(domains: list[LifeDomain], **kwargs) -> AssessmentForm:
    class DomainAssessmentForm(AssessmentForm):
        pass

    for domain in domains:
        setattr(
            DomainAssessmentForm,
            f"score_{domain.value}",
            RadioField(
                _l(domain.label),
                coerce=int,
                validators=[Optional()],
                # A radio cannot be un-tapped: "not assessed" is a choice, so a mis-tap is undone.
                default=NOT_ASSESSED,
                choices=[
                    SelectChoice(NOT_ASSESSED, _l("Not assessed this time")),
                    *(
                        SelectChoice(score, LazyString(_scored, score, meaning))
                        for score, meaning in SCORE_MEANINGS.items()
                    ),
                ],
            ),
        )
        setattr(
            DomainAssessmentForm,
            f"narrative_{domain.value}",
            TextAreaField(
                LazyString(_why_for, domain), validators=[Optional(), Length(max=SHORT_MAX)]
            ),
        )
    DomainAssessmentForm.domains = domains
    return DomainAssessmentForm(**kwargs)


class GoalForm(Form):
    domain = SelectField(
        _l("Life domain"), validators=[DataRequired(_l("Choose the life domain."))]
    )
    statement = TextAreaField(
        _l("Goal"),
        validators=[
            DataRequired(_l("Say what the goal is, in the client's words where you can.")),
            Length(max=SHORT_MAX),
        ],
        description=_l("What the client wants to reach, e.g. “Move into my own flat”."),
    )
    measure = TextAreaField(
        _l("How we will know"),
        validators=[
            DataRequired(_l("A goal needs a measure: how will you both know it is reached?")),
            Length(max=SHORT_MAX),
        ],
        description=_l("Something you can count or see, e.g. “Tenancy signed and keys in hand”."),
    )
    target_on = DateField(
        _l("Target date"),
        validators=[
            InputRequired(_l("A goal needs a target date, so progress can be reviewed against it."))
        ],
    )
    status = SelectField(
        _l("Status"),
        choices=enum_choices(GoalStatus),
        default=GoalStatus.NOT_STARTED.value,
        validators=[DataRequired()],
    )
    version = HiddenField()

    def __init__(self, *args, domains=(), new=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.domain.choices = enum_choices_of(domains)
        self.new = new

    def validate_target_on(self, field: DateField) -> None:
        _within_a_year(field, past_ok=not self.new)


def enum_choices_of(members) -> list[SelectChoice]:
    return [SelectChoice(member.value, _l(member.label)) for member in members]


class TaskForm(Form):
    description = StringField(
        _l("Task"), validators=[DataRequired(_l("Say what needs doing.")), Length(max=500)]
    )
    responsible = SelectField(
        _l("Who does it"), choices=enum_choices(TaskOwner), validators=[DataRequired()]
    )
    due_on = DateField(_l("Due"), validators=[Optional()])
    support_person = StringField(
        _l("Support person's name"),
        validators=[Optional(), Length(max=200)],
        description=_l("Someone in their household or network who carries this task."),
        render_kw={"autocomplete": "off", "autocapitalize": "words"},
    )
    provider_name = StringField(
        _l("Which provider"),
        validators=[Optional(), Length(max=200)],
        description=_l("For a provider's task: the organisation that carries it."),
        render_kw={"autocomplete": "off"},
    )
    place = StringField(
        _l("Where"),
        validators=[Optional(), Length(max=200)],
        description=_l("E.g. “at the job centre”, “by phone”."),
    )
    schedule = StringField(
        _l("When"),
        validators=[Optional(), Length(max=200)],
        description=_l("E.g. “Tuesday mornings”."),
    )
    frequency = StringField(
        _l("How often"),
        validators=[Optional(), Length(max=100)],
        description=_l("E.g. “once”, “every week”."),
    )

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing

    def validate_due_on(self, field: DateField) -> None:
        # A task written down earlier keeps its date, even once it has passed.
        _within_a_year(field, past_ok=self.editing)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        named = (self.support_person.data or "").strip()
        if valid and self.responsible.data == TaskOwner.SUPPORT_PERSON.value and not named:
            self.support_person.errors.append(_l("Name the support person who carries it."))
            return False
        return valid


class TermsForm(Form):
    starts_on = DateField(_l("The agreement runs from"), validators=[Optional()])
    ends_on = DateField(_l("Until"), validators=[Optional()])
    consequences = TextAreaField(
        _l("If a responsibility is not carried out"),
        validators=[
            Optional(),
            Length(max=SHORT_MAX, message=_l("At most %(num)s characters.", num="2,000")),
        ],
        description=_l(
            "In plain words, what happens then: e.g. “We meet and look at the plan again together.”"
        ),
    )

    def validate_ends_on(self, field: DateField) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The agreement cannot end before it starts."))
        if field.data and field.data > local_today() + timedelta(days=3 * 366):
            raise ValidationError(_l("A date within the next three years."))


SIGNING_PARTIES = (
    SignatureParty.CLIENT,
    SignatureParty.WORKER,
    SignatureParty.SUPPORT_PERSON,
    SignatureParty.PROVIDER,
    SignatureParty.OTHER,
)


class SignatureForm(Form):
    party = RadioField(
        _l("Who signs"),
        choices=[SelectChoice(party.value, _l(party.label)) for party in SIGNING_PARTIES],
        validators=[InputRequired(_l("Choose who signs."))],
    )
    name = StringField(
        _l("Their name"),
        validators=[Optional(), Length(max=200)],
        description=_l("Not needed when you sign as the case manager: your own name is used."),
        render_kw={"autocomplete": "off", "autocapitalize": "words"},
    )
    strokes = HiddenField()
    terms_version = HiddenField()

    def validate_name(self, field: StringField) -> None:
        if self.party.data != SignatureParty.WORKER.value and not (field.data or "").strip():
            raise ValidationError(_l("Write the name of the person who signs."))

    def validate_strokes(self, field: HiddenField) -> None:
        try:
            field.strokes = strokes_from_text(field.data or "")
        except BadSignature as error:
            message = (
                _l("Sign in the box.")
                if str(error) == "empty"
                else _l("This signature could not be read. Clear the box and sign again.")
            )
            raise ValidationError(message) from error


class PaperForm(Form):
    names = StringField(
        _l("Who signed the paper copy"),
        validators=[DataRequired(_l("Write who signed the paper copy.")), Length(max=200)],
        description=_l("Everyone who signed it, e.g. “Brian Holt and Ana Lopez”."),
    )
    signed_on = DateField(
        _l("Signed on"), validators=[InputRequired(_l("Say on which day it was signed."))]
    )
    terms_version = HiddenField(id="paper-terms_version")

    def validate_signed_on(self, field: DateField) -> None:
        _not_after_today(field)


class TaskDoneForm(Form):
    done = HiddenField(validators=[DataRequired()])


class AgreementForm(Form):
    agreed_by = StringField(
        _l("Who agreed"),
        validators=[Optional(), Length(max=200)],
        description=_l("The client, and anyone with them, e.g. “Client and her sister”."),
    )
    agreed_on = DateField(_l("Agreed on"), validators=[Optional()])
    agreement_method = SelectField(
        _l("How"),
        choices=[SelectChoice("", _l("Not agreed yet")), *enum_choices(AgreementMethod)],
        validators=[Optional()],
    )
    review_on = DateField(_l("Review the plan by"), validators=[Optional()])
    version = HiddenField()

    def validate_agreed_on(self, field: DateField) -> None:
        _not_after_today(field)
        if field.data and not (self.agreed_by.data or "").strip():
            raise ValidationError(_l("Say who agreed."))
        if field.data and not self.agreement_method.data:
            raise ValidationError(_l("Say how they agreed."))

    def validate_review_on(self, field: DateField) -> None:
        _within_a_year(field)


class RiskForm(Form):
    risk_level = SelectField(
        _l("New risk level"), choices=enum_choices(RiskLevel), validators=[DataRequired()]
    )
    reason = _note(_l("Why"), _l("Say why the risk level changes."), id="risk-reason")


class ModelForm(Form):
    model = SelectField(
        _l("Work this case as"), choices=enum_choices(CaseModel), validators=[DataRequired()]
    )
    reason = _note(_l("Why"), _l("Say why this case needs another model."), id="model-reason")


class RestrictionForm(Form):
    # What the case is to become ("y": restricted); the page offers the one change that applies.
    restricted = HiddenField()
    reason = _note(_l("Why"), _l("Say why."), id="restriction-reason")


class LoopBackForm(Form):
    phase = SelectField(_l("Back to"), validators=[DataRequired(_l("Choose the phase."))])
    reason = _note(
        _l("Why"), _l("Say why the case goes back to this phase."), id="loop-back-reason"
    )

    def __init__(self, *args, phases: list[Phase] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.phase.choices = enum_choices_of(phases)


class TransferForm(Form):
    worker = SelectField(
        _l("New worker"), coerce=int, validators=[InputRequired(_l("Choose who takes the case."))]
    )
    note = _note(_l("Handoff note"), _l("Write a handoff note: what the new worker needs to know."))


class TeamForm(Form):
    member = SelectField(
        _l("Colleague"), coerce=int, validators=[InputRequired(_l("Choose a colleague."))]
    )
    role = SelectField(
        _l("Their part on this case"), choices=enum_choices(TeamRole), validators=[DataRequired()]
    )


class SupervisionNoteForm(Form):
    note = _note(_l("Review note"), _l("Write the review note."), id="supervision-note")


class ClosureForm(Form):
    reason = SelectField(
        _l("Why the case closes"),
        choices=enum_choices(ClosureReason),
        validators=[DataRequired(_l("Choose why the case closes."))],
    )
    outcome = _note(
        _l("Outcome"), _l("Say how the case ends for the client: what changed, what is still open.")
    )
    taken_over_by = StringField(
        _l("Who takes over"),
        validators=[Optional(), Length(max=200)],
        description=_l("A provider, program or person, if anyone."),
    )
    warm_handoff = SelectField(
        _l("Warm handoff done"),
        choices=[SelectChoice("", _l("Choose")), *enum_choices(WarmHandoff)],
        validators=[
            DataRequired(_l("Say whether you introduced the client to whoever takes over."))
        ],
        description=_l("Did you introduce the client to whoever takes over?"),
    )
    follow_up_1 = DateField(_l("First check after closure"), validators=[Optional()])
    follow_up_2 = DateField(_l("Second check after closure"), validators=[Optional()])

    goals: list[Goal] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_submitted():
            today = local_today()
            self.follow_up_1.data = today + timedelta(days=30)
            self.follow_up_2.data = today + timedelta(days=90)

    def goal_field(self, goal: Goal) -> SelectField:
        return self[f"goal_{goal.id}"]

    def goal_outcomes(self) -> dict[int, GoalStatus]:
        allowed = {status.value for status in GOAL_OUTCOMES}
        return {
            goal.id: GoalStatus(self.goal_field(goal).data)
            for goal in self.goals
            if self.goal_field(goal).data in allowed
        }

    def follow_up_dates(self) -> list[date]:
        return [field.data for field in (self.follow_up_1, self.follow_up_2) if field.data]


def closure_form(goals: list[Goal], *, hud_destination: bool = False, **kwargs) -> ClosureForm:
    """The closure form with a field per open goal, and HUD's exit destination when the program
    asks HUD's data elements."""

    class GoalsClosureForm(ClosureForm):
        pass

    if hud_destination:
        GoalsClosureForm.hud_destination = destination_field()

    for goal in goals:
        setattr(
            GoalsClosureForm,
            f"goal_{goal.id}",
            SelectField(
                goal.statement,
                choices=[
                    SelectChoice("", _l("Choose an outcome")),
                    *enum_choices_of(GOAL_OUTCOMES),
                ],
                validators=[DataRequired(_l("Give this goal its outcome."))],
            ),
        )
    GoalsClosureForm.goals = goals
    return GoalsClosureForm(**kwargs)


class DecisionForm(Form):
    decision = HiddenField()
    note = _text(
        _l("Note to the worker"), _l("Needed when you send it back: what should happen first.")
    )


class ReopenForm(Form):
    reason = _note(_l("Why reopen"), _l("Say why the case is reopened."))


class FollowUpForm(Form):
    note = _note(
        _l("How are they doing?"),
        _l("Say how the client is doing, or how you tried to reach them."),
    )
