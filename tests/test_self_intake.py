"""Self-intake links: the token's life, the client's form in two languages, the review queue."""

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    AuditEvent,
    Case,
    Client,
    ConsentMethod,
    Intake,
    IntakeSource,
    Invitation,
    Program,
    Role,
    SelfIntakeSubmission,
    SubmissionStatus,
    User,
    utcnow,
)
from webapp.queries.today import due_items
from webapp.services import self_intake
from webapp.timeutil import local_today

GONE = "This link no longer works"
GONE_ES = "Este enlace ya no funciona"


@dataclass(frozen=True)
class Org:
    program: Program
    ana: User


@pytest.fixture
def org(make_program, make_user) -> Org:
    program = make_program(name="Housing Help")
    ana = make_user(Role.CASE_MANAGER, [program], name="Ana Worker")
    return Org(program, ana)


@dataclass(frozen=True)
class Link:
    invitation: Invitation
    token: str


@pytest.fixture
def link(org) -> Link:
    invitation, token = self_intake.create_invitation(org.ana, org.program, language="es")
    db.session.commit()
    return Link(invitation, token)


def answers(**changes):
    data = {
        "preferred_name": "Rosa",
        "legal_name": "Rosa María Flores",
        "age": "41",
        "needs": ["housing", "food"],
        "needs_text": "Me desalojaron la semana pasada.",
        "going_well": "Trabajo por las mañanas.",
        "supporters": "Mi hermana.",
        "phone": "555 201 9988",
        "safe_to_call": "yes",
        "safe_to_text": "no",
        "best_times": "Tardes",
        "contact_notes": "No dejen mensajes.",
        "consent_data": "y",
        "consent_contact": "y",
    }
    data.update(changes)
    return data


def test_the_token_is_long_random_and_stored_only_as_a_hash(link):
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", link.token)  # 256 bits
    assert link.invitation.token_hash == hashlib.sha256(link.token.encode()).hexdigest()
    assert link.token not in str(db.session.execute(sa.select(Invitation.__table__)).all())


def test_a_gone_page_follows_the_language_of_the_page_it_came_from(client):
    assert GONE_ES in client.get("/i/" + "B" * 43 + "?lang=es").get_data(as_text=True)
    assert GONE_ES in client.get("/i/" + "B" * 43, headers={"Accept-Language": "es"}).get_data(
        as_text=True
    )


def test_opening_the_link_changes_nothing(client, link):
    for _ in range(3):
        response = client.get(f"/i/{link.token}")
        assert response.status_code == 200
    invitation = db.session.get(Invitation, link.invitation.id)
    assert invitation.opened_at is None and invitation.submitted_at is None
    assert client.get(f"/i/{link.token}").status_code == 200  # still usable


def test_the_form_speaks_the_invitations_language_and_can_be_switched(client, link):
    page = client.get(f"/i/{link.token}").get_data(as_text=True)
    assert '<html lang="es">' in page
    for spanish in (
        "Cuéntenos sobre usted",
        "Sobre mí",
        "En qué necesito ayuda",
        "Lo que va bien",
        "Cómo contactarme con seguridad",
        "Dar su permiso",
        "¿Cómo quiere que le llamemos?",
        "Un lugar seguro donde quedarme",
        "Enviar mis respuestas",
        "Housing Help le pidió",
    ):
        assert spanish in page, spanish
    assert re.search(r"hasta el \d+ de \w+ de \d{4}", page)  # the date in Spanish
    english = client.get(f"/i/{link.token}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "Tell us about yourself" in english


def test_without_a_language_the_browser_decides(client, org):
    _, token = self_intake.create_invitation(org.ana, org.program, language="")
    db.session.commit()
    spanish = client.get(f"/i/{token}", headers={"Accept-Language": "es-MX,es;q=0.9"}).get_data(
        as_text=True
    )
    assert "Cuéntenos sobre usted" in spanish
    other = client.get(f"/i/{token}", headers={"Accept-Language": "de-DE"}).get_data(as_text=True)
    assert "Tell us about yourself" in other


def test_pages_send_no_referer_and_ask_not_to_be_indexed(client, link):
    for response in (client.get(f"/i/{link.token}"), client.get("/i/unknown-token")):
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
        assert '<meta name="robots" content="noindex, nofollow">' in response.get_data(as_text=True)
        assert "https://" not in response.get_data(as_text=True)  # nothing from another host


def test_a_submission_is_stored_once_and_the_client_is_thanked(client, link):
    response = client.post(f"/i/{link.token}", data=answers(lang="es"))
    assert response.status_code == 302 and response.location.startswith("/i/thanks")
    thanks = client.get(response.location).get_data(as_text=True)
    assert "Gracias: sus respuestas se enviaron" in thanks and "Llegaron a Housing Help." in thanks
    submission = db.session.scalar(sa.select(SelfIntakeSubmission))
    assert submission.answers["preferred_name"] == "Rosa" and submission.answers["needs"] == [
        "housing",
        "food",
    ]
    assert submission.language == "es"
    # A second submit is refused and the first is kept as it was.
    again = client.post(f"/i/{link.token}", data=answers(preferred_name="Someone else", lang="es"))
    assert again.status_code == 404 and GONE_ES in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SelfIntakeSubmission)) == 1
    assert db.session.scalar(sa.select(SelfIntakeSubmission)).answers["preferred_name"] == "Rosa"
    assert db.session.get(Invitation, link.invitation.id).status(utcnow()).value == "submitted"


@pytest.mark.parametrize(
    "how", ["expired", "revoked", "used", "unknown", "truncated", "case-changed", "garbage"]
)
def test_every_dead_link_gets_the_same_friendly_page(client, org, how):
    invitation, token = self_intake.create_invitation(org.ana, org.program, language="en")
    if how == "expired":
        invitation.expires_at = utcnow() - timedelta(seconds=1)
    elif how == "revoked":
        self_intake.revoke(invitation, org.ana)
    elif how == "used":
        self_intake.submit(invitation, {"preferred_name": "X"}, language="en")
    db.session.commit()
    url = {
        "unknown": "/i/" + "A" * 43,
        "truncated": f"/i/{token[:-1]}",
        "case-changed": f"/i/{token.swapcase()}",
        "garbage": "/i/%3Cscript%3E",
    }.get(how, f"/i/{token}")
    for response in (
        client.get(url),
        client.post(url, data=answers()),
        client.post(url + "/started"),
    ):
        assert response.status_code == 404
    page = client.get(url).get_data(as_text=True)
    assert GONE in page and "contact the worker who sent it" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SelfIntakeSubmission)) == (
        1 if how == "used" else 0
    )


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"preferred_name": ""}, "preferred_name", "Díganos un nombre que podamos usar."),
        (
            {"consent_data": ""},
            "consent_data",
            "Solo podemos recibir sus respuestas si dice que sí aquí.",
        ),
        ({"age": "400"}, "age", "Una edad entre 10 y 120."),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "Revise la fecha de nacimiento."),
        ({"phone": "12"}, "phone", "Revise el número de teléfono"),
        ({"needs": ["astrology"]}, "needs", ""),
        ({"safe_to_call": "maybe"}, "safe_to_call", ""),
        ({"needs_text": "x" * 2001}, "needs_text", "Como máximo 2000 caracteres."),
    ],
)
def test_bad_answers_are_shown_beside_the_field_in_spanish_and_the_rest_is_kept(
    client, link, changes, field, message
):
    response = client.post(f"/i/{link.token}", data=answers(lang="es", **changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error">' in page and message in page
    assert "No dejen mensajes." in page and "Mi hermana." in page
    assert "Hay respuestas que revisar" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SelfIntakeSubmission)) == 0


def test_starting_to_type_marks_the_link_opened(client, link):
    assert client.post(f"/i/{link.token}/started").status_code == 204
    assert db.session.get(Invitation, link.invitation.id).status(utcnow()).value == "opened"


def test_the_link_space_is_rate_limited_per_address(client, link, monkeypatch, one_rate_window):
    from webapp.routes import self_intake as routes

    monkeypatch.setattr(routes, "REQUESTS_PER_WINDOW", 5)
    statuses = [client.get(f"/i/{link.token}").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert "Please wait a few minutes" in client.get("/i/unknown").get_data(as_text=True)
    other = client.get(f"/i/{link.token}", environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other.status_code == 200


def test_tokens_stay_out_of_the_audit_trail_and_the_access_log(client, link, tmp_path):
    client.post(f"/i/{link.token}", data=answers())
    paths = db.session.scalars(sa.select(AuditEvent.path)).all()
    assert "/i/[link]" in paths and not any(link.token in (path or "") for path in paths)
    from gunicorn.config import Config

    from webapp.web.logs import RedactingLogger

    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("access_log_format", '%(h)s "%(r)s" %(U)s %(s)s')
    logger = RedactingLogger(config)
    request = SimpleNamespace(
        method="GET",
        path=f"/i/{link.token}",
        query="",
        version=(1, 1),
        headers=[],
        uri=f"/i/{link.token}",
    )
    response = SimpleNamespace(
        status="200 OK", status_code=200, response_length=10, sent=10, headers=[]
    )
    logger.access(
        response,
        request,
        {
            "REMOTE_ADDR": "127.0.0.1",
            "RAW_URI": f"/i/{link.token}",
            "PATH_INFO": f"/i/{link.token}",
            "REQUEST_METHOD": "GET",
            "SERVER_PROTOCOL": "HTTP/1.1",
        },
        timedelta(seconds=0.01),
    )
    for handler in logger.access_log.handlers:
        handler.flush()
    written = (tmp_path / "access.log").read_text()
    assert "/i/[link]" in written and link.token not in written


def test_staff_make_an_invitation_and_see_the_link_once(as_user, org):
    client = as_user(org.ana)
    response = client.post(
        "/invites",
        data={
            "program": str(org.program.id),
            "language": "es",
            "expires_in_days": "7",
            "note": "Met at the library",
        },
    )
    assert response.status_code == 302
    share = client.get(response.location).get_data(as_text=True)
    link = re.search(r'value="(http://[^"]+/i/[A-Za-z0-9_-]{43})"', share).group(1)
    assert 'src="data:image/svg+xml' in share and "Copy link" in share
    assert "Waymark keeps no copy" in client.get(response.location).get_data(
        as_text=True
    )  # shown once
    token = link.rsplit("/", 1)[1]
    invitation = db.session.scalar(sa.select(Invitation))
    assert invitation.token_hash == self_intake.token_hash(token)
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    listing = client.get("/invites").get_data(as_text=True)
    assert "Met at the library" in listing and "Waiting" in listing
    assert client.post(f"/invites/{invitation.id}/revoke").status_code == 302
    assert "Revoked" in client.get("/invites").get_data(as_text=True)


@pytest.mark.parametrize(
    "data, field",
    [
        ({"expires_in_days": "90"}, "expires_in_days"),
        ({"expires_in_days": ""}, "expires_in_days"),
        ({"client": "NOT-AN-ID"}, "client"),
        ({"language": "klingon"}, "language"),
        ({"program": "abc"}, "program"),
    ],
)
def test_bad_invitations_are_refused_beside_the_field(as_user, org, data, field):
    form = {
        "program": str(org.program.id),
        "language": "en",
        "expires_in_days": "7",
        "note": "Keep me",
    }
    form.update(data)
    response = as_user(org.ana).post("/invites", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and f'id="{field}-error">' in page and "Keep me" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_staff_cannot_invite_for_a_program_they_are_not_in_nor_see_others_invitations(
    as_user, org, make_program, make_user
):
    other_program = make_program()
    response = as_user(org.ana).post(
        "/invites",
        data={"program": str(other_program.id), "language": "en", "expires_in_days": "7"},
    )
    assert response.status_code == 422
    invitation, _ = self_intake.create_invitation(org.ana, org.program, language="en")
    db.session.commit()
    stranger = make_user(Role.CASE_MANAGER, [other_program])
    assert as_user(stranger).post(f"/invites/{invitation.id}/revoke").status_code == 404
    assert as_user(stranger).get(f"/invites/{invitation.id}/share").status_code == 404


def _submitted(org, **changes):
    invitation, _ = self_intake.create_invitation(org.ana, org.program, language="es")
    form_answers = answers(**changes)
    stored = {key: value for key, value in form_answers.items() if key not in ("consent_data",)}
    stored["age"] = int(stored["age"]) if stored.get("age") else None
    stored["consent_contact"] = True
    submission = self_intake.submit(invitation, stored, language="es")
    db.session.commit()
    return submission


def test_the_inviting_worker_hears_of_a_submission(org):
    submission = _submitted(org)
    items = due_items(org.ana, local_today())
    assert [(item.kind, item.heading, item.record) for item in items] == [
        ("self_intake", "Rosa", submission.id)
    ]


def test_accepting_creates_the_client_and_a_case_with_the_self_intake_as_its_intake(as_user, org):
    submission = _submitted(org)
    client = as_user(org.ana)
    page = client.get(f"/intake-queue/{submission.id}").get_data(as_text=True)
    assert "Rosa" in page and "Me desalojaron" in page and "A new client record" in page
    response = client.post(
        f"/intake-queue/{submission.id}/accept",
        data={
            "accept-client": "new",
            "accept-next_follow_up_on": (local_today() + timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 302
    case = db.session.scalar(sa.select(Case))
    assert (
        case.client.preferred_name,
        case.client.legal_name,
        case.client.language,
        case.client.safe_to_text,
    ) == ("Rosa", "Rosa María Flores", "es", False)
    assert (
        case.primary_worker_id == org.ana.id
        and case.next_follow_up_on == local_today() + timedelta(days=2)
    )
    intake = db.session.scalar(sa.select(Intake))
    assert (
        intake.source == IntakeSource.SELF_INTAKE
        and intake.presenting_circumstances == "Me desalojaron la semana pasada."
    )
    assert case.client.consents[0].method == ConsentMethod.SELF_INTAKE
    submission = db.session.get(SelfIntakeSubmission, submission.id)
    assert submission.status == SubmissionStatus.ACCEPTED and submission.case_id == case.id
    again = client.post(f"/intake-queue/{submission.id}/accept", data={"accept-client": "new"})
    assert (
        again.status_code == 422
        and db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 1
    )


def test_accepting_runs_the_duplicate_check_and_can_link_a_known_client(as_user, org, make_case):
    known = make_case(
        org.program, org.ana, name="Rosa", legal_name="Rosa Maria Flores", phone="555 201 9988"
    ).client
    submission = _submitted(org)
    client = as_user(org.ana)
    page = client.get(f"/intake-queue/{submission.id}").get_data(as_text=True)
    assert "Likely match" in page and known.display_id in page
    response = client.post(
        f"/intake-queue/{submission.id}/accept", data={"accept-client": known.persistent_id}
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Client)) == 1
    cases = db.session.scalars(sa.select(Case).where(Case.client_id == known.id)).all()
    assert len(cases) == 2


def test_accept_and_reject_refuse_bad_input(as_user, org):
    submission = _submitted(org)
    client = as_user(org.ana)
    response = client.post(
        f"/intake-queue/{submission.id}/accept", data={"accept-client": "somebody-else"}
    )
    assert response.status_code == 422 and 'id="accept-client-error">' in response.get_data(
        as_text=True
    )
    response = client.post(
        f"/intake-queue/{submission.id}/accept",
        data={"accept-client": "new", "accept-next_follow_up_on": "2001-01-01"},
    )
    assert response.status_code == 422
    response = client.post(f"/intake-queue/{submission.id}/reject", data={"reject-reason": ""})
    assert response.status_code == 422 and 'id="reject-reason-error">' in response.get_data(
        as_text=True
    )
    assert (
        client.post(
            f"/intake-queue/{submission.id}/reject",
            data={"reject-reason": "Not in our area; referred to County Services."},
        ).status_code
        == 302
    )
    submission = db.session.get(SelfIntakeSubmission, submission.id)
    assert (
        submission.status == SubmissionStatus.REJECTED
        and db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0
    )


def test_the_queue_is_for_the_programs_staff(as_user, org, make_program, make_user):
    submission = _submitted(org)
    stranger = make_user(Role.CASE_MANAGER, [make_program()])
    assert "Rosa" not in as_user(stranger).get("/intake-queue").get_data(as_text=True)
    assert as_user(stranger).get(f"/intake-queue/{submission.id}").status_code == 404
    assert (
        as_user(stranger)
        .post(f"/intake-queue/{submission.id}/accept", data={"accept-client": "new"})
        .status_code
        == 404
    )
    assert "Rosa" in as_user(org.ana).get("/intake-queue").get_data(as_text=True)


def test_every_client_facing_string_has_a_spanish_translation_and_the_compiled_catalog_matches():
    """Client pages must be complete in Spanish; staff strings are marked and may follow later."""
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parent.parent / "webapp"
    method_map = [
        ("forms/self_intake.py", "python"),
        ("templates/self_intake/**.html", "jinja2"),
        ("templates/macros/**.html", "jinja2"),
    ]
    marked = {
        message
        for _, _, message, *_ in extract_from_dir(
            str(root),
            method_map,
            keywords={
                "_": None,
                "gettext": None,
                "_l": None,
                "lazy_gettext": None,
                "ngettext": (1, 2),
            },
        )
        if isinstance(message, str)
    }
    with open(root / "translations/es/LC_MESSAGES/messages.po", "rb") as handle:
        po = read_po(handle)
    translated = {message.id: message.string for message in po if message.id and message.string}
    assert marked - set(translated) == set(), "run `make translations` and translate what is new"
    with open(root / "translations/es/LC_MESSAGES/messages.mo", "rb") as handle:
        mo = read_mo(handle)

    # Plural forms come back from the .mo as lists.
    def hashable(value):
        return tuple(value) if isinstance(value, list) else value

    compiled = {hashable(message.id): hashable(message.string) for message in mo if message.id}
    assert compiled == translated, "run `make translations`"


def test_two_sends_at_once_are_one_submission_and_the_second_is_already_sent(client, link, caplog):
    # The other send committed its submission after this one found the link still unused.
    db.session.add(
        SelfIntakeSubmission(
            invitation_id=link.invitation.id,
            answers={"preferred_name": "Rosa"},
            language="es",
            submitted_at=utcnow(),
        )
    )
    db.session.commit()
    response = client.post(
        f"/i/{link.token}", data=answers(preferred_name="Second Send", lang="es")
    )
    assert response.status_code == 404 and GONE_ES in response.get_data(as_text=True)
    assert db.session.scalars(sa.select(SelfIntakeSubmission.answers)).all() == [
        {"preferred_name": "Rosa"}
    ]
    assert link.token not in caplog.text and "Second Send" not in caplog.text


def test_a_database_outage_on_a_link_logs_no_token(make_app, link, caplog, monkeypatch):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    def outage(_token):
        raise sa.exc.OperationalError(
            f"SELECT … -- /i/{link.token}", {}, ConnectionRefusedError(f"down at /i/{link.token}")
        )

    monkeypatch.setattr(self_intake, "find_usable", outage)
    response = app.test_client().get(f"/i/{link.token}?lang=es")
    assert response.status_code == 500
    assert "/i/[link]" in caplog.text and "Traceback" in caplog.text
    assert link.token not in caplog.text


def test_every_logger_redacts_links(link, tmp_path, caplog):
    import logging

    from gunicorn.config import Config

    from webapp.web.logs import RedactingLogger

    config = Config()
    config.set("errorlog", str(tmp_path / "error.log"))
    gunicorn_log = RedactingLogger(config)
    try:
        raise RuntimeError(f"while handling /i/{link.token}/started")
    except RuntimeError:
        gunicorn_log.exception("Error handling request %s", f"/i/{link.token}")
    for handler in gunicorn_log.error_log.handlers:
        handler.flush()
    written = (tmp_path / "error.log").read_text()
    assert (
        "Error handling request /i/[link]" in written
        and "RuntimeError" in written
        and link.token not in written
    )
    logging.getLogger("werkzeug").warning(
        '%s - - [%s] "%s" %s -', "127.0.0.1", "now", f"POST /i/{link.token}?lang=es HTTP/1.1", 500
    )
    logging.getLogger("webapp").error(f"Exception on http://waymark.example/i/{link.token} [GET]")
    assert '"POST /i/[link]?lang=es HTTP/1.1" 500' in caplog.text
    assert (
        "Exception on http://waymark.example/i/[link] [GET]" in caplog.text
        and link.token not in caplog.text
    )
    logging.getLogger("webapp").warning("the thanks page /i/thanks is no secret")
    assert "/i/thanks" in caplog.text
