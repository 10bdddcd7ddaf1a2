"""Consent and release of information on the client page (issue 17, item 1): recorded per purpose,
with how it was given, a term, and revocation with a reason; every change audited."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    AuditAction,
    AuditEvent,
    Case,
    Consent,
    ConsentMethod,
    ConsentScope,
    Program,
    Provider,
    Role,
    User,
)
from webapp.services import case_changes, cases, clients
from webapp.timeutil import local_today


@dataclass(frozen=True)
class Setup:
    program: Program
    other: Program
    sam: User
    case: Case
    provider: Provider

    @property
    def url(self) -> str:
        return f"/clients/{self.case.client.display_id}/consents"


@pytest.fixture
def setup(make_program, make_user, make_case) -> Setup:
    program, other = make_program("Street Outreach"), make_program("Housing First")
    sam = make_user(Role.OUTREACH_WORKER, [program])
    case = make_case(program, sam, name="Brian")
    provider = Provider(name="Harbor Light Shelter")
    db.session.add(provider)
    db.session.commit()
    return Setup(program, other, sam, case, provider)


def form(setup: Setup, **changes) -> dict:
    today = local_today()
    data = {
        "scope": "sharing",
        "provider": str(setup.provider.id),
        "method": "verbal",
        "witness": "Ngozi Eze",
        "given_on": today.isoformat(),
        "expires_on": (today + timedelta(days=365)).isoformat(),
        "case": str(setup.case.id),
        "note": "Not her health history.",
    }
    data.update(changes)
    return data


def consents_of(setup: Setup) -> list[Consent]:
    return db.session.scalars(
        sa.select(Consent)
        .where(Consent.client_id == setup.case.client_id, Consent.scope != "data_collection")
        .order_by(Consent.id)
    ).all()


def test_a_worker_records_a_release_to_a_named_provider(as_user, setup):
    response = as_user(setup.sam).post(setup.url, data=form(setup))
    assert response.status_code == 302
    (consent,) = consents_of(setup)
    assert (consent.scope, consent.provider_id, consent.method, consent.witness) == (
        ConsentScope.SHARING,
        setup.provider.id,
        ConsentMethod.VERBAL,
        "Ngozi Eze",
    )
    assert consent.case_id == setup.case.id
    assert consent.expires_on == local_today() + timedelta(days=365)
    page = as_user(setup.sam).get(setup.url).get_data(as_text=True)
    in_force = page.split('id="current-heading"')[1].split('id="record-heading"')[0]
    assert "Harbor Light Shelter" in in_force and "witnessed by Ngozi Eze" in in_force
    assert "Not her health history." in in_force
    created = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == AuditAction.CREATE, AuditEvent.record_type == "consent"
        )
    )
    assert created.record_id == str(consent.id) and created.user_id == setup.sam.id
    client_page = as_user(setup.sam).get(f"/clients/{setup.case.client.display_id}")
    assert "Share with a named provider: Harbor Light Shelter" in client_page.get_data(as_text=True)


def test_the_form_opens_with_today_and_a_year_in_the_workers_one_open_case(as_user, setup):
    page = as_user(setup.sam).get(setup.url).get_data(as_text=True)
    assert f'<input type="hidden" name="case" value="{setup.case.id}">' in page
    assert f'value="{local_today().isoformat()}"' in page
    assert f'value="{(local_today() + timedelta(days=365)).isoformat()}"' in page


def test_sharing_within_the_agency_names_programs_or_all(as_user, setup):
    agency = form(setup, scope="agency_sharing", provider="")
    response = as_user(setup.sam).post(setup.url, data=agency)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="programs-error"' in page and "Tick every program" in page
    assert "Not her health history." in page  # the rest is kept

    response = as_user(setup.sam).post(setup.url, data={**agency, "programs": [setup.other.id]})
    assert response.status_code == 302
    response = as_user(setup.sam).post(setup.url, data={**agency, "all_programs": "y"})
    assert response.status_code == 302
    named, every = consents_of(setup)
    assert [program.name for program in named.programs] == ["Housing First"]
    assert every.all_programs and every.programs == [] and every.provider_id is None
    page = as_user(setup.sam).get(setup.url).get_data(as_text=True)
    assert "Share within the agency: Housing First" in page
    assert "Share within the agency: every program" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"witness": ""}, "witness", "names who else heard it"),
        ({"provider": ""}, "provider", "Choose the provider"),
        ({"provider": "abc"}, "provider", "from the list"),
        ({"provider": "99999"}, "provider", "from the list"),
        ({"scope": ""}, "scope", "Choose what the client agrees to"),
        ({"scope": "everything"}, "scope", "Not a valid choice"),
        ({"method": "self_intake"}, "method", "Not a valid choice"),
        ({"expires_on": "2020-01-01"}, "expires_on", "After the day it was given"),
        ({"expires_on": "2099-01-01"}, "expires_on", "At most three years"),
        ({"expires_on": "not a date"}, "expires_on", "Not a valid date"),
        ({"given_on": "2999-01-01"}, "given_on", "Not a day in the future"),
        ({"case": "99999"}, "case", "open cases"),
        ({"note": "x" * 20_001}, "note", "At most"),
    ],
)
def test_a_mistake_is_shown_beside_its_field_and_nothing_is_saved(
    as_user, setup, changes, field, message
):
    response = as_user(setup.sam).post(setup.url, data=form(setup, **changes))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = page.split(f'id="{field}-error">')[1].split("</p>")[0]
    assert message in error, error
    assert consents_of(setup) == []
    if field != "witness":
        assert 'value="Ngozi Eze"' in page


def test_revoking_needs_a_reason_then_stops_the_consent_and_keeps_its_history(as_user, setup):
    as_user(setup.sam).post(setup.url, data=form(setup))
    (consent,) = consents_of(setup)
    revoke = f"{setup.url}/{consent.id}/revoke"

    response = as_user(setup.sam).post(revoke, data={f"revoke-{consent.id}-reason": " "})
    assert response.status_code == 422
    assert f'id="revoke-{consent.id}-reason-error"' in response.get_data(as_text=True)
    db.session.refresh(consent)
    assert consent.is_in_force(local_today())

    reason = "She asked us to stop talking to the shelter."
    response = as_user(setup.sam).post(revoke, data={f"revoke-{consent.id}-reason": reason})
    assert response.status_code == 302
    db.session.refresh(consent)
    assert not consent.is_in_force(local_today()) and consent.revoked_by_id == setup.sam.id
    page = as_user(setup.sam).get(setup.url).get_data(as_text=True)
    past = page.split('id="past-heading"')[1]
    assert "Harbor Light Shelter" in past and reason in past and "Revoked" in past
    timeline = as_user(setup.sam).get(f"/clients/{setup.case.client.display_id}")
    text = timeline.get_data(as_text=True)
    assert "Consent revoked: Share with a named provider" in text
    assert "Consent: Share with a named provider" in text  # given, still recorded
    updated = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == AuditAction.UPDATE, AuditEvent.record_type == "consent"
        )
    )
    assert updated.record_id == str(consent.id)

    # A second tap changes nothing and says so.
    again = as_user(setup.sam).post(
        revoke, data={f"revoke-{consent.id}-reason": "twice"}, follow_redirects=True
    )
    assert "Consent already revoked" in again.get_data(as_text=True)
    db.session.refresh(consent)
    assert consent.revocation_note == reason
    updates = sa.select(sa.func.count()).where(
        AuditEvent.action == AuditAction.UPDATE, AuditEvent.record_type == "consent"
    )
    assert db.session.scalar(updates) == 1


def test_consents_running_out_are_listed_first_and_run_out_by_the_clock(as_user, setup):
    today = local_today()
    soon = clients.record_consent(
        setup.case.client,
        scope=ConsentScope.CONTACT_TEXT,
        method=ConsentMethod.SIGNED,
        recorded_by=setup.sam,
        expires_on=today + timedelta(days=10),
        case=setup.case,
    )
    gone = clients.record_consent(
        setup.case.client,
        scope=ConsentScope.CONTACT_PHONE,
        method=ConsentMethod.SIGNED,
        recorded_by=setup.sam,
        expires_on=today - timedelta(days=1),
        case=setup.case,
    )
    db.session.commit()
    page = as_user(setup.sam).get(setup.url).get_data(as_text=True)
    expiring = page.split('id="expiring-heading"')[1].split('id="current-heading"')[0]
    past = page.split('id="past-heading"')[1]
    assert soon.scope.label in expiring and "Runs out" in expiring
    assert gone.scope.label in past and "Ran out" in past
    assert gone.scope.label not in expiring


def test_someone_who_cannot_see_the_client_gets_nothing(as_user, setup, make_user):
    stranger = make_user(Role.CASE_MANAGER, [setup.other])
    assert as_user(stranger).get(setup.url).status_code == 404
    assert as_user(stranger).post(setup.url, data=form(setup)).status_code == 404
    assert consents_of(setup) == []


def test_a_consent_in_a_restricted_case_stays_with_that_case(as_user, setup, make_user):
    colleague = make_user(Role.OUTREACH_WORKER, [setup.program])
    their_case = cases.open_case(
        setup.case.client, setup.program, created_by=colleague, primary_worker=colleague
    )
    db.session.commit()
    as_user(setup.sam).post(setup.url, data=form(setup))
    (consent,) = consents_of(setup)
    case_changes.set_restricted(setup.case, True, user=setup.sam, reason="Fleeing violence.")
    db.session.commit()
    page = as_user(colleague).get(setup.url).get_data(as_text=True)
    listed = page.split('id="record-heading"')[0] + page.split('id="past-heading"')[1]
    assert "Harbor Light Shelter" not in listed and "badge--ok" not in listed
    revoke = f"{setup.url}/{consent.id}/revoke"
    assert (
        as_user(colleague).post(revoke, data={f"revoke-{consent.id}-reason": "x"}).status_code
        == 404
    )
    # The colleague records consents in the case they can see, not in the restricted one.
    response = as_user(colleague).post(setup.url, data=form(setup, case=str(setup.case.id)))
    assert response.status_code == 422
    response = as_user(colleague).post(setup.url, data=form(setup, case=str(their_case.id)))
    assert response.status_code == 302


def test_without_an_open_case_there_is_nowhere_to_record_it(as_user, setup, make_user):
    admin = make_user(Role.ADMIN, [])
    setup.case.closed_at = setup.case.opened_at + timedelta(days=1)
    db.session.commit()
    page = as_user(setup.sam).get(setup.url)
    assert page.status_code == 200 and "there is none" in page.get_data(as_text=True)
    assert as_user(setup.sam).post(setup.url, data=form(setup)).status_code == 403
    assert as_user(admin).post(setup.url, data=form(setup)).status_code == 403
    assert consents_of(setup) == []


def test_today_warns_of_a_consent_running_out_until_it_is_renewed(as_user, setup, make_user):
    today = local_today()
    soon = clients.record_consent(
        setup.case.client,
        scope=ConsentScope.SHARING,
        method=ConsentMethod.SIGNED,
        recorded_by=setup.sam,
        provider=setup.provider,
        expires_on=today + timedelta(days=10),
        case=setup.case,
    )
    clients.record_consent(  # a month away: not yet
        setup.case.client,
        scope=ConsentScope.CONTACT_TEXT,
        method=ConsentMethod.SIGNED,
        recorded_by=setup.sam,
        expires_on=today + timedelta(days=30),
        case=setup.case,
    )
    db.session.commit()
    page = as_user(setup.sam).get("/").get_data(as_text=True)
    assert f"Consent runs out {soon.expires_on:%-d %b}: Share with a named provider: Harbor" in page
    assert "Be contacted by text message" not in page
    # Nobody else's Today: a colleague in the program does not hold the case.
    colleague = make_user(Role.OUTREACH_WORKER, [setup.program])
    assert "Consent runs out" not in as_user(colleague).get("/").get_data(as_text=True)

    # Renewed with the client: the warning goes.
    as_user(setup.sam).post(setup.url, data=form(setup))
    assert "Consent runs out" not in as_user(setup.sam).get("/").get_data(as_text=True)


def test_a_revoked_consent_is_not_a_reminder(as_user, setup):
    soon = clients.record_consent(
        setup.case.client,
        scope=ConsentScope.SHARING,
        method=ConsentMethod.SIGNED,
        recorded_by=setup.sam,
        provider=setup.provider,
        expires_on=local_today() + timedelta(days=3),
        case=setup.case,
    )
    clients.revoke_consent(soon, revoked_by=setup.sam, reason="Asked us to stop.")
    db.session.commit()
    assert "Consent runs out" not in as_user(setup.sam).get("/").get_data(as_text=True)
