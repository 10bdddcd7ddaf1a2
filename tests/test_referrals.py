"""Referrals: made from the directory, confirmed step by step along the state machine."""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from tests.lifecycle import refer
from tests.statements import recorded, tables_read
from webapp.extensions import db
from webapp.forms.cases import local_now
from webapp.models import (
    ALLOWED_TRANSITIONS,
    CLOSED_REFERRAL_STATUSES,
    AuditAction,
    AuditEvent,
    Case,
    ConfirmationMethod,
    Consent,
    ConsentMethod,
    ConsentScope,
    Provider,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
    Role,
    Service,
    User,
)
from webapp.services import clients, referrals
from webapp.timeutil import local_today
from webapp.web.templating import say

S = ReferralStatus


@dataclass(frozen=True)
class Setup:
    sam: User
    case: Case
    service: Service
    retired: Service


@pytest.fixture
def setup(make_program, make_user, make_case) -> Setup:
    program = make_program()
    sam = make_user(Role.OUTREACH_WORKER, [program])
    case = make_case(program, sam, name="Tyrell")
    service = Service(
        name="ID document replacement",
        category="legal",
        provider=Provider(name="Legal Aid Society", phone="555-0163"),
    )
    retired = Service(name="Old service", category="legal", provider=service.provider, active=False)
    db.session.add_all([service, retired])
    db.session.commit()
    return Setup(sam, case, service, retired)


def test_the_referral_form_lists_active_services_by_provider_and_a_week_to_confirm(as_user, setup):
    page = as_user(setup.sam).get(f"/cases/{setup.case.id}/referrals/new").get_data(as_text=True)
    assert '<optgroup label="Legal Aid Society">' in page and "ID document replacement" in page
    assert "Old service" not in page
    assert f'value="{(local_today() + timedelta(days=7)).isoformat()}"' in page


# The client's consent to share with the provider, given in the referral form itself.
SHARE_NOW = {"share_consent": "y", "share_method": "signed"}


def test_making_a_referral_records_it_as_sent(as_user, setup):
    response = as_user(setup.sam).post(
        f"/cases/{setup.case.id}/referrals/new",
        data={
            "service": str(setup.service.id),
            "reason": "Needs ID for job applications.",
            "follow_up_on": (local_today() + timedelta(days=7)).isoformat(),
            **SHARE_NOW,
        },
    )
    assert response.status_code == 302
    referral = db.session.scalar(sa.select(Referral))
    assert (referral.status, referral.reason, referral.follow_up_on) == (
        S.SENT,
        "Needs ID for job applications.",
        local_today() + timedelta(days=7),
    )
    assert [step.status for step in referral.history] == [S.SENT]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"service": ""}, "service"),
        ({"service": "999"}, "service"),
        ({"service": "retired"}, "service"),
        ({"follow_up_on": "2001-01-01"}, "follow_up_on"),
        ({"follow_up_on": ""}, "follow_up_on"),
        ({"reason": "x" * 10_001}, "reason"),
    ],
)
def test_bad_referrals_are_refused_beside_their_field(as_user, setup, data, field):
    body = {
        "service": str(setup.service.id),
        "follow_up_on": (local_today() + timedelta(days=7)).isoformat(),
        **SHARE_NOW,
    }
    body.update({k: (str(setup.retired.id) if v == "retired" else v) for k, v in data.items()})
    response = as_user(setup.sam).post(f"/cases/{setup.case.id}/referrals/new", data=body)
    assert response.status_code == 422
    assert f'id="{field}-error">' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0


def confirm(client, referral, status, **extra):
    data = {
        "status": status,
        "occurred_at": local_now().strftime("%Y-%m-%dT%H:%M"),
        "method": "phone",
        "note": "Called the clinic.",
    }
    data.update(extra)
    return client.post(f"/referrals/{referral.id}", data=data)


def test_confirming_walks_the_referral_to_connected_with_who_when_how(as_user, setup):
    referral = refer(setup.case, setup.service, created_by=setup.sam, today=local_today())
    db.session.commit()
    client = as_user(setup.sam)
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    options = re.findall(
        r'<option[^>]*value="([a-z_]+)"', page.split('id="status"')[1].split("</select>")[0]
    )
    assert options == ["acknowledged", "scheduled", "connected", "declined", "cancelled"]

    in_three_days = (local_today() + timedelta(days=3)).isoformat()
    assert confirm(client, referral, "scheduled", appointment_on=in_three_days).status_code == 302
    response = confirm(client, referral, "connected", method="in_person", note="Went with him.")
    assert response.headers["Location"] == f"/cases/{setup.case.id}"
    referral = db.session.get(Referral, referral.id)
    assert referral.status == S.CONNECTED
    last = referral.history[-1]
    assert (last.status, last.method, last.confirmed_by_id, last.note) == (
        S.CONNECTED,
        ConfirmationMethod.IN_PERSON,
        setup.sam.id,
        "Went with him.",
    )
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert page.index("Connected (client attended)") < page.index(
        "Appointment scheduled"
    )  # newest first


def test_an_impossible_transition_is_refused_with_a_clear_message(as_user, setup):
    referral = refer(setup.case, setup.service, created_by=setup.sam, today=local_today())
    db.session.commit()
    response = confirm(as_user(setup.sam), referral, "completed")
    assert response.status_code == 422
    assert 'id="status-error">' in response.get_data(as_text=True)
    with pytest.raises(referrals.ReferralError, match="cannot become completed"):
        referrals.change_status(
            referral, S.COMPLETED, confirmed_by=setup.sam, method=ConfirmationMethod.CLIENT
        )


def test_an_impossible_transition_is_refused_in_the_workers_language(app, setup):
    """The page offers only the steps a referral may take; another caller of the service (an
    offline form replayed late, say) is told what it may do, in the worker's language."""
    referral = refer(setup.case, setup.service, created_by=setup.sam, today=local_today())
    db.session.commit()
    with pytest.raises(referrals.ReferralError) as refused:
        referrals.change_status(
            referral, S.COMPLETED, confirmed_by=setup.sam, method=ConfirmationMethod.CLIENT
        )
    phrase = refused.value.args[0]
    assert phrase == (
        "A referral that is sent cannot become completed; it can become acknowledged by "
        "provider, appointment scheduled, connected (client attended), declined, or cancelled."
    )
    with app.test_request_context(), force_locale("es"):
        said = say(phrase)
    assert said.startswith("Una derivación en estado «")
    assert "no puede pasar a «completada»; puede pasar a " in said
    assert said.endswith(" o cancelada.")


def test_a_finished_referral_takes_nothing_more(as_user, setup):
    referral = refer(setup.case, setup.service, created_by=setup.sam, today=local_today())
    referrals.change_status(
        referral, S.DECLINED, confirmed_by=setup.sam, method=ConfirmationMethod.CLIENT
    )
    db.session.commit()
    response = confirm(as_user(setup.sam), referral, "connected")
    assert response.status_code == 422
    assert "This referral is finished" in response.get_data(as_text=True)
    assert len(db.session.get(Referral, referral.id).history) == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("occurred_at", "2999-01-01T00:00"),
        ("method", "smoke signals"),
        ("note", "x" * 10_001),
        ("follow_up_on", "2001-01-01"),
    ],
)
def test_bad_confirmations_are_refused(as_user, setup, field, value):
    referral = refer(setup.case, setup.service, created_by=setup.sam, today=local_today())
    db.session.commit()
    response = confirm(as_user(setup.sam), referral, "acknowledged", **{field: value})
    assert response.status_code == 422
    assert f'id="{field}-error">' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReferralStatusChange)) == 1


def test_the_state_machine_only_ends_in_the_final_statuses():
    for status, following in ALLOWED_TRANSITIONS.items():
        # Only an appointment is booked again (moved before its day); nothing else repeats.
        assert (status in following) == (status == S.SCHEDULED)
        if not following:
            assert status in CLOSED_REFERRAL_STATUSES
    reachable, frontier = {S.SENT}, [S.SENT]
    while frontier:
        for nxt in ALLOWED_TRANSITIONS[frontier.pop()]:
            if nxt not in reachable:
                reachable.add(nxt)
                frontier.append(nxt)
    assert reachable == set(S)


def test_referrals_are_only_for_those_who_may_see_the_case(as_user, setup, make_user, make_program):
    referral = refer(setup.case, setup.service, created_by=setup.sam, today=local_today())
    db.session.commit()
    outsider = as_user(make_user(Role.CASE_MANAGER, [make_program("Other")]))
    assert outsider.get(f"/referrals/{referral.id}").status_code == 404
    assert confirm(outsider, referral, "acknowledged").status_code == 404
    assert outsider.get(f"/cases/{setup.case.id}/referrals/new").status_code == 404
    assert as_user(setup.sam).get("/referrals/99999").status_code == 404


def book(client, referral, on, **extra):
    """Confirm "scheduled" with an appointment on `on` (a date or the raw text typed)."""
    return confirm(
        client,
        referral,
        "scheduled",
        appointment_on=on if isinstance(on, str) else on.isoformat(),
        **extra,
    )


def test_scheduling_books_the_appointment_and_the_confirm_by_date_follows_it(as_user, setup):
    setup.service.provider.address = "12 Harbour Street"
    referral = refer(setup.case, setup.service, created_by=setup.sam, today=local_today())
    db.session.commit()
    client = as_user(setup.sam)
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    # The place starts as the directory's address for the provider; the worker may change it.
    assert 'id="appointment_place"' in page and 'value="12 Harbour Street"' in page
    assert 'data-for-status="scheduled"' in page

    on = local_today() + timedelta(days=5)
    response = book(
        client, referral, on, appointment_time="14:30", appointment_place="Room 4, 12 Harbour St"
    )
    assert response.status_code == 302
    referral = db.session.get(Referral, referral.id)
    assert (
        referral.status,
        referral.appointment_on,
        f"{referral.appointment_time:%H:%M}",
        referral.appointment_place,
        referral.follow_up_on,
    ) == (S.SCHEDULED, on, "14:30", "Room 4, 12 Harbour St", on + timedelta(days=1))
    step = referral.history[-1]
    assert (step.appointment_on, step.appointment_place) == (on, "Room 4, 12 Harbour St")
    assert step.note == "Called the clinic."  # the note stays a note

    line = f"{on:%a %-d %b %Y}, 14:30, Room 4, 12 Harbour St"
    assert line in client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert line in client.get(f"/cases/{setup.case.id}").get_data(as_text=True)
    timeline = client.get(f"/clients/{setup.case.client.display_id}").get_data(as_text=True)
    assert f"Appointment: {line}" in timeline


def test_a_rebooking_after_a_no_show_keeps_both_appointments(as_user, setup):
    referral = refer(setup.case, setup.service, created_by=setup.sam, today=local_today())
    db.session.commit()
    client = as_user(setup.sam)
    first, second = local_today(), local_today() + timedelta(days=9)
    assert book(client, referral, first).status_code == 302
    assert confirm(client, referral, "no_show").status_code == 302
    assert book(client, referral, second, appointment_place="Main desk").status_code == 302
    referral = db.session.get(Referral, referral.id)
    assert [step.appointment_on for step in referral.history] == [None, first, None, second]
    assert (referral.appointment_on, referral.appointment_time, referral.follow_up_on) == (
        second,
        None,
        second + timedelta(days=1),
    )
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert f"{first:%a %-d %b %Y}" in page and f"{second:%a %-d %b %Y}, Main desk" in page


def test_a_moved_appointment_is_booked_again_without_a_no_show(as_user, setup):
    """The clinic moved the appointment before its day: "scheduled" again, offered as "moved",
    keeps both appointments in the history and records no no-show (which would count against
    the service and the client in the outcomes report)."""
    referral = refer(setup.case, setup.service, created_by=setup.sam, today=local_today())
    db.session.commit()
    client = as_user(setup.sam)
    first = local_today() + timedelta(days=2)
    moved = local_today() + timedelta(days=6)
    assert book(client, referral, first, appointment_time="09:00").status_code == 302
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert '<option value="scheduled">Appointment moved to another day or time</option>' in page
    assert book(client, referral, moved, appointment_place="Room 2").status_code == 302
    referral = db.session.get(Referral, referral.id)
    assert [step.status for step in referral.history] == [S.SENT, S.SCHEDULED, S.SCHEDULED]
    assert [step.appointment_on for step in referral.history] == [None, first, moved]
    assert (referral.status, referral.appointment_on, referral.appointment_time) == (
        S.SCHEDULED,
        moved,
        None,
    )
    assert (referral.appointment_place, referral.follow_up_on) == (
        "Room 2",
        moved + timedelta(days=1),
    )
    # The provider's link may move it too.
    from webapp.models import ProviderAnswer
    from webapp.queries.provider_links import answers_open_to

    assert ProviderAnswer.SCHEDULE in answers_open_to(referral)
    # A new appointment still needs its day.
    assert book(client, referral, "").status_code == 422
    assert len(db.session.get(Referral, referral.id).history) == 3


def test_other_steps_take_no_appointment_even_if_its_fields_were_filled(as_user, setup):
    referral = refer(setup.case, setup.service, created_by=setup.sam, today=local_today())
    db.session.commit()
    # The fields were filled, then another step chosen: hidden, they must neither block nor save.
    response = confirm(
        as_user(setup.sam),
        referral,
        "acknowledged",
        appointment_on="not a date",
        appointment_time="99:99",
        appointment_place="Somewhere",
    )
    assert response.status_code == 302
    referral = db.session.get(Referral, referral.id)
    assert (referral.status, referral.appointment_on, referral.appointment_place) == (
        S.ACKNOWLEDGED,
        None,
        "",
    )
    with pytest.raises(referrals.ReferralError, match="appointment needs its date"):
        referrals.change_status(
            referral, S.SCHEDULED, confirmed_by=setup.sam, method=ConfirmationMethod.CLIENT
        )


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"appointment_on": ""}, "appointment_on"),
        ({"appointment_on": "next tuesday"}, "appointment_on"),
        ({"appointment_on": "2001-01-01"}, "appointment_on"),
        ({"appointment_on": "far ahead"}, "appointment_on"),
        ({"appointment_on": "before booking"}, "appointment_on"),
        ({"appointment_time": "25:99"}, "appointment_time"),
        ({"appointment_place": "x" * 501}, "appointment_place"),
    ],
)
def test_a_bad_appointment_is_refused_beside_its_field_and_kept(as_user, setup, extra, field):
    referral = refer(setup.case, setup.service, created_by=setup.sam, today=local_today())
    db.session.commit()
    booked = local_now() - timedelta(days=3)
    named = {
        "far ahead": (local_today() + timedelta(days=400)).isoformat(),
        "before booking": (booked.date() - timedelta(days=1)).isoformat(),
    }
    data = {
        "appointment_on": (local_today() + timedelta(days=2)).isoformat(),
        "occurred_at": booked.strftime("%Y-%m-%dT%H:%M"),
        "appointment_place": "Front desk",
    }
    data.update({key: named.get(value, value) for key, value in extra.items()})
    response = confirm(as_user(setup.sam), referral, "scheduled", **data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error">' in page
    assert re.search(r'<option selected value="scheduled"|value="scheduled" selected', page)  # kept
    if data["appointment_place"] == "Front desk":
        assert 'value="Front desk"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReferralStatusChange)) == 1


def test_only_those_who_see_the_case_may_book_its_appointment(
    as_user, setup, make_user, make_program
):
    referral = refer(setup.case, setup.service, created_by=setup.sam, today=local_today())
    db.session.commit()
    outsider = as_user(make_user(Role.CASE_MANAGER, [make_program("Other")]))
    assert book(outsider, referral, local_today()).status_code == 404
    assert db.session.get(Referral, referral.id).appointment_on is None


@pytest.fixture
def admin(as_user, make_user):
    return as_user(make_user(Role.ADMIN))


def test_admins_build_the_directory(admin):
    response = admin.post(
        "/admin/providers/new",
        data={
            "name": "Eastside Food Bank",
            "phone": "555-0140",
            "website": "https://eastside.example",
            "active": "y",
        },
    )
    assert response.status_code == 302
    provider = db.session.scalar(sa.select(Provider))
    response = admin.post(
        f"/admin/providers/{provider.id}/services/new",
        data={
            "name": "Weekly pantry",
            "category": "food",
            "eligibility": "Anyone; no ID needed.",
            "hours": "Tue and Thu 10:00–14:00",
            "what_to_bring": "A bag.",
            "active": "y",
        },
    )
    assert response.status_code == 302
    service = db.session.scalar(sa.select(Service))
    # What the client's referral slip prints.
    assert (service.hours, service.what_to_bring) == ("Tue and Thu 10:00–14:00", "A bag.")
    long_hours = {"name": "Weekly pantry", "category": "food", "hours": "x" * 501}
    refused = admin.post(f"/admin/services/{service.id}", data=long_hours)
    assert refused.status_code == 422 and 'id="hours-error">' in refused.get_data(as_text=True)
    admin.post(f"/admin/services/{service.id}", data={"name": "Weekly pantry", "category": "food"})
    assert db.session.get(Service, service.id).active is False
    page = admin.get("/admin/providers").get_data(as_text=True)
    assert "Eastside Food Bank" in page and "Not taking referrals" in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"website": "javascript:alert(1)"}, "website"),
    ],
)
def test_directory_input_is_checked(admin, data, field):
    response = admin.post("/admin/providers/new", data={"name": "Clinic", **data})
    assert response.status_code == 422
    assert f'id="{field}-error">' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Provider)) == 0


def test_the_directory_admin_is_for_admins_only(as_user, make_user):
    assert as_user(make_user(Role.SUPERVISOR)).get("/admin/providers").status_code == 403


def test_nothing_is_chosen_for_the_worker(as_user, setup):
    """Issue 18, item 6: the first service and "acknowledged" were pre-selected, and a wrong
    referral was sent that way."""
    client = as_user(setup.sam)
    page = client.get(f"/cases/{setup.case.id}/referrals/new").get_data(as_text=True)
    field = page[page.index('id="service"') : page.index("</select>", page.index('id="service"'))]
    # The placeholder comes first and nothing is marked chosen: the browser shows the placeholder.
    assert re.search(r"required><option value=\"0\">Choose a service…</option>", field)
    assert "selected" not in field
    refused = client.post(
        f"/cases/{setup.case.id}/referrals/new",
        data={"service": "0", "follow_up_on": (local_today() + timedelta(days=7)).isoformat()},
    )
    assert refused.status_code == 422
    assert 'id="service-error">Choose a service from the directory.' in refused.get_data(
        as_text=True
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0

    referral = refer(setup.case, setup.service, created_by=setup.sam, today=local_today())
    db.session.commit()
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    status = page[page.index('id="status"') : page.index("</select>", page.index('id="status"'))]
    assert "Choose what happened…" in status and status.count("selected") <= 1
    assert (
        'selected value="acknowledged"' not in status
        and 'value="acknowledged" selected' not in status
    )
    refused = confirm(client, referral, "")
    assert refused.status_code == 422 and "Choose what happened." in refused.get_data(as_text=True)


def post_referral(client, setup, **extra):
    return client.post(
        f"/cases/{setup.case.id}/referrals/new",
        data={
            "service": str(setup.service.id),
            "reason": "Needs ID.",
            "follow_up_on": (local_today() + timedelta(days=7)).isoformat(),
            **extra,
        },
    )


def test_no_referral_without_the_clients_consent_to_share_with_the_provider(as_user, setup):
    """Issue 17, item 2."""
    response = post_referral(as_user(setup.sam), setup)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = page.split('id="share_consent-error">')[1].split("</p>")[0]
    assert "No consent in force lets us share with Legal Aid Society" in error
    assert "Needs ID." in page  # what was typed is kept
    response = post_referral(as_user(setup.sam), setup, share_consent="y", share_method="verbal")
    assert response.status_code == 422
    assert 'id="share_witness-error">' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consent)) == 0


def test_consent_given_in_the_form_is_recorded_and_shown_with_the_referral(as_user, setup):
    response = post_referral(
        as_user(setup.sam), setup, share_consent="y", share_method="verbal", share_witness="Ngozi"
    )
    assert response.status_code == 302
    referral = db.session.scalar(sa.select(Referral))
    consent = referral.consent
    assert (consent.scope, consent.provider_id, consent.case_id, consent.witness) == (
        ConsentScope.SHARING,
        setup.service.provider_id,
        setup.case.id,
        "Ngozi",
    )
    assert consent.expires_on == local_today() + timedelta(days=365)
    page = as_user(setup.sam).get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "Shared with consent" in page and "witnessed by Ngozi" in page
    # The next referral to the same provider relies on it: nothing to tick.
    assert post_referral(as_user(setup.sam), setup).status_code == 302
    second = db.session.scalars(sa.select(Referral).order_by(Referral.id)).all()[1]
    assert second.consent_id == consent.id
    form = as_user(setup.sam).get(f"/cases/{setup.case.id}/referrals/new").get_data(as_text=True)
    assert "In force for Legal Aid Society" in form


@pytest.mark.parametrize("state", ["revoked", "expired", "another provider"])
def test_a_consent_that_does_not_allow_it_today_is_not_enough(as_user, setup, state):
    provider = setup.service.provider
    if state == "another provider":
        provider = Provider(name="Somewhere Else")
        db.session.add(provider)
    consent = clients.record_consent(
        setup.case.client,
        scope=ConsentScope.SHARING,
        method=ConsentMethod.SIGNED,
        recorded_by=setup.sam,
        provider=provider,
        expires_on=local_today() + timedelta(days=(-1 if state == "expired" else 30)),
        case=setup.case,
    )
    if state == "revoked":
        clients.revoke_consent(consent, revoked_by=setup.sam, reason="She asked us to stop.")
    db.session.commit()
    assert post_referral(as_user(setup.sam), setup).status_code == 422
    with pytest.raises(referrals.ReferralError):
        referrals.make_referral(
            setup.case, setup.service, created_by=setup.sam, today=local_today(), consent=consent
        )


def test_a_referral_page_is_two_view_events_written_once_and_does_not_grow_with_its_history(
    as_user, setup
):
    """The referral, its case, client, program and provider load in one statement with the
    visibility rule; the two views (the referral, its case) go in one write; nothing is loaded
    twice (a commit no longer expires what the page had read)."""
    referral = refer(setup.case, setup.service, created_by=setup.sam, today=local_today())
    db.session.commit()
    client, url = as_user(setup.sam), f"/referrals/{referral.id}"

    def statements():
        before = db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
        with recorded() as seen:
            assert client.get(url).status_code == 200
        events = db.session.execute(
            sa.select(AuditEvent.action, AuditEvent.record_type, AuditEvent.record_id)
            .where(AuditEvent.id > before)
            .order_by(AuditEvent.id)
        ).all()
        assert [tuple(event) for event in events] == [
            (AuditAction.VIEW, "case", str(setup.case.id)),
            (AuditAction.VIEW, "referral", str(referral.id)),
        ]
        # Read once, together: the referral with its case, client, program, service and
        # provider is one statement (led by the case's columns); the signed-in user once.
        read = tables_read(seen)
        assert (read["cases"], read["referrals"], read["services"], read["users"]) == (1, 0, 0, 1)
        return len(seen)

    few = statements()
    assert confirm(client, referral, "acknowledged").status_code == 302
    in_three_days = (local_today() + timedelta(days=3)).isoformat()
    assert confirm(client, referral, "scheduled", appointment_on=in_three_days).status_code == 302
    assert statements() == few


def test_a_referral_of_a_case_out_of_sight_is_404_and_one_denial(as_user, setup, make_user):
    referral = refer(setup.case, setup.service, created_by=setup.sam, today=local_today())
    db.session.commit()
    outsider = make_user(Role.OUTREACH_WORKER, [])
    assert as_user(outsider).get(f"/referrals/{referral.id}").status_code == 404
    events = db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.record_type, AuditEvent.record_id).where(
            AuditEvent.user_id == outsider.id,
            AuditEvent.action.in_([AuditAction.VIEW, AuditAction.ACCESS_DENIED]),
        )
    ).all()
    assert [tuple(event) for event in events] == [
        (AuditAction.ACCESS_DENIED, "case", str(setup.case.id))
    ]
