"""Administration: programs and their case management models, and the provider directory."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp import client_ids
from webapp.extensions import db
from webapp.forms.admin import HmisExportForm, ProgramForm
from webapp.forms.audit import AuditFilterForm
from webapp.forms.directory import DirectoryImportForm, ProviderForm, ServiceForm
from webapp.forms.intake_rules import QuestionForm, QuestionRemoveForm
from webapp.hmis import codes as hmis_codes
from webapp.hmis import export as hmis_files
from webapp.hsds import export as hsds_export
from webapp.hsds import importer as hsds_importer
from webapp.models import (
    MODEL_DEFAULTS,
    AuditAction,
    CaseModel,
    Client,
    ClosureApproval,
    EligibilityQuestion,
    LifeDomain,
    Program,
    Provider,
    QuestionKind,
    Service,
    User,
    WaitPriority,
    utcnow,
)
from webapp.models.referrals import address_line
from webapp.queries.audit_trail import find_events
from webapp.queries.intake_rules import questions_of
from webapp.services import audit, directory, programs
from webapp.services import intake_rules as rules
from webapp.web.body_limits import allow_body
from webapp.web.paging import page_number
from webapp.web.templating import say

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The audit trail is long: fifty events a page, and years of them.
AUDIT_MAX_PAGE = 100_000


@bp.before_request
def admins_only() -> None:
    if not current_user.is_admin:
        abort(403)


@bp.get("/programs")
def programs_index() -> str:
    rows = db.session.scalars(
        sa.select(Program).order_by(Program.active.desc(), Program.name)
    ).all()
    return render_template("admin/programs.html", programs=rows)


def _program_fields(form: ProgramForm) -> dict:
    return {
        "name": form.name.data.strip(),
        "model": CaseModel(form.model.data),
        "description": (form.description.data or "").strip(),
        "contact_standard_days": form.contact_standard_days.data,
        "caseload_cap": form.caseload_cap.data,
        "reassessment_interval_days": form.reassessment_interval_days.data,
        "active": form.active.data,
        "closure_approval": ClosureApproval(form.closure_approval.data)
        if form.closure_approval.data
        else None,
        "assessment_domains": [LifeDomain(value) for value in form.domains.data or []],
        "open_case_limit": form.open_case_limit.data,
        "intake_closed": form.intake_closed.data,
        "hud_elements": form.hud_elements.data,
        "retention_years": form.retention_years.data,
    }


@bp.route("/programs/new", methods=["GET", "POST"])
def program_new() -> Response | tuple[str, int]:
    form = ProgramForm()
    if form.validate_on_submit():
        try:
            program = programs.create_program(**_program_fields(form))
        except programs.ProgramError as error:
            form.name.errors.append(say(error.args[0]))
        else:
            db.session.commit()
            flash(_("Program “%(name)s” created.", name=program.name))
            return redirect(url_for("admin.programs_index"))
    return _render_form(form, program=None)


@bp.route("/programs/<int:program_id>", methods=["GET", "POST"])
def program_edit(program_id: int) -> Response | tuple[str, int]:
    program = db.get_or_404(Program, program_id)
    form = ProgramForm(obj=program)
    if not form.is_submitted():
        form.domains.data = [value for value in program.assessment_domains.split(",") if value]
    if form.validate_on_submit():
        try:
            programs.update_program(program, **_program_fields(form))
        except programs.ProgramError as error:
            form.name.errors.append(say(error.args[0]))
        else:
            db.session.commit()
            flash(_("Program “%(name)s” saved.", name=program.name))
            return redirect(url_for("admin.programs_index"))
    return _render_form(form, program=program)


@bp.route("/programs/<int:program_id>/intake", methods=["GET", "POST"])
def intake_rules(program_id: int) -> Response | tuple[str, int]:
    """Who the program takes: its questions at intake, which answers qualify, which give a
    priority."""
    program = db.get_or_404(Program, program_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            rules.add_question(
                program,
                text=form.text.data,
                kind=QuestionKind(form.kind.data),
                choices=form.choices.data or "",
                qualifying=form.answers_typed(form.qualifying),
                priority_answers=form.answers_typed(form.priority_answers),
                priority=WaitPriority(form.priority.data) if form.priority.data else None,
                added_by=current_user,
            )
        except rules.IntakeRuleError as error:
            db.session.rollback()
            program = db.get_or_404(Program, program_id)
            field = getattr(form, error.field, form.text)
            field.errors = [*field.errors, say(error.args[0])]
        else:
            db.session.commit()
            flash(_("Question added: quick intake asks it from now on."))
            return redirect(url_for("admin.intake_rules", program_id=program.id))
    return render_template(
        "admin/intake_rules.html",
        program=program,
        questions=questions_of(program),
        form=form,
        remove_form=QuestionRemoveForm(formdata=None),
    ), 422 if form.errors else 200


@bp.post("/programs/<int:program_id>/intake/<int:question_id>/remove")
def intake_rule_remove(program_id: int, question_id: int) -> Response:
    question = db.get_or_404(EligibilityQuestion, question_id)
    if question.program_id != program_id:
        abort(404)
    if not QuestionRemoveForm().validate_on_submit():
        abort(400)
    rules.remove_question(question, removed_by=current_user)
    db.session.commit()
    flash(_("Question removed: intakes already taken keep its answers."))
    return redirect(url_for("admin.intake_rules", program_id=program_id))


def _render_form(form: ProgramForm, program: Program | None) -> tuple[str, int]:
    status = 422 if form.errors else 200
    return render_template(
        "admin/program_form.html", form=form, program=program, defaults=MODEL_DEFAULTS
    ), status


@bp.get("/audit")
def audit_log() -> tuple[str, int]:
    users = db.session.scalars(sa.select(User).order_by(User.display_name)).all()
    form = AuditFilterForm(request.args, users=users)
    events, has_next, page = [], False, page_number(most=AUDIT_MAX_PAGE)
    if form.validate():
        client = None
        if form.client.data:
            client = db.session.scalar(
                sa.select(Client).where(Client.persistent_id == client_ids.parse(form.client.data))
            )
        user = (
            db.session.get(User, int(form.user.data)) if (form.user.data or "").isdigit() else None
        )
        if form.client.data and client is None:
            form.client.errors.append(_("No client has this ID."))
        else:
            events, has_next = find_events(
                user=user,
                client=client,
                since=form.since.data,
                until=form.until.data,
                page=page,
                page_size=current_app.config["PAGE_SIZE"] * 2,
            )
    names = {user.id: user for user in users}
    return render_template(
        "admin/audit.html", form=form, events=events, names=names, page=page, has_next=has_next
    ), 422 if form.errors else 200


@bp.get("/providers")
def providers_index() -> str:
    rows = db.session.scalars(
        sa.select(Provider)
        .options(sa.orm.selectinload(Provider.services))
        .order_by(Provider.active.desc(), Provider.name)
    ).all()
    return render_template("admin/providers.html", providers=rows)


@bp.route("/providers/new", methods=["GET", "POST"])
@bp.route("/providers/<int:provider_id>", methods=["GET", "POST"])
def provider_form(provider_id: int | None = None) -> Response | tuple[str, int]:
    provider = db.get_or_404(Provider, provider_id) if provider_id else None
    form = ProviderForm(obj=provider)
    parts = ("street", "city", "state_province", "postal_code", "country")
    if (
        request.method == "GET"
        and provider
        and provider.address
        and not any(getattr(provider, part) for part in parts)
    ):
        # Saved before addresses had parts: the one line is the street, to be split if wanted.
        form.street.data = provider.address
    if form.validate_on_submit():
        fields = {
            name: (getattr(form, name).data or "").strip()
            for name in ("name", "description", "phone", "email", "website", *parts)
        }
        fields["address"] = address_line(
            fields["street"], fields["city"], fields["state_province"], fields["postal_code"]
        )
        provider = directory.save_provider(provider, active=form.active.data, **fields)
        db.session.commit()
        flash(_("“%(name)s” saved.", name=provider.name))
        return redirect(url_for("admin.providers_index"))
    return render_template(
        "admin/provider_form.html", form=form, provider=provider
    ), 422 if form.errors else 200


@bp.route("/providers/<int:provider_id>/services/new", methods=["GET", "POST"])
@bp.route("/services/<int:service_id>", methods=["GET", "POST"])
def service_form(
    provider_id: int | None = None, service_id: int | None = None
) -> Response | tuple[str, int]:
    service = db.get_or_404(Service, service_id) if service_id else None
    provider = service.provider if service else db.get_or_404(Provider, provider_id)
    form = ServiceForm(obj=service)
    if form.validate_on_submit():
        fields = {
            name: (getattr(form, name).data or "").strip()
            for name in (
                "name",
                "category",
                "description",
                "eligibility",
                "area",
                "hours",
                "what_to_bring",
            )
        }
        service = directory.save_service(provider, service, active=form.active.data, **fields)
        db.session.commit()
        flash(_("“%(name)s” saved.", name=service.name))
        return redirect(url_for("admin.providers_index"))
    return render_template(
        "admin/service_form.html", form=form, provider=provider, service=service
    ), (422 if form.errors else 200)


# A directory file may be larger than any form; everything else keeps the app's 1 MB limit.
DIRECTORY_FILE_LIMIT = 5 * 1024 * 1024


@bp.get("/providers/export.json")
def directory_export_json() -> Response:
    audit.record(AuditAction.EXPORT, "directory", "json")
    response = jsonify(hsds_export.as_json())
    response.headers["Content-Disposition"] = 'attachment; filename="waymark-directory-hsds.json"'
    return response


@bp.get("/providers/export.zip")
def directory_export_zip() -> Response:
    audit.record(AuditAction.EXPORT, "directory", "zip")
    response = Response(hsds_export.as_zip(), mimetype="application/zip")
    response.headers["Content-Disposition"] = 'attachment; filename="waymark-directory-hsds.zip"'
    return response


@bp.route("/providers/import", methods=["GET", "POST"])
@allow_body(DIRECTORY_FILE_LIMIT)
def directory_import() -> tuple[str, int]:
    form = DirectoryImportForm()
    checked, result = None, None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            contents = hsds_importer.read(upload.filename or "", upload.read())
        except hsds_importer.UnreadableFile as error:
            form.file.errors.append(say(error.args[0]))
        else:
            checked = hsds_importer.plan(contents)
            if not checked.rejected:
                result = hsds_importer.apply(checked)
                db.session.commit()
    status = 422 if form.errors or (checked and checked.rejected) else 200
    return render_template(
        "admin/directory_import.html", form=form, checked=checked, result=result
    ), status


@bp.route("/hmis", methods=["GET", "POST"])
def hmis_export() -> Response | tuple[str, int]:
    """The HMIS CSV export of the programs that ask HUD's data elements, for a period: a zip in
    HUD's format, audited (the export and each client in it)."""
    exportable = db.session.scalars(
        sa.select(Program).where(Program.hud_elements).order_by(Program.name)
    ).all()
    form = HmisExportForm()
    form.programs.choices = [(program.id, program.name) for program in exportable]
    if form.validate_on_submit():
        chosen = [program for program in exportable if program.id in form.programs.data]
        try:
            made = hmis_files.export(
                programs=chosen,
                start=form.start.data,
                end=form.end.data,
                exported_by=current_user,
                organization_name=current_app.config["HMIS_ORGANIZATION_NAME"],
                implementation_id=current_app.config["HMIS_IMPLEMENTATION_ID"],
                now=utcnow(),
            )
        except hmis_files.ExportError as error:
            form.programs.errors.append(say(error.args[0]))
        else:
            archive = made.to_zip()
            db.session.commit()
            response = Response(archive, mimetype="application/zip")
            response.headers["Content-Disposition"] = (
                f'attachment; filename="hmis-{form.start.data}-{form.end.data}.zip"'
            )
            return response
    return render_template(
        "admin/hmis_export.html",
        form=form,
        exportable=exportable,
        version=hmis_codes.SPECIFICATION,
    ), 422 if form.errors else 200
