"""The service functions behind intake, contacts, referrals and consents."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.lifecycle import refer
from webapp import client_ids
from webapp.extensions import db
from webapp.models import (
    AuditAction,
    AuditEvent,
    ConfirmationMethod,
    ConsentMethod,
    ConsentScope,
    ContactType,
    Provider,
    ReferralStatus,
    RiskLevel,
    Role,
    Service,
    utcnow,
)
from webapp.services import cases, clients, intake, referrals
from webapp.text import fold, phone_digits
from webapp.timeutil import local_today


def test_fold_ignores_case_accents_and_spacing():
    assert fold("  José   NÚÑEZ ") == "jose nunez"
    assert fold("Søren") == "søren"  # ø is a letter of its own, not an accented o
    assert fold("Nguyễn Thị Mai") == "nguyen thi mai"


def test_phone_digits_keeps_only_digits():
    assert phone_digits("(555) 201-4432") == "5552014432"
    assert phone_digits("no phone") is None


def test_a_new_client_gets_a_valid_persistent_id_and_search_key(app, make_user):
    worker = make_user()
    client = clients.create_client(
        clients.ClientDetails(
            preferred_name=" José\u0000 ", legal_name="José Antonio Núñez", aliases=["Pepe", " "]
        ),
        created_by=worker,
    )
    assert client_ids.is_valid(client.persistent_id)
    assert client.preferred_name == "José"
    assert [alias.name for alias in client.aliases] == ["Pepe"]
    assert client.name_key == "jose | jose antonio nunez | pepe"
    assert (
        db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.record_type == "client"))
        == AuditAction.CREATE
    )


def test_a_client_needs_a_name_or_alias(app):
    with pytest.raises(clients.ClientError):
        clients.create_client(clients.ClientDetails(preferred_name="   "), created_by=None)


def test_an_id_assigned_offline_is_kept_and_must_be_unused(app):
    offline_id = client_ids.generate()
    client = clients.create_client(
        clients.ClientDetails(preferred_name="Dee"),
        created_by=None,
        persistent_id=client_ids.display(offline_id).lower(),
    )
    assert client.persistent_id == offline_id
    with pytest.raises(clients.ClientError, match="already in use"):
        clients.create_client(
            clients.ClientDetails(preferred_name="Other"), created_by=None, persistent_id=offline_id
        )


@pytest.mark.parametrize("phone_made", ["taken", "unreadable"])
def test_an_intake_whose_phone_made_id_cannot_be_used_gets_a_new_one_and_says_so(
    app, make_program, make_user, make_case, phone_made
):
    program = make_program("Street")
    worker = make_user(Role.OUTREACH_WORKER, [program])
    phone_made_id = {
        "taken": make_case(program, worker, name="Brian").client.display_id,
        "unreadable": "ABCD-EFGH-!",
    }[phone_made]
    taken = intake.take_intake(
        worker=worker,
        program=program,
        intake=cases.IntakeDetails(),
        consent_method=ConsentMethod.VERBAL,
        next_follow_up_on=None,
        new_client=clients.ClientDetails(preferred_name="Dee"),
        phone_made_id=phone_made_id,
    )
    issued = taken.case.client.display_id
    assert client_ids.is_valid(issued) and issued != phone_made_id
    assert taken.client_id_reissue == clients.ClientIdReissue(
        phone_made=phone_made_id, issued=issued
    )


def test_an_intake_keeps_a_free_phone_made_id_and_reissues_nothing(app, make_program, make_user):
    program = make_program("Street")
    worker = make_user(Role.OUTREACH_WORKER, [program])
    phone_made_id = client_ids.display(client_ids.generate())
    taken = intake.take_intake(
        worker=worker,
        program=program,
        intake=cases.IntakeDetails(),
        consent_method=ConsentMethod.VERBAL,
        next_follow_up_on=None,
        new_client=clients.ClientDetails(preferred_name="Dee"),
        phone_made_id=phone_made_id,
    )
    assert taken.case.client.display_id == phone_made_id
    assert taken.client_id_reissue is None


def test_sharing_consent_names_a_provider(app):
    client = clients.create_client(clients.ClientDetails(preferred_name="Kateri"), created_by=None)
    with pytest.raises(clients.ClientError):
        clients.record_consent(
            client, scope=ConsentScope.SHARING, method=ConsentMethod.SIGNED, recorded_by=None
        )
    consent = clients.record_consent(
        client,
        scope=ConsentScope.DATA_COLLECTION,
        method=ConsentMethod.VERBAL,
        recorded_by=None,
        expires_on=local_today() + timedelta(days=365),
    )
    assert consent.is_in_force(local_today())
    assert not consent.is_in_force(local_today() + timedelta(days=400))


def test_a_safety_concern_at_intake_makes_the_case_urgent(app, make_program):
    client = clients.create_client(clients.ClientDetails(preferred_name="Dee"), created_by=None)
    case = cases.open_case(
        client,
        make_program(),
        created_by=None,
        intake=cases.IntakeDetails(safety_concern=True, safety_details="Threatened last night"),
    )
    assert case.risk_level == RiskLevel.URGENT
    assert case.intake.safety_details == "Threatened last night"


def test_cases_take_the_programs_model_and_a_closed_program_takes_no_cases(app, make_program):
    program = make_program()
    client = clients.create_client(clients.ClientDetails(preferred_name="Dee"), created_by=None)
    assert cases.open_case(client, program, created_by=None).model == program.model
    program.active = False
    with pytest.raises(cases.CaseError):
        cases.open_case(client, program, created_by=None)


def test_a_contact_moves_the_cases_last_contact_and_next_follow_up(
    app, make_program, make_case, make_user
):
    worker = make_user()
    case = make_case(make_program(), worker, follow_up_in_days=0)
    when = utcnow() - timedelta(minutes=5)
    next_week = local_today() + timedelta(days=7)
    cases.log_contact(
        case,
        recorded_by=worker,
        occurred_at=when,
        contact_type=ContactType.PHONE,
        next_follow_up_on=next_week,
    )
    assert (case.last_contact_at, case.next_follow_up_on) == (when, next_week)
    # An older contact entered late does not move the case's dates back.
    cases.log_contact(
        case,
        recorded_by=worker,
        occurred_at=when - timedelta(days=3),
        contact_type=ContactType.TEXT,
    )
    assert (case.last_contact_at, case.next_follow_up_on) == (when, next_week)
    # A newer one without a follow-up date keeps what is planned (next week is not due yet)...
    cases.log_contact(
        case, recorded_by=worker, occurred_at=utcnow(), contact_type=ContactType.OFFICE
    )
    assert case.next_follow_up_on == next_week
    # ...and clearing it is a choice the worker makes.
    cases.log_contact(
        case,
        recorded_by=worker,
        occurred_at=utcnow(),
        contact_type=ContactType.OFFICE,
        clear_follow_up=True,
    )
    assert case.next_follow_up_on is None


def test_contacts_cannot_be_in_the_future_or_on_closed_cases(app, make_program, make_case):
    case = make_case(make_program())
    with pytest.raises(cases.CaseError, match="future"):
        cases.log_contact(
            case,
            recorded_by=None,
            occurred_at=utcnow() + timedelta(hours=1),
            contact_type=ContactType.PHONE,
        )
    case.closed_at = utcnow()
    with pytest.raises(cases.CaseError, match="closed"):
        cases.log_contact(
            case, recorded_by=None, occurred_at=utcnow(), contact_type=ContactType.PHONE
        )


def test_a_referral_asks_for_confirmation_after_a_week_and_keeps_its_history(
    app, make_program, make_case, make_user
):
    worker = make_user()
    case = make_case(make_program(), worker)
    service = Service(name="Food pantry", provider=Provider(name="Eastside Food Bank"))
    db.session.add(service)
    referral = refer(case, service, created_by=worker, today=local_today())
    assert referral.follow_up_on == local_today() + timedelta(days=7)
    referrals.change_status(
        referral,
        ReferralStatus.CONNECTED,
        confirmed_by=worker,
        method=ConfirmationMethod.PROVIDER,
        note="Attended Tuesday.",
    )
    db.session.commit()
    db.session.expire_all()
    assert [step.status for step in referral.history] == [
        ReferralStatus.SENT,
        ReferralStatus.CONNECTED,
    ]
    assert referral.history[1].confirmed_by_id == worker.id
    assert referral.status == ReferralStatus.CONNECTED and referral.is_open
    referrals.change_status(
        referral, ReferralStatus.COMPLETED, confirmed_by=worker, method=ConfirmationMethod.CLIENT
    )
    assert not referral.is_open


def test_a_referral_needs_an_open_case_and_an_offered_service(app, make_program, make_case):
    case = make_case(make_program())
    service = Service(name="Closed service", provider=Provider(name="Gone"), active=False)
    db.session.add(service)
    with pytest.raises(referrals.ReferralError):
        refer(case, service, created_by=None, today=local_today())
