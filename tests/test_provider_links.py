"""Closed-loop referrals: the provider's link (/r/<token>), what it shows within the consent, each
answer's effect on the referral and the worker's Today, the slip, and the closure notice."""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.lifecycle import refer
from webapp.extensions import db
from webapp.models import (
    AuditEvent,
    Case,
    ConfirmationMethod,
    ConsentMethod,
    ConsentScope,
    MessageKind,
    NameShown,
    Provider,
    ProviderLink,
    Referral,
    ReferralMessage,
    ReferralStatus,
    ReminderKind,
    Role,
    Service,
    User,
    utcnow,
)
from webapp.queries.today import due_items
from webapp.services import clients, provider_links
from webapp.timeutil import local_today

S = ReferralStatus


@dataclass
class Setup:
    sam: User
    case: Case
    service: Service
    referral: Referral
    token: str

    @property
    def url(self) -> str:
        return f"/r/{self.token}"


def _link(referral: Referral, by: User) -> str:
    link = provider_links.make_link(referral, by=by)
    db.session.commit()
    return provider_links.token_of(link)


@pytest.fixture
def setup(make_program, make_user, make_case) -> Setup:
    program = make_program("Street Outreach")
    sam = make_user(Role.OUTREACH_WORKER, [program], name="Sam Rivera")
    sam.work_phone = "555-0111"
    case = make_case(
        program, sam, name="Mai Tran", legal_name="Mai Secretlegal Tran", phone="555-0199"
    )
    service = Service(
        name="Dental clinic intake",
        category="health",
        hours="Mon–Fri 9:00–16:00",
        what_to_bring="A photo ID if you have one.",
        provider=Provider(
            name="Harbor Health", phone="555-0170", email="desk@harbor.test", address="12 Dock St"
        ),
    )
    db.session.add(service)
    db.session.commit()
    referral = refer(
        case, service, created_by=sam, today=local_today(), reason="Tooth pain for weeks."
    )
    db.session.commit()
    return Setup(sam, case, service, referral, _link(referral, sam))


def answer(client, setup, which, **fields):
    data = {"which": which, f"{which}-answer": which}
    data.update({f"{which}-{name}": value for name, value in fields.items()})
    return client.post(setup.url, data=data)


def test_sending_a_referral_makes_the_providers_link_and_the_referral_page_shows_it(as_user, setup):
    response = as_user(setup.sam).post(
        f"/cases/{setup.case.id}/referrals/new",
        data={
            "service": str(setup.service.id),
            "reason": "Second referral.",
            "follow_up_on": (local_today() + timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 302
    referral = db.session.scalar(sa.select(Referral).order_by(Referral.id.desc()))
    assert response.location.endswith(f"/referrals/{referral.id}#provider-link")
    link = db.session.scalar(sa.select(ProviderLink).where(ProviderLink.referral_id == referral.id))
    token = provider_links.token_of(link)
    assert token and len(token) == 43 and link.token_hash != token and token not in link.salt
    page = as_user(setup.sam).get(response.location).get_data(as_text=True)
    assert f"/r/{token}" in page and "desk@harbor.test" in page and "data:image/svg+xml" in page
    assert f"/referrals/{referral.id}/slip" in page


def test_the_provider_sees_only_what_the_consent_and_the_link_allow(client, setup):
    page = client.get(setup.url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="client-name">Mai<' in text
    for secret in ("Secretlegal", "Tran", "555-0199", "Street Outreach"):
        assert secret not in text
    assert "Tooth pain for weeks." in text and "Dental clinic intake" in text
    assert "Sam Rivera" in text and "555-0111" in text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in page.headers["X-Robots-Tag"]
    assert "https://" not in text.replace("https://www.w3.org", "")  # nothing from elsewhere


def test_opening_the_link_changes_nothing_but_is_audited_without_the_token(client, setup):
    client.get(setup.url)
    client.get(setup.url)
    referral = db.session.get(Referral, setup.referral.id)
    assert referral.status == S.SENT and len(referral.history) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReferralMessage)) == 0
    views = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.record_type == "provider_link")
    ).all()
    assert {event.action.value for event in views} >= {"view"}
    paths = db.session.scalars(sa.select(AuditEvent.path)).all()
    assert "/r/[link]" in paths and not any(setup.token in (path or "") for path in paths)


def test_accept_schedule_and_attendance_move_the_referral_confirmed_by_the_provider(
    client, as_user, setup
):
    by = (local_today() + timedelta(days=5)).isoformat()
    response = answer(client, setup, "accept", commitment="See her for an intake", commitment_by=by)
    assert response.status_code == 302
    referral = db.session.get(Referral, setup.referral.id)
    assert referral.status == S.ACKNOWLEDGED
    assert referral.provider_commitment == "See her for an intake"
    assert referral.history[-1].method == ConfirmationMethod.PROVIDER_LINK
    assert referral.history[-1].confirmed_by_id is None
    day = (local_today() + timedelta(days=3)).isoformat()
    response = answer(
        client, setup, "schedule", appointment_on=day, appointment_time="10:30", note="Room 2"
    )
    assert response.status_code == 302
    db.session.expire_all()
    referral = db.session.get(Referral, setup.referral.id)
    assert referral.status == S.SCHEDULED and referral.appointment_on.isoformat() == day
    assert referral.appointment_place == "12 Dock St"  # the directory's address by default
    page = client.get(setup.url).get_data(as_text=True)
    assert "10:30" in page and "See her for an intake" in page
    # The worker's Today has each answer, "confirmed by the provider", until they read it.
    [item] = [i for i in due_items(setup.sam, local_today()) if i.kind == "provider_answer"]
    assert item.detail == "Confirmed by Harbor Health: appointment scheduled (2 answers to read)"
    worker = as_user(setup.sam)
    referral_page = worker.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert referral_page.count("Confirmed by the provider") == 2
    assert not [i for i in due_items(setup.sam, local_today()) if i.kind == "provider_answer"]
    # Attendance, after the appointment day (the confirmation cannot be earlier than it).
    response = answer(client, setup, "attended", note="Seen, treatment planned.")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Referral, setup.referral.id).status == S.CONNECTED


def test_a_second_tap_on_the_same_answer_records_it_once(client, setup):
    assert answer(client, setup, "accept").status_code == 302
    again = answer(client, setup, "accept")
    assert again.status_code == 422
    assert "no longer fits" in again.get_data(as_text=True)
    referral = db.session.get(Referral, setup.referral.id)
    assert [step.status for step in referral.history] == [S.SENT, S.ACKNOWLEDGED]


@pytest.mark.parametrize(
    ("which", "fields", "error"),
    [
        ("decline", {"note": ""}, "Say why you cannot take this referral."),
        ("schedule", {"appointment_on": ""}, "Give the appointment"),
        ("schedule", {"appointment_on": "not-a-date"}, "Not a valid date value."),
        ("schedule", {"appointment_on": "2001-01-01"}, "A date within a year of today."),
        ("accept", {"commitment_by": "2001-01-01", "commitment": "x"}, "A date from today on."),
        ("accept", {"note": "x" * 1001}, "Field cannot be longer than 1000 characters."),
        ("nonsense", {}, "no longer fits"),
    ],
)
def test_bad_answers_are_refused_beside_their_field_and_change_nothing(
    client, setup, which, fields, error
):
    response = answer(client, setup, which, **fields)
    assert response.status_code == 422
    assert error in response.get_data(as_text=True)
    referral = db.session.get(Referral, setup.referral.id)
    assert referral.status == S.SENT and len(referral.history) == 1


def test_a_decline_says_why_and_ends_the_link(client, setup):
    response = answer(client, setup, "decline", note="No dentist until March.")
    assert response.status_code == 302
    referral = db.session.get(Referral, setup.referral.id)
    assert referral.status == S.DECLINED and referral.history[-1].note == "No dentist until March."
    gone = client.get(setup.url)
    assert gone.status_code == 404 and "no longer works" in gone.get_data(as_text=True)


def test_a_note_from_the_provider_reaches_the_worker(client, as_user, setup):
    assert client.post(f"{setup.url}/note", data={"message": ""}).status_code == 422
    assert client.post(f"{setup.url}/note", data={"message": "Call me."}).status_code == 302
    [item] = [i for i in due_items(setup.sam, local_today()) if i.kind == "provider_answer"]
    assert item.detail == "Harbor Health sent a note"
    page = as_user(setup.sam).get(f"/referrals/{setup.referral.id}").get_data(as_text=True)
    assert "Call me." in page and "Note from the provider" in page


def _dead_page(client, url) -> tuple[int, str]:
    """The status and the page, less its CSRF token (signed with the time: it changes by the
    second)."""
    response = client.get(url)
    text = re.sub(r'<meta name="csrf-token" content="[^"]*">', "", response.get_data(as_text=True))
    return response.status_code, text


def test_every_dead_link_gets_one_page(client, setup, make_case):
    good = _dead_page(client, setup.url)
    assert good[0] == 200
    unknown = _dead_page(client, "/r/" + "A" * 43)
    malformed = _dead_page(client, "/r/short")
    link = db.session.scalar(sa.select(ProviderLink))
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    expired = _dead_page(client, setup.url)
    link.expires_at = utcnow() + timedelta(days=1)
    link.revoked_at = utcnow()
    db.session.commit()
    revoked = _dead_page(client, setup.url)
    assert unknown == malformed == expired == revoked and unknown[0] == 404
    # A referral cancelled by the worker ends its link too.
    other_token = _link(setup.referral, setup.sam)
    assert client.get(f"/r/{other_token}").status_code == 200
    from webapp.services import referrals

    referrals.change_status(
        setup.referral, S.CANCELLED, confirmed_by=setup.sam, method=ConfirmationMethod.PHONE
    )
    db.session.commit()
    assert _dead_page(client, f"/r/{other_token}") == unknown


def test_a_revoked_consent_shows_nothing_of_the_client(client, setup):
    consent = setup.referral.consent
    clients.revoke_consent(consent, revoked_by=setup.sam, reason="Changed her mind")
    db.session.commit()
    status, text = _dead_page(client, setup.url)
    assert status == 404
    for shown_before in ("Mai", "Tooth pain", "Dental clinic intake"):
        assert shown_before not in text
    assert answer(client, setup, "accept").status_code == 404


def test_a_new_link_stops_the_old_and_the_worker_can_stop_it(as_user, client, setup):
    worker = as_user(setup.sam)
    assert worker.post(f"/referrals/{setup.referral.id}/link").status_code == 302
    assert client.get(setup.url).status_code == 404
    new = provider_links.token_of(
        db.session.scalar(sa.select(ProviderLink).where(ProviderLink.revoked_at.is_(None)))
    )
    assert client.get(f"/r/{new}").status_code == 200
    assert worker.post(f"/referrals/{setup.referral.id}/link/revoke").status_code == 302
    assert client.get(f"/r/{new}").status_code == 404


def test_the_link_survives_a_new_secret_key_but_cannot_be_shown_again(make_app, setup):
    other = make_app(SECRET_KEY="a-different-secret")
    with other.app_context():
        link = db.session.scalar(sa.select(ProviderLink))
        assert provider_links.token_of(link) is None
    assert other.test_client().get(setup.url).status_code == 200


def test_what_the_provider_sees_is_chosen_within_the_consent(as_user, client, setup):
    worker = as_user(setup.sam)
    url = f"/referrals/{setup.referral.id}/link/shown"
    # Without a consent to be contacted, the client's phone is never shown.
    worker.post(url, data={"name_shown": "initials", "show_contact": "y"})
    link = db.session.scalar(sa.select(ProviderLink))
    assert link.show_contact is False and link.name_shown == NameShown.FIRST_NAME
    clients.record_consent(
        setup.case.client,
        scope=ConsentScope.CONTACT_TEXT,
        method=ConsentMethod.VERBAL,
        witness="Ngozi",
        recorded_by=setup.sam,
        expires_on=local_today() + timedelta(days=300),
        case=setup.case,
    )
    db.session.commit()
    assert worker.post(url, data={"name_shown": "initials", "show_contact": "y"}).status_code == 302
    text = client.get(setup.url).get_data(as_text=True)
    assert 'id="client-name">M. T.<' in text and "555-0199" in text
    assert "Be contacted by text message" in text and "Tooth pain" not in text
    # Not one of the form's choices (it always sends one): refused, nothing changed.
    for bad in ({"name_shown": "everything"}, {}, {"name_shown": "x" * 5000}):
        assert worker.post(url, data=bad).status_code == 400
    assert db.session.scalar(sa.select(ProviderLink)).name_shown == NameShown.INITIALS


def test_a_restricted_cases_link_is_its_workers_and_shows_the_least(
    as_user, client, make_user, make_case, setup
):
    supervisor = make_user(Role.SUPERVISOR, setup.case.program and [setup.case.program])
    setup.sam.supervisor_id = supervisor.id
    case = make_case(setup.case.program, setup.sam, name="Rosa Hidden", restricted=True)
    referral = refer(
        case, setup.service, created_by=setup.sam, today=local_today(), reason="Private"
    )
    db.session.commit()
    assert as_user(supervisor).post(f"/referrals/{referral.id}/link").status_code == 302
    assert (
        db.session.scalar(sa.select(ProviderLink).where(ProviderLink.referral_id == referral.id))
        is None
    )
    token = _link(referral, setup.sam)
    text = client.get(f"/r/{token}").get_data(as_text=True)
    assert 'id="client-name">R. H.<' in text and "Private" not in text and "Rosa" not in text
    shown = as_user(supervisor).post(
        f"/referrals/{referral.id}/link/shown",
        data={"name_shown": "first_name", "show_reason": "y"},
    )
    assert shown.status_code == 302
    assert 'id="client-name">R. H.<' in client.get(f"/r/{token}").get_data(as_text=True)
    assert as_user(supervisor).post(f"/referrals/{referral.id}/link/revoke").status_code == 403


def test_the_r_space_is_rate_limited_per_address(client, setup, monkeypatch, one_rate_window):
    from webapp.routes import provider

    monkeypatch.setattr(provider, "REQUESTS_PER_WINDOW", 5)
    statuses = [client.get(setup.url).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    other = client.get(setup.url, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other.status_code == 200


def test_no_token_reaches_a_log(setup, caplog):
    import logging

    from webapp.web.logs import redact_links

    logging.getLogger("werkzeug").warning('"GET /r/%s/note HTTP/1.1" 200', setup.token)
    assert "/r/[link]/note" in caplog.text and setup.token not in caplog.text
    assert (
        redact_links(f"https://x.test/r/{setup.token}?lang=es") == "https://x.test/r/[link]?lang=es"
    )


def test_staff_routes_are_for_those_who_see_the_case(
    as_user, client, make_user, make_program, setup
):
    outsider = as_user(make_user(Role.OUTREACH_WORKER, [make_program()]))
    rid = setup.referral.id
    posts = ["link", "link/revoke", "link/shown", "commitment", "closure-notice"]
    for path in posts:
        assert outsider.post(f"/referrals/{rid}/{path}").status_code == 404
        assert client.post(f"/referrals/{rid}/{path}").status_code in (401, 302)
    assert outsider.get(f"/referrals/{rid}/slip").status_code == 404
    assert client.get(f"/referrals/{rid}/slip").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProviderLink)) == 1


def test_the_slip_says_where_when_and_what_to_bring_and_nothing_of_the_case(as_user, setup):
    from webapp.services import referrals

    day = local_today() + timedelta(days=2)
    referrals.change_status(
        setup.referral,
        S.SCHEDULED,
        confirmed_by=setup.sam,
        method=ConfirmationMethod.PHONE,
        appointment=referrals.Appointment(day, None, "12 Dock St"),
    )
    db.session.commit()
    text = as_user(setup.sam).get(f"/referrals/{setup.referral.id}/slip").get_data(as_text=True)
    for shown in (
        "Dental clinic intake",
        "12 Dock St",
        "Mon–Fri 9:00–16:00",
        "A photo ID",
        "Sam Rivera",
    ):
        assert shown in text
    assert 'id="slip-appointment"' in text and "data:image/svg+xml" in text
    for hidden in ("Tooth pain", "Mai", "Tran", "Street Outreach"):
        assert hidden not in text


def test_the_slip_is_in_the_clients_language(as_user, setup):
    client_record = setup.case.client
    client_record.language = "es"
    db.session.commit()
    text = as_user(setup.sam).get(f"/referrals/{setup.referral.id}/slip").get_data(as_text=True)
    assert "Qué traer" in text and 'lang="es"' in text


def test_the_provider_page_in_spanish(client, setup):
    text = client.get(f"{setup.url}?lang=es").get_data(as_text=True)
    assert "Acepta" in text and 'lang="es"' in text


def test_an_overdue_promise_nags_the_worker(setup):
    setup.referral.provider_commitment = "Call her back"
    setup.referral.provider_commitment_by = local_today() - timedelta(days=1)
    db.session.commit()
    [item] = [i for i in due_items(setup.sam, local_today()) if i.kind == "provider_overdue"]
    assert "Call her back" in item.detail and item.kind == ReminderKind.PROVIDER_OVERDUE


def test_the_worker_records_what_the_provider_agreed(as_user, setup):
    worker = as_user(setup.sam)
    url = f"/referrals/{setup.referral.id}/commitment"
    by = (local_today() + timedelta(days=4)).isoformat()
    refused = worker.post(url, data={"commitment": "", "commitment_by": by})
    page = refused.get_data(as_text=True)
    # Refused beside its field, on the referral page, with the date that was typed kept.
    assert refused.status_code == 422 and 'id="commitment_by-error"' in page and by in page
    assert db.session.get(Referral, setup.referral.id).provider_commitment_by is None
    too_late = (local_today() + timedelta(days=400)).isoformat()
    kept = worker.post(url, data={"commitment": "A bed for the week", "commitment_by": too_late})
    assert kept.status_code == 422 and "A bed for the week" in kept.get_data(as_text=True)
    assert worker.post(url, data={"commitment": "A bed", "commitment_by": by}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Referral, setup.referral.id).provider_commitment == "A bed"


def test_the_provider_is_told_when_the_case_closes(as_user, client, setup):
    worker = as_user(setup.sam)
    url = f"/referrals/{setup.referral.id}/closure-notice"
    worker.post(url)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReferralMessage)) == 0
    case = db.session.get(Case, setup.case.id)
    case.closed_at, case.closure_reason = utcnow(), "goals_met"
    db.session.commit()
    assert worker.post(url).status_code == 302
    message = db.session.scalar(sa.select(ReferralMessage))
    assert message.kind == MessageKind.CLOSURE_NOTICE and not message.from_provider
    text = client.get(setup.url).get_data(as_text=True)
    assert 'id="closure-notice"' in text and "The case has closed" in text
    assert re.search(r"Reason: [Gg]oals met", text)


def test_the_closed_case_page_offers_to_tell_each_provider_once(as_user, client, setup):
    worker = as_user(setup.sam)
    case = db.session.get(Case, setup.case.id)
    assert 'id="providers"' not in worker.get(f"/cases/{case.id}").get_data(as_text=True)
    case.closed_at, case.closure_reason = utcnow(), "goals_met"
    db.session.commit()
    page = worker.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="providers"' in page and "Tell Harbor Health" in page
    response = worker.post(f"/referrals/{setup.referral.id}/closure-notice", data={"next": "case"})
    assert response.location.endswith(f"/cases/{case.id}#providers")
    assert 'id="providers"' not in worker.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "The case has closed" in client.get(setup.url).get_data(as_text=True)


def test_a_no_show_can_be_booked_again_and_completion_ends_the_link(client, setup):
    day = local_today().isoformat()
    assert answer(client, setup, "schedule", appointment_on=day).status_code == 302
    assert answer(client, setup, "no_show", note="Did not come.").status_code == 302
    assert db.session.get(Referral, setup.referral.id).status == S.NO_SHOW
    page = client.get(setup.url)  # a no-show can be booked again: the link still works
    assert page.status_code == 200 and 'id="answer-schedule"' in page.get_data(as_text=True)
    assert answer(client, setup, "schedule", appointment_on=day).status_code == 302
    assert answer(client, setup, "attended").status_code == 302
    assert answer(client, setup, "completed").status_code == 302
    db.session.expire_all()
    referral = db.session.get(Referral, setup.referral.id)
    assert [step.status for step in referral.history] == [
        S.SENT,
        S.SCHEDULED,
        S.NO_SHOW,
        S.SCHEDULED,
        S.CONNECTED,
        S.COMPLETED,
    ]
    assert client.get(setup.url).status_code == 404


def test_gunicorns_access_log_hides_the_token(setup, tmp_path):
    from types import SimpleNamespace

    from gunicorn.config import Config

    from webapp.web.logs import RedactingLogger

    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("access_log_format", '%(h)s "%(r)s" %(U)s %(s)s')
    logger = RedactingLogger(config)
    path = f"/r/{setup.token}/note"
    request = SimpleNamespace(
        method="POST", path=path, query="", version=(1, 1), headers=[], uri=path
    )
    response = SimpleNamespace(
        status="302 FOUND", status_code=302, response_length=0, sent=0, headers=[]
    )
    environ = {
        "REMOTE_ADDR": "127.0.0.1",
        "RAW_URI": path,
        "PATH_INFO": path,
        "REQUEST_METHOD": "POST",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    logger.access(response, request, environ, timedelta(seconds=0.01))
    for handler in logger.access_log.handlers:
        handler.flush()
    written = (tmp_path / "access.log").read_text()
    assert "/r/[link]/note" in written and setup.token not in written
