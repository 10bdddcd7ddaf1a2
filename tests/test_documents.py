"""Documents and photos on a client's record (issue 20, item 3): checked by content, re-encoded
without their metadata, stored outside the web root under random names, opened only through an
access-checked, audited route, deleted with an audit line."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from webapp.extensions import db
from webapp.models import (
    AuditAction,
    AuditEvent,
    Case,
    Consent,
    Document,
    Program,
    Role,
    User,
)
from webapp.services import cases, clients


def jpeg(width: int = 2400, height: int = 1800, *, gps: bool = True, extra: bytes = b"") -> bytes:
    """A camera-like JPEG; with `gps`, an EXIF block that says where it was taken."""
    image = Image.new("RGB", (width, height), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if gps:
        exif[0x8825] = {1: "N", 2: (40.0, 42.0, 51.0), 3: "W", 4: (74.0, 0.0, 21.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=90)
    return out.getvalue() + extra


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (300, 200), (0, 0, 255, 128)).save(out, format="PNG")
    return out.getvalue()


PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


@dataclass(frozen=True)
class Agency:
    program: Program
    other: Program
    sam: User  # outreach worker, Sam's case
    colleague: User  # same program, not on Sam's cases
    supervisor: User  # Sam's supervisor
    elsewhere: User  # another program, with a case of the same client
    stranger: User  # a third program, no case of this client
    admin: User
    case: Case
    other_case: Case

    @property
    def client_id(self) -> str:
        return self.case.client.display_id

    @property
    def url(self) -> str:
        return f"/clients/{self.client_id}/documents/new"


@pytest.fixture
def agency(make_program, make_user, make_case) -> Agency:
    program, other = make_program("Street Outreach"), make_program("Housing First")
    third = make_program("Youth Drop-in")
    supervisor = make_user(Role.SUPERVISOR, [program])
    sam = make_user(Role.OUTREACH_WORKER, [program], supervisor=supervisor)
    colleague = make_user(Role.OUTREACH_WORKER, [program])
    elsewhere = make_user(Role.CASE_MANAGER, [other])
    stranger = make_user(Role.CASE_MANAGER, [third])
    admin = make_user(Role.ADMIN)
    case = make_case(program, sam, name="Brian")
    other_case = cases.open_case(case.client, other, created_by=elsewhere, primary_worker=elsewhere)
    db.session.commit()
    return Agency(
        program, other, sam, colleague, supervisor, elsewhere, stranger, admin, case, other_case
    )


def upload(client, agency: Agency, content: bytes, name: str = "photo.jpg", **fields):
    data = {
        "kind": "id_document",
        "title": "ID card, front",
        "case": str(agency.case.id),
        "file": (io.BytesIO(content), name),
        **fields,
    }
    return client.post(agency.url, data=data, content_type="multipart/form-data")


def stored_files(app) -> list[Path]:
    directory = Path(app.config["DOCUMENT_DIR"])
    return sorted(directory.iterdir()) if directory.exists() else []


def audited(action: AuditAction, document_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == action,
            AuditEvent.record_type == "document",
            AuditEvent.record_id == str(document_id),
        )
    )


def test_a_photo_is_stored_re_encoded_smaller_and_without_its_location(app, as_user, agency):
    original = jpeg()
    assert b"PhoneMaker" in original
    response = upload(as_user(agency.sam), agency, original, name="IMG_2041.jpg")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/clients/{agency.client_id}#documents")

    document = db.session.scalars(sa.select(Document)).one()
    assert (document.kind.value, document.title, document.case_id) == (
        "id_document",
        "ID card, front",
        agency.case.id,
    )
    assert document.content_type == "image/jpeg" and (document.width, document.height) == (
        1600,
        1200,
    )
    [path] = stored_files(app)
    # Outside the web root, under a random name that is not the upload's.
    assert path.name == document.stored_name and "IMG_2041" not in path.name
    assert Path(app.static_folder) not in path.parents
    content = path.read_bytes()
    assert b"PhoneMaker" not in content and b"Exif" not in content
    with Image.open(io.BytesIO(content)) as stored:
        assert stored.format == "JPEG" and stored.size == (1600, 1200)
        assert not stored.getexif()
    assert audited(AuditAction.CREATE, document.id) == 1


def test_a_transparent_png_becomes_a_jpeg_and_a_pdf_is_kept_as_sent(app, as_user, agency):
    worker = as_user(agency.sam)
    assert upload(worker, agency, png(), name="scan.png").status_code == 302
    assert upload(worker, agency, PDF, name="report.pdf", kind="provider_report").status_code == 302
    photo, report = db.session.scalars(sa.select(Document).order_by(Document.id)).all()
    assert photo.content_type == "image/jpeg"
    assert report.content_type == "application/pdf" and report.size == len(PDF)
    assert (Path(app.config["DOCUMENT_DIR"]) / report.stored_name).read_bytes() == PDF


PHP = b"<?php system($_GET['c']); ?>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(document.cookie)</script></svg>"
)


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("shell.jpg", PHP, "web page code or script"),
        ("logo.jpg", SVG, "web page code or script"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', "script"),
        ("polyglot.jpg", jpeg(400, 300, extra=PHP), "web page code or script"),
        ("page.pdf", b"<html><body>hi</body></html>", "web page code or script"),
        (
            "script.pdf",
            PDF.replace(
                b"/Type /Catalog",
                b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
            ),
            "web page code or script",
        ),
        ("truncated.jpg", jpeg(400, 300)[:200], "cannot be read as one"),
        ("notes.jpg", b"just some text, renamed", "whatever its name says"),
        ("empty.jpg", b"", "The file is empty"),
    ],
)
def test_files_that_are_not_a_plain_photo_or_pdf_are_refused_beside_the_field(
    app, as_user, agency, name, content, words
):
    response = upload(as_user(agency.sam), agency, content, name=name, title="Kept title")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="file-error"' in page and words in page
    assert 'value="Kept title"' in page  # what was typed stays
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
    assert stored_files(app) == []


def test_a_file_over_the_configured_limit_is_refused_beside_the_field(app, as_user, agency):
    app.config["DOCUMENT_MAX_BYTES"] = 1024 * 1024
    response = upload(as_user(agency.sam), agency, PDF + b"%" * (1024 * 1024 + 10))
    assert response.status_code == 422
    assert "larger than 1 MB" in response.get_data(as_text=True)
    assert stored_files(app) == []


def test_a_50_mb_body_is_refused_beside_the_field_before_it_is_read(app, as_user, agency):
    response = upload(as_user(agency.sam), agency, b"\xff\xd8\xff" + b"0" * (50 * 1024 * 1024))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert 'id="file-error"' in page and "larger than 10 MB" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_other_forms_keep_the_small_body_limit(as_user, agency):
    response = as_user(agency.admin).post(
        "/admin/programs/new", data={"name": "Big", "description": "x" * (2 * 1024 * 1024)}
    )
    assert response.status_code == 413


def attach(app, as_user, agency, *, case: str, content: bytes = PDF, who=None) -> Document:
    name = "doc.pdf" if content.startswith(b"%PDF") else "photo.jpg"
    response = upload(as_user(who or agency.sam), agency, content, name=name, case=case)
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(sa.select(Document).order_by(Document.id.desc())).first()


def test_a_photo_opens_in_the_browser_and_a_pdf_downloads_never_cached(app, as_user, agency):
    photo = attach(app, as_user, agency, case=str(agency.case.id), content=jpeg(800, 600))
    report = attach(app, as_user, agency, case=str(agency.case.id))
    worker = as_user(agency.sam)

    shown = worker.get(f"/documents/{photo.id}")
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    assert shown.headers["Content-Disposition"].startswith("inline;")
    assert shown.headers["Cache-Control"] == "no-store, private"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in shown.headers["Content-Security-Policy"]

    downloaded = worker.get(f"/documents/{report.id}")
    assert downloaded.status_code == 200 and downloaded.data == PDF
    assert downloaded.headers["Content-Disposition"] == (
        f'attachment; filename="id-document-{report.uploaded_at.date().isoformat()}.pdf"'
    )
    assert downloaded.headers["Cache-Control"] == "no-store, private"
    assert audited(AuditAction.VIEW, report.id) == 1


def test_who_may_open_a_document_filed_in_a_case_or_on_the_client_record(app, as_user, agency):
    in_case = attach(app, as_user, agency, case=str(agency.case.id))
    on_record = attach(app, as_user, agency, case="client")
    for user, case_doc, record_doc in [
        (agency.sam, 200, 200),
        (agency.colleague, 200, 200),  # same program, an ordinary case
        (agency.supervisor, 200, 200),
        (agency.admin, 200, 200),
        (agency.elsewhere, 404, 200),  # sees the client through their own case only
        (agency.stranger, 404, 404),  # no case of this client
    ]:
        viewer = as_user(user)
        assert viewer.get(f"/documents/{in_case.id}").status_code == case_doc, user.email
        assert viewer.get(f"/documents/{on_record.id}").status_code == record_doc, user.email
    assert audited(AuditAction.ACCESS_DENIED, in_case.id) == 2
    assert audited(AuditAction.ACCESS_DENIED, on_record.id) == 1


def test_a_restricted_cases_documents_are_only_for_those_who_may_see_the_case(app, as_user, agency):
    document = attach(app, as_user, agency, case=str(agency.case.id))
    agency.case.restricted = True
    db.session.commit()
    assert as_user(agency.colleague).get(f"/documents/{document.id}").status_code == 404
    assert as_user(agency.sam).get(f"/documents/{document.id}").status_code == 200
    assert as_user(agency.supervisor).get(f"/documents/{document.id}").status_code == 200
    assert audited(AuditAction.ACCESS_DENIED, document.id) == 1
    # Nor can a colleague file something in it by posting its id.
    response = upload(as_user(agency.colleague), agency, PDF, name="x.pdf")
    assert response.status_code == 404  # the client is seen only through the restricted case


def test_the_client_page_lists_what_each_viewer_may_see(app, as_user, agency):
    attach(app, as_user, agency, case=str(agency.case.id))
    db.session.scalars(sa.select(Document)).one().title = "Housing release"
    db.session.commit()
    attach(app, as_user, agency, case="client")
    mine = as_user(agency.sam).get(f"/clients/{agency.client_id}").get_data(as_text=True)
    assert "Housing release" in mine and "ID card, front" in mine
    theirs = as_user(agency.elsewhere).get(f"/clients/{agency.client_id}").get_data(as_text=True)
    assert "Housing release" not in theirs and "ID card, front" in theirs
    case_page = as_user(agency.sam).get(f"/cases/{agency.case.id}").get_data(as_text=True)
    assert "Housing release" in case_page and "ID card, front" not in case_page


def test_attaching_is_for_those_who_see_the_client(app, as_user, client, agency):
    assert as_user(agency.stranger).get(agency.url).status_code == 404
    assert upload(as_user(agency.stranger), agency, PDF, name="x.pdf").status_code == 404
    assert client.get(agency.url).status_code == 302  # signed out: to the login page
    assert upload(client, agency, PDF, name="x.pdf").status_code == 401
    # A case the worker cannot see is not a choice, even posted by hand.
    response = upload(
        as_user(agency.sam), agency, PDF, name="x.pdf", case=str(agency.other_case.id)
    )
    assert response.status_code == 422 and 'id="case-error"' in response.get_data(as_text=True)
    assert stored_files(app) == []


def test_a_signed_release_names_the_consent_it_supports(app, as_user, agency):
    consent = clients.record_consent(
        agency.case.client,
        scope=clients.ConsentScope.DATA_COLLECTION
        if hasattr(clients, "ConsentScope")
        else __import__("webapp.models", fromlist=["ConsentScope"]).ConsentScope.DATA_COLLECTION,
        method=__import__("webapp.models", fromlist=["ConsentMethod"]).ConsentMethod.SIGNED,
        recorded_by=agency.sam,
        case=agency.case,
    )
    db.session.commit()
    response = upload(
        as_user(agency.sam),
        agency,
        jpeg(400, 300),
        kind="signed_release",
        title="Signed release",
        consent=str(consent.id),
    )
    assert response.status_code == 302
    document = db.session.scalars(sa.select(Document)).one()
    assert document.consent_id == consent.id
    page = as_user(agency.sam).get(f"/clients/{agency.client_id}").get_data(as_text=True)
    assert "Supports the consent" in page
    assert isinstance(db.session.get(Consent, consent.id), Consent)


def test_deleting_removes_the_file_and_leaves_an_audit_line(app, as_user, agency):
    document = attach(app, as_user, agency, case=str(agency.case.id))
    assert as_user(agency.colleague).post(f"/documents/{document.id}/delete").status_code == 403
    assert as_user(agency.elsewhere).post(f"/documents/{document.id}/delete").status_code == 404
    assert len(stored_files(app)) == 1

    response = as_user(agency.supervisor).post(f"/documents/{document.id}/delete")
    assert response.status_code == 302
    assert stored_files(app) == []
    db.session.refresh(document)
    assert document.deleted_at is not None and document.deleted_by_id == agency.supervisor.id
    assert audited(AuditAction.DELETE, document.id) == 1
    assert as_user(agency.sam).get(f"/documents/{document.id}").status_code == 404
    assert "ID card, front" not in as_user(agency.sam).get(f"/clients/{agency.client_id}").get_data(
        as_text=True
    )


def test_the_uploader_may_delete_their_own(app, as_user, agency):
    document = attach(app, as_user, agency, case="client")
    assert as_user(agency.sam).post(f"/documents/{document.id}/delete").status_code == 302
    assert stored_files(app) == []


def test_a_photo_sent_twice_by_the_outbox_is_stored_once(app, as_user, agency):
    key = str(uuid.uuid4())
    worker = as_user(agency.sam)
    headers = {
        "Idempotency-Key": key,
        "X-Waymark-Outbox": "background",
        "X-Waymark-User": str(agency.sam.id),
    }
    answers = []
    for _ in range(2):
        data = {
            "kind": "id_document",
            "title": "ID card, front",
            "case": str(agency.case.id),
            "file": (io.BytesIO(jpeg(400, 300)), "photo.jpg"),
        }
        answers.append(
            worker.post(agency.url, data=data, headers=headers, content_type="multipart/form-data")
        )
    assert [answer.status_code for answer in answers] == [200, 200]
    assert answers[0].json["saved"] and not answers[0].json["replayed"]
    assert answers[1].json["replayed"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 1
    assert len(stored_files(app)) == 1


def test_a_merge_moves_the_duplicates_documents_and_an_undo_takes_them_back(
    app, as_user, agency, make_case
):
    from webapp.services import merge

    duplicate = make_case(agency.program, agency.sam, name="Bri")
    response = as_user(agency.sam).post(
        f"/clients/{duplicate.client.display_id}/documents/new",
        data={
            "kind": "id_document",
            "title": "Passport",
            "case": "client",
            "file": (io.BytesIO(PDF), "passport.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    document = db.session.scalars(sa.select(Document)).one()
    record = merge.merge_clients(
        agency.case.client, duplicate.client, take_from_merged=set(), merged_by=agency.admin
    )
    db.session.commit()
    assert db.session.get(Document, document.id).client_id == agency.case.client_id
    page = as_user(agency.sam).get(f"/clients/{agency.client_id}").get_data(as_text=True)
    assert "Passport" in page
    merge.undo_merge(record, undone_by=agency.admin)
    db.session.commit()
    assert db.session.get(Document, document.id).client_id == duplicate.client_id


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"kind": "passport_scan"}, "kind", "Not a valid choice"),
        ({"kind": ""}, "kind", "Say what the document is."),
        ({"title": ""}, "title", "A few words"),
        ({"title": "x" * 201}, "title", "At most 200 characters."),
        ({"consent": "999999", "kind": "signed_release"}, "consent", "Choose a consent"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_is_written(
    app, as_user, agency, change, field, words
):
    response = upload(as_user(agency.sam), agency, PDF, name="x.pdf", **change)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and words in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
    assert stored_files(app) == []


def test_no_file_at_all_is_refused_beside_the_field(app, as_user, agency):
    response = as_user(agency.sam).post(
        agency.url,
        data={"kind": "other", "title": "Nothing", "case": str(agency.case.id)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Take a photo or choose a file." in response.get_data(as_text=True)


def test_a_large_body_for_a_client_one_may_not_see_is_still_404(app, as_user, agency):
    response = upload(as_user(agency.stranger), agency, b"0" * (12 * 1024 * 1024))
    assert response.status_code == 404


def test_with_csrf_on_a_large_body_is_refused_before_anything_else_is_read(
    make_app, make_program, make_user, make_case
):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        program = make_program("Street Outreach")
        sam = make_user(Role.OUTREACH_WORKER, [program])
        case = make_case(program, sam)
        url = f"/clients/{case.client.display_id}/documents/new"
        big = {"file": (io.BytesIO(b"0" * (12 * 1024 * 1024)), "x.jpg")}
        signed_out = app.test_client().post(url, data=big, content_type="multipart/form-data")
        assert signed_out.status_code == 413
        big = {"file": (io.BytesIO(b"0" * (12 * 1024 * 1024)), "x.jpg")}
        signed_in = app.test_client(user=sam).post(
            url, data=big, content_type="multipart/form-data"
        )
        assert signed_in.status_code == 413
        assert 'id="file-error"' in signed_in.get_data(as_text=True)
