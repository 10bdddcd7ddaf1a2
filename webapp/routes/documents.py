"""Documents and photos on a client's record: attached (online or from the phone's outbox),
opened through an access-checked, audited route, deleted with an audit line."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
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
from werkzeug.exceptions import NotFound, RequestEntityTooLarge

from webapp.extensions import db
from webapp.forms.documents import CLIENT_RECORD, REFUSALS, DeleteDocumentForm, DocumentForm
from webapp.models import Case, Client, DocumentKind
from webapp.queries.documents import consents_a_release_may_support, documents_seen_through
from webapp.queries.visibility import may_delete_document, visible_cases_of
from webapp.services import documents
from webapp.web.access import get_client_or_404, get_document_or_404
from webapp.web.body_limits import allow_body
from webapp.web.idempotency import idempotent
from webapp.web.templating import local_date

bp = Blueprint("documents", __name__)

# Room for the form's other fields and the multipart framing around the file.
HEADROOM = 256 * 1024


def _directory() -> Path:
    return Path(current_app.config["DOCUMENT_DIR"])


def _max_mb() -> int:
    return max(1, int(current_app.config["DOCUMENT_MAX_BYTES"]) // (1024 * 1024))


def _form(client: Client, visible: list[Case], **kwargs) -> DocumentForm:
    consents = [
        (consent, f"{_(consent.scope.label)} · {local_date(consent.given_at)}")
        for consent in consents_a_release_may_support(client, visible)
    ]
    return DocumentForm(
        cases=[case for case in visible if case.is_open],
        consents=consents,
        max_mb=_max_mb(),
        **kwargs,
    )


def _page(client: Client, form: DocumentForm, *, status: int = 200) -> tuple[str, int]:
    visible = visible_cases_of(current_user, client)
    return render_template(
        "documents/new.html",
        client=client,
        form=form,
        documents=documents_seen_through(client, visible),
        max_bytes=int(current_app.config["DOCUMENT_MAX_BYTES"]),
    ), status


@bp.route("/clients/<persistent_id>/documents/new", methods=["GET", "POST"])
@allow_body("DOCUMENT_MAX_BYTES", headroom=HEADROOM)
@idempotent
def new(persistent_id: str) -> Response | tuple[str, int]:
    client = get_client_or_404(persistent_id)
    visible = visible_cases_of(current_user, client)
    form = _form(client, visible)
    if not form.is_submitted():
        wanted = request.args.get("case", "")
        offered = [choice.value for choice in form.case.choices]
        form.case.data = wanted if wanted in offered else offered[0]
        kind = request.args.get("kind", "")
        if kind in {choice.value for choice in DocumentKind}:
            form.kind.data = kind
    if form.validate_on_submit():
        max_bytes = int(current_app.config["DOCUMENT_MAX_BYTES"])
        data = form.file.data.read(max_bytes + 1)
        try:
            prepared = documents.prepare(data, max_bytes=max_bytes)
        except documents.DocumentRefused as refused:
            form.file.errors.append(str(REFUSALS[refused.reason]) % {"size": _max_mb()})
        else:
            case = next(
                (case for case in visible if str(case.id) == form.case.data and case.is_open),
                None,
            )
            consent = next(
                (
                    consent
                    for consent in consents_a_release_may_support(client, visible)
                    if str(consent.id) == form.consent.data
                ),
                None,
            )
            document = documents.attach(
                client,
                case=None if form.case.data == CLIENT_RECORD else case,
                kind=DocumentKind(form.kind.data),
                title=form.title.data,
                prepared=prepared,
                uploaded_by=current_user,
                directory=_directory(),
                consent=consent,
            )
            try:
                db.session.commit()
            except BaseException:
                db.session.rollback()
                documents.remove_file(_directory(), document.stored_name)
                raise
            flash(_("Document attached: %(title)s.", title=document.title))
            return redirect(
                url_for("clients.view", persistent_id=client.display_id, _anchor="documents")
            )
    return _page(client, form, status=422 if form.errors else 200)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(
    error: RequestEntityTooLarge,
) -> Response | tuple[str, int] | RequestEntityTooLarge | NotFound:
    """A body over the limit is refused before it is read: the form again, the reason beside the
    file field (what else was typed cannot be kept: it was never read)."""
    # CSRF protection reads the body before sign-in is checked: nobody signed in gets no form.
    if (
        request.endpoint != "documents.new"
        or not request.view_args
        or not current_user.is_authenticated
    ):
        return error
    db.session.rollback()
    try:
        client = get_client_or_404(request.view_args["persistent_id"])
    except NotFound as not_found:  # the same answer as without the large body
        return not_found
    form = _form(client, visible_cases_of(current_user, client), formdata=None)
    form.file.errors = [str(REFUSALS[documents.Refusal.TOO_LARGE]) % {"size": _max_mb()}]
    return _page(client, form, status=413)


def _download_name(document) -> str:
    day = document.uploaded_at.date().isoformat()
    return f"{document.kind.value.replace('_', '-')}-{day}.{document.extension}"


@bp.get("/documents/<int:document_id>")
def download(document_id: int) -> Response:
    document = get_document_or_404(document_id)
    try:
        content = documents.read(_directory(), document)
    except FileNotFoundError:
        current_app.logger.error("Document %s has no file in DOCUMENT_DIR", document.id)
        abort(404)
    response = Response(content, mimetype=document.content_type)
    # Only our own re-encoded JPEGs are shown in the browser; anything else is downloaded.
    disposition = "inline" if document.content_type == "image/jpeg" else "attachment"
    response.headers["Content-Disposition"] = (
        f'{disposition}; filename="{_download_name(document)}"'
    )
    response.headers["Cache-Control"] = "no-store, private"
    # Nothing in the file may run, even if a browser were to read it as a page (the browser's
    # own viewer for an image styles it inline; that is all that is allowed).
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/documents/<int:document_id>/delete")
def delete(document_id: int) -> Response:
    document = get_document_or_404(document_id)
    client = document.client
    if not may_delete_document(current_user, document, visible_cases_of(current_user, client)):
        abort(403)
    if not DeleteDocumentForm().validate_on_submit():
        abort(400)
    stored_name, title = document.stored_name, document.title
    documents.delete(document, deleted_by=current_user)
    db.session.commit()
    documents.remove_file(_directory(), stored_name)
    flash(
        _(
            "Deleted: %(title)s. The file is gone; the audit trail keeps who deleted it and when.",
            title=title,
        )
    )
    return redirect(url_for("clients.view", persistent_id=client.display_id, _anchor="documents"))
