"""Clients: search, quick intake with its duplicate check, and the client's record."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.forms import hud as hud_fields
from webapp.forms.agency import AskForReferralForm
from webapp.forms.client_edit import CLIENT_FIELDS, ClientForm
from webapp.forms.clients import IntakeForm, IntakeMemberRow, yes_no
from webapp.forms.documents import DeleteDocumentForm
from webapp.forms.intake_rules import read_answers
from webapp.forms.network import birth_year_from
from webapp.forms.retention import LegalHoldForm, LiftHoldForm
from webapp.models import (
    AuditAction,
    Case,
    Client,
    ConsentMethod,
    Program,
    RelationshipKind,
    ScreeningOutcome,
    utcnow,
)
from webapp.queries import duplicates
from webapp.queries.agency import AgencyCard, already_asked, reads_as_full_name
from webapp.queries.audit_trail import who_has_seen
from webapp.queries.consents import consents_seen_through
from webapp.queries.documents import documents_seen_through
from webapp.queries.intake_rules import evaluate, is_full, questions_by_program, screenings_of
from webapp.queries.merges import merges_into
from webapp.queries.network import contact_consent, households_of, network_of
from webapp.queries.retention import hold_in_force
from webapp.queries.search import search_clients
from webapp.queries.timeline import client_timeline
from webapp.queries.visibility import (
    intake_programs,
    is_supervisor_or_admin,
    may_delete_document,
    may_lift_hold,
    may_merge,
    may_place_hold,
    visible_cases_of,
)
from webapp.services import agency, audit, cases, clients, hud, intake_rules, network, retention
from webapp.services.intake import MemberWhoIsAClient, Screened, take_intake
from webapp.services.merge import can_undo
from webapp.text import clean_line
from webapp.timeutil import local_today
from webapp.web import agency as agency_lookup
from webapp.web.access import get_client_or_404
from webapp.web.fragments import render_page_or_fragment
from webapp.web.idempotency import client_id_reissued, idempotent
from webapp.web.paging import page_number
from webapp.web.templating import say

bp = Blueprint("clients", __name__, url_prefix="/clients")


@bp.get("")
def search() -> Response:
    # Read from the query string, not a form: cleaned here as the forms clean text (no NUL, no
    # controls).
    query = clean_line(request.args.get("q", ""))[:100]
    card = AgencyCard()
    if reads_as_full_name(query) and page_number() == 1:
        # A full name typed may find someone held only by another program: where, never who.
        card = agency_lookup.look_up(
            duplicates.check(current_user, duplicates.Person(names=[query]), local_today())
        )
        if card.refused and not request.htmx:
            return _too_many_lookups()
    results = search_clients(current_user, query, page_number(), current_app.config["PAGE_SIZE"])
    # Rendered before the commit below, which would expire the results (a query per client).
    page = render_page_or_fragment(
        "clients/search.html",
        "clients/_results.html",
        query=query,
        results=results,
        card=card,
        asked=card.asked,
    )
    if card.refused:  # as you type: the results, and why nothing more came
        page.status_code = 429
    if results.clients:
        # Who looked through client lists, and when; never what they typed. Each client listed was
        # seen (name, ID), so each is a view of that client's record: one write for all of them.
        audit.record_each(
            AuditAction.VIEW,
            [("client_search", None), *(("client", client.id) for client in results.clients)],
        )
        db.session.commit()
    return page


def _person_from(values) -> duplicates.Person:
    """The identity fields as typed so far (from the form, or the live check's query string)."""

    def parsed_date(text: str | None) -> date | None:
        try:
            return date.fromisoformat(text) if text else None
        except ValueError:
            return None

    age = values.get("approximate_age", "")
    # Raw request values, not a form's: cleaned as the forms clean names, so no NUL reaches a query.
    return duplicates.Person(
        names=[
            clean_line(values.get("preferred_name", "")[:200]),
            clean_line(values.get("legal_name", "")[:200]),
            *(clean_line(alias) for alias in values.get("aliases", "")[:400].split(",")),
        ],
        date_of_birth=parsed_date(values.get("date_of_birth")),
        approximate_age=int(age) if age.isdigit() and int(age) <= 120 else None,
        phone=clean_line(values.get("phone", "")[:40]) or None,
    )


@bp.get("/new/duplicates")
def duplicate_check() -> str:
    """The live duplicate check the intake form asks for while the worker types."""
    check = duplicates.check(current_user, _person_from(request.args), local_today())
    card = agency_lookup.look_up(check)
    page = render_template(
        "clients/_duplicates.html",
        check=check,
        form=None,
        card=card,
        asked=card.asked,
    )
    if check.candidates:
        # The matches' names and IDs were shown: a view of each one's record.
        audit.record_all(
            AuditAction.VIEW, "client", [candidate.client.id for candidate in check.candidates]
        )
    return page, 429 if card.refused else 200


def _too_many_lookups() -> Response:
    response = render_page_or_fragment(
        "errors/error.html",
        "errors/_error.html",
        code=429,
        title=_("Too many look-ups across the agency"),
        message=_(
            "You have looked up many people held by other programs in the last hour. Wait a "
            "while before the next look-up, or ask your supervisor."
        ),
    )
    response.status_code = 429
    response.headers["Retry-After"] = "3600"
    return response


@bp.post("/known/ask")
def ask_for_referral() -> Response | tuple[str, int]:
    """ "Ask for a referral" on a "known to the agency" card: the look-up is made again from what
    the worker typed, and only a case the card shows can be asked about."""
    form = AskForReferralForm()
    if not form.validate_on_submit():
        abort(400)
    programs = intake_programs(current_user)
    if not programs:
        abort(403)
    chosen = request.form.get("program", "")
    program = next((p for p in programs if str(p.id) == chosen), programs[0])
    check = duplicates.check(current_user, _person_from(request.form), local_today())
    card = agency_lookup.look_up(check)
    if card.refused:
        return _too_many_lookups()
    holder = card.holder(form.ask_case.data)
    if holder is None or holder.worker is None:
        abort(404)
    if not already_asked(current_user, holder.case_id, program):
        agency.ask_for_referral(
            db.session.get_one(Case, holder.case_id),
            asked_by=current_user,
            program=program,
            looked_for=form.looked_for,
        )
    db.session.commit()
    asked = {holder.case_id}
    if request.htmx:
        return render_template(
            "clients/_agency_card.html",
            card=card,
            asked=asked,
            in_form=form.asked_from.data != "search",
            looked_for=form.looked_for,
        )
    flash(_("Asked. Your request is on %(worker)s's Today.", worker=holder.worker))
    if form.asked_from.data == "search":
        return redirect(url_for("clients.search", q=form.looked_for))
    # From the intake form: back to it with everything typed kept.
    intake = IntakeForm(programs=programs)
    return render_template(
        "clients/new.html",
        form=intake,
        existing=None,
        check=check,
        card=card,
        asked=asked,
        programs=programs,
        questions=questions_by_program(programs),
        answer_errors={},
    ), 200


@bp.route("/new", methods=["GET", "POST"])
@idempotent
def new() -> Response | tuple[str, int]:
    existing = get_client_or_404(request.args["client"]) if request.args.get("client") else None
    programs = intake_programs(current_user)
    if not programs:
        abort(403)  # nobody to open a case with: not a member of any active program
    form = IntakeForm(programs=programs, existing_client=existing is not None)
    questions = questions_by_program(programs)
    answers, answer_errors = {}, {}
    check = None
    if form.validate_on_submit():
        program = db.session.get(Program, form.program.data)
        if program not in programs:
            form.program.errors.append(_("Choose one of your programs."))
        else:
            # The chosen program's questions, as the phone sent them (each program's are in the
            # form; only these count).
            answers, answer_errors = read_answers(questions[program.id], request.form)
        if program in programs and existing is None:
            check = duplicates.check(current_user, _person_from(request.form), local_today())
            if check.has_likely and not form.different_person.data:
                form.different_person.errors.append(
                    _(
                        "This looks like someone already known. Open their record, or tick this "
                        "box if it is a different person."
                    )
                )
        member_clients = []
        if program in programs and existing is None and not answer_errors:
            member_clients = _member_clients(form)
            screened = _screened(form, program, questions[program.id], answers)
            if member_clients and screened.outcome != ScreeningOutcome.OPENED:
                _refuse_member_clients(form)
        if not form.errors and not answer_errors:
            try:
                taken = _take(
                    form, existing, program, questions[program.id], answers, member_clients
                )
            except intake_rules.IntakeRuleError as error:
                db.session.rollback()
                form.program.errors.append(say(error.args[0]))
        if not form.errors and not answer_errors:
            case = taken.case
            for reissue in filter(None, [taken.client_id_reissue, *taken.member_reissues]):
                client_id_reissued(reissue)
            db.session.commit()
            if case is None:
                return _screened_away(taken)
            flash(
                _(
                    "Intake saved for %(name)s: client ID %(id)s.",
                    name=case.client.preferred_name,
                    id=case.client.display_id,
                )
            )
            for member_case in taken.member_cases:
                flash(
                    _(
                        "Also a client now: %(name)s, client ID %(id)s, with a case of their own.",
                        name=member_case.client.preferred_name,
                        id=member_case.client.display_id,
                    )
                )
            return redirect(url_for("cases.view", case_id=case.id))
    elif form.is_submitted() and existing is None:
        check = duplicates.check(current_user, _person_from(request.form), local_today())
    card = agency_lookup.look_up(check) if check is not None else None
    status = 422 if form.errors or answer_errors else 200
    return render_template(
        "clients/new.html",
        form=form,
        existing=existing,
        check=check,
        card=card,
        asked=card.asked if card else frozenset(),
        programs=programs,
        questions=questions,
        answer_errors=answer_errors,
    ), status


def _screened(form: IntakeForm, program: Program, questions, answers) -> Screened:
    return Screened(
        evaluation=evaluate(questions, answers),
        full=is_full(program),
        referred_to=form.referred_to.data or "",
    )


def _relationship(row: IntakeMemberRow) -> RelationshipKind | None:
    return RelationshipKind(row.relationship.data) if row.relationship.data else None


def _member_clients(form: IntakeForm) -> list[MemberWhoIsAClient]:
    """The rows ticked "Also a client", each checked for someone already known as the client
    is; a likely match is refused beside its row (their own intake shows who it may be)."""
    ticked = []
    for row in form.member_rows():
        if not row.becomes_client.data:
            continue
        birth_year = birth_year_from(row.age_or_year.data)
        person = duplicates.Person(
            names=[row.name.data],
            approximate_age=local_today().year - birth_year if birth_year else None,
        )
        if duplicates.check(current_user, person, local_today()).has_likely:
            _refuse_row(
                form,
                row,
                _(
                    "Someone like them may already be known. Untick this and give them an "
                    "intake of their own, where the check shows who it may be."
                ),
            )
            continue
        ticked.append(
            MemberWhoIsAClient(
                name=row.name.data,
                relationship=_relationship(row),
                birth_year=birth_year,
                phone_made_id=row.persistent_id.data or None,
            )
        )
    return ticked


def _refuse_member_clients(form: IntakeForm) -> None:
    """No case opens now (the person does not qualify, or waits for a place): nobody else
    becomes a client through this intake."""
    for row in form.member_rows():
        if row.becomes_client.data and not row.becomes_client.errors:
            _refuse_row(
                form,
                row,
                _(
                    "No case opens with this intake, so nobody becomes a client through it. "
                    "Untick this and give them an intake of their own."
                ),
            )


def _refuse_row(form: IntakeForm, row: IntakeMemberRow, refusal: str) -> None:
    row.becomes_client.errors.append(refusal)
    # Shown beside the row; also the form's, since the rows' errors were gathered when the form
    # validated and would not hold the intake back.
    form.form_errors.append(refusal)


def _take(form: IntakeForm, existing, program: Program, questions, answers, member_clients):
    """The intake as the form has it, screened by the program's questions."""
    return take_intake(
        phone_made_id=None if existing else form.persistent_id.data,
        worker=current_user,
        program=program,
        existing_client=existing,
        new_client=None if existing else _client_details(form),
        intake=cases.IntakeDetails(
            presenting_circumstances=form.presenting_circumstances.data or "",
            safety_concern=form.safety_concern.data,
            safety_details=form.safety_details.data or "",
            client_priorities=form.client_priorities.data or "",
            strengths=form.strengths.data or "",
        ),
        consent_method=ConsentMethod(form.consent_method.data),
        next_follow_up_on=form.next_follow_up_on.data,
        household_name=form.household_name.data or "" if existing is None else "",
        household_members=[
            network.MemberDetails(
                name=row.name.data,
                relationship=_relationship(row),
                birth_year=birth_year_from(row.age_or_year.data),
            )
            for row in form.member_rows()
            if not row.becomes_client.data
        ],
        screened=_screened(form, program, questions, answers),
        member_clients=member_clients,
        hud_details=_hud_details(form) if program.hud_elements else None,
        hmis_consent=bool(form.hmis_consent.data) if form.hud_programs else False,
    )


def _hud_details(form: IntakeForm) -> hud.HudDetails | None:
    """The answers to HUD's data elements, as HUD's codes (none when the form does not ask)."""
    if not form.hud_programs:
        return None
    picked = form.hud_race.data or []
    return hud.HudDetails(
        prior_living_situation=hud_fields.code(form.hud_prior_living.data),
        current_living_situation=hud_fields.code(form.hud_current_living.data),
        date_of_engagement=form.hud_engaged_on.data,
        disabling_condition=hud_fields.code(form.hud_disabling.data),
        veteran_status=hud_fields.code(form.hud_veteran.data),
        sex=hud_fields.code(form.hud_sex.data),
        races=tuple(value for value in picked if not value.isdigit()),
        race_missing=next((int(value) for value in picked if value.isdigit()), None),
        relationship_to_hoh=hud_fields.code(form.hud_relationship.data),
    )


def _screened_away(taken) -> Response:
    """An intake that opened no case: the person did not qualify, or waits for a place."""
    screening, client = taken.screening, taken.client
    if screening.qualified:
        flash(
            _(
                "%(name)s (client ID %(id)s) is on the waiting list of %(program)s, priority "
                "%(priority)s.",
                name=client.preferred_name,
                id=client.display_id,
                program=screening.program.name,
                priority=_(screening.priority.label),
            )
        )
        return redirect(url_for("waiting.entry", screening_id=screening.id))
    flash(
        _(
            "%(name)s (client ID %(id)s) is recorded: they do not qualify for %(program)s, so no "
            "case was opened.",
            name=client.preferred_name,
            id=client.display_id,
            program=screening.program.name,
        )
    )
    return redirect(url_for("clients.view", persistent_id=client.display_id))


def _client_details(form: IntakeForm | ClientForm) -> clients.ClientDetails:
    return clients.ClientDetails(
        preferred_name=form.preferred_name.data,
        legal_name=form.legal_name.data,
        aliases=form.alias_list(),
        date_of_birth=form.date_of_birth.data,
        estimated_birth_year=(
            local_today().year - form.approximate_age.data
            if form.approximate_age.data is not None and not form.date_of_birth.data
            else None
        ),
        language=form.language.data or None,
        phone=form.phone.data,
        safe_to_call=yes_no(form.safe_to_call.data),
        safe_to_text=yes_no(form.safe_to_text.data),
        contact_notes=form.contact_notes.data or "",
    )


def _form_data(client: Client) -> dict:
    yes_no_text = {True: "yes", False: "no", None: ""}
    return {
        "preferred_name": client.preferred_name,
        "legal_name": client.legal_name or "",
        "aliases": ", ".join(alias.name for alias in client.aliases),
        "date_of_birth": client.date_of_birth,
        "approximate_age": (
            local_today().year - client.estimated_birth_year
            if client.estimated_birth_year and not client.date_of_birth
            else None
        ),
        "language": client.language or "",
        "phone": client.phone or "",
        "safe_to_call": yes_no_text[client.safe_to_call],
        "safe_to_text": yes_no_text[client.safe_to_text],
        "contact_notes": client.contact_notes,
        "version": str(client.version),
    }


@bp.route("/<persistent_id>/edit", methods=["GET", "POST"])
def edit(persistent_id: str) -> Response | tuple[str, int]:
    """Correct a client's details. A save over someone else's newer save shows both, never
    overwrites."""
    client = get_client_or_404(persistent_id)
    form = ClientForm(data=None if request.method == "POST" else _form_data(client))
    if form.validate_on_submit():
        if not (form.version.data or "").isdigit():
            abort(400)
        try:
            clients.update_client(
                client,
                _client_details(form),
                expected_version=int(form.version.data),
                changed_by=current_user,
            )
            db.session.commit()
        except (clients.StaleEdit, StaleDataError):
            db.session.rollback()
            client = get_client_or_404(persistent_id)
            theirs = ClientForm(formdata=None, data=_form_data(client), meta={"csrf": False})
            return render_template(
                "conflict.html",
                form=form,
                theirs=theirs,
                fields=CLIENT_FIELDS,
                version=client.version,
                what=f"{client.preferred_name}'s details",
                action=url_for("clients.edit", persistent_id=client.display_id),
                back=url_for("clients.view", persistent_id=client.display_id),
            ), 409
        except clients.ClientError as error:
            form.preferred_name.errors.append(say(error.args[0]))
        else:
            flash(_("%(name)s's details saved.", name=client.preferred_name))
            return redirect(url_for("clients.view", persistent_id=client.display_id))
    return render_template(
        "clients/edit.html", client=client, form=form
    ), 422 if form.errors else 200


@bp.get("/<persistent_id>")
def view(persistent_id: str) -> Response | str:
    client = get_client_or_404(persistent_id)
    if persistent_id != client.display_id:
        # One stable URL per person: typed spellings and merged IDs lead to it.
        return redirect(url_for("clients.view", persistent_id=client.display_id))
    return _render_view(client)


def _render_view(client: Client, hold_form: LegalHoldForm | None = None) -> str:
    visible = visible_cases_of(current_user, client)
    today = local_today()
    return render_template(
        "clients/view.html",
        client=client,
        cases=visible,
        households=households_of(current_user, client),
        network=network_of(current_user, client),
        network_consent=contact_consent(client, visible, today),
        consents=consents_seen_through(client, visible),
        documents=documents_seen_through(client, visible),
        delete_form=DeleteDocumentForm(formdata=None),
        may_delete=lambda document: may_delete_document(current_user, document, visible),
        timeline=client_timeline(client, visible),
        viewers=who_has_seen(client) if is_supervisor_or_admin(current_user) else None,
        today=today,
        merges=merges_into(client),
        screenings=screenings_of(current_user, client.id),
        may_merge=may_merge(current_user, client),
        can_undo=lambda record: current_user.is_admin and can_undo(record, utcnow()),
        hold=hold_in_force(client),
        hold_form=hold_form or LegalHoldForm(formdata=None),
        lift_form=LiftHoldForm(formdata=None),
        may_place_hold=may_place_hold(current_user),
        may_lift_hold=may_lift_hold(current_user),
    )


@bp.post("/<persistent_id>/hold")
def place_hold(persistent_id: str) -> Response | tuple[str, int]:
    """A supervisor or an admin keeps this record whatever the retention policy, saying why."""
    client = get_client_or_404(persistent_id)
    if not may_place_hold(current_user):
        abort(403)
    form = LegalHoldForm()
    if form.validate_on_submit():
        try:
            retention.place_hold(client, reason=form.reason.data, placed_by=current_user)
        except retention.RetentionError as error:
            form.reason.errors.append(say(error.args[0]))
        else:
            db.session.commit()
            flash(_("The record is on legal hold: it is kept whatever the retention policy."))
            return redirect(url_for("clients.view", persistent_id=client.display_id))
    return _render_view(client, hold_form=form), 422


@bp.post("/<persistent_id>/hold/lift")
def lift_hold(persistent_id: str) -> Response:
    client = get_client_or_404(persistent_id)
    if not may_lift_hold(current_user):
        abort(403)
    form = LiftHoldForm()
    hold = hold_in_force(client)
    if not form.validate_on_submit() or hold is None:
        abort(400 if hold is not None else 409)
    retention.lift_hold(hold, lifted_by=current_user)
    db.session.commit()
    flash(_("The legal hold is lifted: the retention policy applies to this record again."))
    return redirect(url_for("clients.view", persistent_id=client.display_id))
