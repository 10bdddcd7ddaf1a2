"""Internal referral between programs (issue 17, item 4): it needs the client's consent to share
within the agency naming the program (or given in the form), carries a snapshot of what that
consent allows, and the receiving program accepts (a case on the same client, intake and consent
carried over) or declines with a reason; both sides see the status; Today nags the referring
worker until it is decided; a restricted case travels only by its worker's explicit choice."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.lifecycle import assess
from webapp.extensions import db
from webapp.models import (
    AuditAction,
    AuditEvent,
    Case,
    Consent,
    ConsentMethod,
    ConsentScope,
    InternalReferral,
    InternalReferralStatus,
    LifeDomain,
    Program,
    ReferralRequest,
    ReminderKind,
    Role,
    User,
    utcnow,
)
from webapp.queries.today import due_items
from webapp.services import agency, case_changes, cases, clients
from webapp.timeutil import local_today


@dataclass(frozen=True)
class Setup:
    outreach: Program
    housing: Program
    ngozi: User  # Street Outreach worker holding the case
    lead: User  # Ngozi's supervisor
    hana: User  # Housing First case manager
    colleague: User  # another Housing First worker
    case: Case

    @property
    def url(self) -> str:
        return f"/cases/{self.case.id}/referrals/internal"


@pytest.fixture
def setup(make_program, make_user) -> Setup:
    outreach, housing = make_program("Street Outreach"), make_program("Housing First")
    lead = make_user(Role.SUPERVISOR, [outreach], name="Lee Lead")
    ngozi = make_user(Role.OUTREACH_WORKER, [outreach], supervisor=lead, name="Ngozi Eze")
    hana = make_user(Role.CASE_MANAGER, [housing], name="Hana Park")
    colleague = make_user(Role.OUTREACH_WORKER, [housing])
    client = clients.create_client(
        clients.ClientDetails(
            preferred_name="Maria", legal_name="Maria Lopez", contact_notes="Behind the library"
        ),
        created_by=ngozi,
    )
    case = cases.open_case(
        client,
        outreach,
        created_by=ngozi,
        primary_worker=ngozi,
        intake=cases.IntakeDetails(
            presenting_circumstances="Sleeping rough since March",
            client_priorities="A room of her own",
            strengths="Her sister visits weekly",
        ),
    )
    clients.record_consent(
        client,
        scope=ConsentScope.DATA_COLLECTION,
        method=ConsentMethod.SIGNED,
        recorded_by=ngozi,
        case=case,
    )
    db.session.commit()
    assess(case, ngozi, scores={LifeDomain.HOUSING: 1, LifeDomain.INCOME: 3})
    return Setup(outreach, housing, ngozi, lead, hana, colleague, case)


def sharing(setup: Setup, *, programs=None, all_programs=False) -> Consent:
    consent = clients.record_consent(
        setup.case.client,
        scope=ConsentScope.AGENCY_SHARING,
        method=ConsentMethod.VERBAL,
        witness="Lee Lead",
        recorded_by=setup.ngozi,
        programs=programs if programs is not None else [setup.housing],
        all_programs=all_programs,
        expires_on=local_today() + timedelta(days=365),
        case=setup.case,
    )
    db.session.commit()
    return consent


def form(setup: Setup, **changes) -> dict:
    return {
        "internal-program": str(setup.housing.id),
        "internal-reason": "Ready for a Housing First flat",
        **changes,
    }


def sent(setup: Setup) -> list[InternalReferral]:
    return list(db.session.scalars(sa.select(InternalReferral)))


def test_the_referral_page_offers_the_agencys_other_programs(as_user, setup, make_program):
    make_program("Old Program", active=False)
    body = as_user(setup.ngozi).get(f"/cases/{setup.case.id}/referrals/new").get_data(as_text=True)
    assert "Refer to another program of the agency" in body
    assert "Housing First" in body and "Old Program" not in body
    assert f'<option value="{setup.outreach.id}"' not in body  # not its own program


def test_without_consent_nothing_is_sent_and_the_form_says_why(as_user, setup):
    response = as_user(setup.ngozi).post(setup.url, data=form(setup))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "No consent in force lets us share with Housing First" in body
    assert "Ready for a Housing First flat" in body  # what was typed is kept
    assert sent(setup) == []


def test_consent_given_in_the_form_is_recorded_and_the_referral_sent(as_user, setup):
    response = as_user(setup.ngozi).post(
        setup.url,
        data=form(
            setup,
            **{
                "internal-share_consent": "y",
                "internal-share_method": "verbal",
                "internal-share_witness": "Lee Lead",
            },
        ),
    )
    assert response.status_code == 302
    [referral] = sent(setup)
    consent = referral.consent
    assert consent.scope == ConsentScope.AGENCY_SHARING
    assert [p.id for p in consent.programs] == [setup.housing.id]
    assert consent.witness == "Lee Lead" and consent.case_id == setup.case.id
    assert referral.status == InternalReferralStatus.PENDING
    snapshot = referral.snapshot
    assert snapshot["presenting_circumstances"] == "Sleeping rough since March"
    assert snapshot["client_priorities"] == "A room of her own"
    assert snapshot["strengths"] == "Her sister visits weekly"
    assert snapshot["scores"] == [["Housing", 1], ["Income", 3]]


def test_a_verbal_consent_in_the_form_names_its_witness(as_user, setup):
    response = as_user(setup.ngozi).post(
        setup.url,
        data=form(setup, **{"internal-share_consent": "y", "internal-share_method": "verbal"}),
    )
    assert response.status_code == 422
    assert "A verbal consent names who else heard it." in response.get_data(as_text=True)
    assert sent(setup) == [] and db.session.scalar(sa.select(sa.func.count(Consent.id))) == 1


@pytest.mark.parametrize("named", ["housing", "all"])
def test_a_consent_in_force_naming_the_program_or_all_is_enough(as_user, setup, named):
    sharing(setup, all_programs=named == "all", programs=[] if named == "all" else None)
    assert as_user(setup.ngozi).post(setup.url, data=form(setup)).status_code == 302
    assert len(sent(setup)) == 1


def test_a_revoked_or_another_programs_consent_stops_a_new_referral(as_user, setup, make_program):
    consent = sharing(setup)
    clients.revoke_consent(consent, revoked_by=setup.ngozi, reason="She changed her mind")
    sharing(setup, programs=[make_program("Detox")])
    response = as_user(setup.ngozi).post(setup.url, data=form(setup))
    assert response.status_code == 422
    assert "No consent in force lets us share with Housing First" in response.get_data(as_text=True)
    assert sent(setup) == []
    # The service refuses it too, whoever calls it.
    with pytest.raises(agency.AgencyError):
        agency.refer_within_agency(
            setup.case, setup.housing, created_by=setup.ngozi, consent=consent, today=local_today()
        )


def test_bad_input_is_answered_beside_its_field(as_user, setup):
    sharing(setup)
    ngozi = as_user(setup.ngozi)
    for program in ("0", str(setup.outreach.id), "99999", "x"):
        response = ngozi.post(setup.url, data=form(setup, **{"internal-program": program}))
        assert response.status_code == 422, program
        assert 'id="internal-program-error"' in response.get_data(as_text=True), program
    assert sent(setup) == []


def refer(setup: Setup) -> InternalReferral:
    consent = sharing(setup)
    referral = agency.refer_within_agency(
        setup.case,
        setup.housing,
        created_by=setup.ngozi,
        consent=consent,
        today=local_today(),
        reason="Ready for a flat",
    )
    db.session.commit()
    return referral


def test_the_receiving_program_reads_only_the_snapshot(as_user, setup):
    referral = refer(setup)
    # Later changes to the referring case do not travel.
    setup.case.intake.presenting_circumstances = "Written after the referral"
    db.session.commit()
    hana = as_user(setup.hana)
    queue = hana.get("/intake-queue").get_data(as_text=True)
    assert "Referred by another program" in queue and "Maria" in queue
    body = hana.get(f"/intake-queue/internal/{referral.id}").get_data(as_text=True)
    assert "Sleeping rough since March" in body and "A room of her own" in body
    assert "Written after the referral" not in body and "Behind the library" not in body
    assert "Housing" in body and "1 / 5" in body
    assert hana.get(f"/cases/{setup.case.id}").status_code == 404
    assert hana.get(f"/clients/{setup.case.client.display_id}").status_code == 404


def test_accepting_opens_a_case_on_the_same_client_with_the_intake(as_user, setup):
    referral = refer(setup)
    follow_up = local_today() + timedelta(days=2)
    response = as_user(setup.hana).post(
        f"/intake-queue/internal/{referral.id}/accept",
        data={"accept-next_follow_up_on": follow_up.isoformat()},
    )
    assert response.status_code == 302
    db.session.refresh(referral)
    new = referral.new_case
    assert referral.status == InternalReferralStatus.ACCEPTED
    assert new.client_id == setup.case.client_id and new.program_id == setup.housing.id
    assert new.primary_worker_id == setup.hana.id and new.next_follow_up_on == follow_up
    assert new.intake.presenting_circumstances == "Sleeping rough since March"
    assert new.intake.strengths == "Her sister visits weekly"
    [kept] = [
        c for c in new.client.consents if c.case_id == new.id and c.scope == "data_collection"
    ]
    assert kept.method == ConsentMethod.SIGNED and "Street Outreach" in kept.note
    # Both sides see where it stands.
    mine = as_user(setup.hana).get(f"/cases/{new.id}").get_data(as_text=True)
    assert "Came by referral from Street Outreach" in mine
    assert "Sleeping rough since March" in mine
    theirs = as_user(setup.ngozi).get(f"/cases/{setup.case.id}").get_data(as_text=True)
    assert "Referred to programs of the agency" in theirs and "Accepted" in theirs
    # Decided once.
    again = as_user(setup.colleague).post(f"/intake-queue/internal/{referral.id}/accept", data={})
    assert again.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 2


def test_declining_needs_a_reason_that_the_referring_worker_reads(as_user, setup):
    referral = refer(setup)
    hana = as_user(setup.hana)
    empty = hana.post(f"/intake-queue/internal/{referral.id}/decline", data={"decline-reason": " "})
    assert empty.status_code == 422
    assert 'id="decline-reason-error"' in empty.get_data(as_text=True)
    response = hana.post(
        f"/intake-queue/internal/{referral.id}/decline",
        data={"decline-reason": "No vacancy until spring"},
    )
    assert response.status_code == 302
    db.session.refresh(referral)
    assert referral.status == InternalReferralStatus.DECLINED and referral.new_case_id is None
    theirs = as_user(setup.ngozi).get(f"/cases/{setup.case.id}").get_data(as_text=True)
    assert "Declined" in theirs and "No vacancy until spring" in theirs
    events = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.record_type == "internal_referral")
    ).all()
    assert AuditAction.CREATE in events and AuditAction.UPDATE in events


def test_only_the_receiving_programs_members_may_see_or_decide(as_user, setup, make_user):
    referral = refer(setup)
    outsiders = [
        setup.ngozi,
        setup.lead,
        make_user(Role.ADMIN),
        make_user(Role.SUPERVISOR, [setup.outreach]),
    ]
    for user in outsiders:
        client = as_user(user)
        assert client.get(f"/intake-queue/internal/{referral.id}").status_code == 404
        for action in ("accept", "decline"):
            response = client.post(
                f"/intake-queue/internal/{referral.id}/{action}",
                data={"decline-reason": "No"},
            )
            assert response.status_code == 404, (user, action)
        assert "Maria" not in client.get("/intake-queue").get_data(as_text=True)
    assert as_user(setup.colleague).get(f"/intake-queue/internal/{referral.id}").status_code == 200
    assert as_user(setup.hana).get("/intake-queue/internal/99999").status_code == 404
    db.session.refresh(referral)
    assert referral.is_pending


def test_todays_nag_comes_after_three_days_and_goes_with_the_decision(as_user, setup):
    referral = refer(setup)

    def nags() -> list:
        return [
            item
            for item in due_items(setup.ngozi, local_today())
            if item.kind == ReminderKind.INTERNAL_REFERRAL
        ]

    assert nags() == []
    referral.created_at = utcnow() - timedelta(days=3)
    db.session.commit()
    [item] = nags()
    assert "Housing First" in item.detail and item.case.id == setup.case.id
    agency.decline(referral, decided_by=setup.hana, reason="Full")
    db.session.commit()
    assert nags() == []


def test_a_referral_answers_the_request_that_asked_for_it(setup):
    request = ReferralRequest(
        case=setup.case, asked_by_id=setup.hana.id, program=setup.housing, looked_for="Maria Lopez"
    )
    db.session.add(request)
    db.session.commit()

    def kinds(user: User) -> list[ReminderKind]:
        return [item.kind for item in due_items(user, local_today())]

    assert ReminderKind.REFERRAL_REQUEST in kinds(setup.ngozi)
    referral = refer(setup)
    assert request.internal_referral_id == referral.id
    assert ReminderKind.REFERRAL_REQUEST not in kinds(setup.ngozi)
    # The worker who asked finds it on their own Today, leading to the queue; a colleague in the
    # program reads it in the queue.
    [decide] = [
        item
        for item in due_items(setup.hana, local_today())
        if item.kind == ReminderKind.REFERRAL_TO_DECIDE
    ]
    assert decide.heading == "Maria" and decide.case is None
    assert decide.action.endpoint == "intake_queue.internal"
    assert ReminderKind.REFERRAL_TO_DECIDE not in kinds(setup.colleague)
    agency.accept(referral, decided_by=setup.colleague, next_follow_up_on=None)
    db.session.commit()
    assert ReminderKind.REFERRAL_TO_DECIDE not in kinds(setup.hana)


def test_a_restricted_case_travels_only_by_its_workers_explicit_choice(as_user, setup, make_user):
    case_changes.set_restricted(setup.case, True, reason="Safety", user=setup.ngozi)
    db.session.commit()
    sharing(setup)
    page = as_user(setup.ngozi).get(f"/cases/{setup.case.id}/referrals/new").get_data(as_text=True)
    assert "I choose to send its intake and assessment" in page
    unticked = as_user(setup.ngozi).post(setup.url, data=form(setup))
    assert unticked.status_code == 422
    assert 'id="internal-restricted_confirmed-error"' in unticked.get_data(as_text=True)
    admin = as_user(make_user(Role.ADMIN)).post(
        setup.url, data=form(setup, **{"internal-restricted_confirmed": "y"})
    )
    assert admin.status_code == 422 and sent(setup) == []
    # A colleague in the program cannot even see the case.
    colleague = make_user(Role.OUTREACH_WORKER, [setup.outreach])
    assert as_user(colleague).post(setup.url, data=form(setup)).status_code == 404
    ticked = as_user(setup.lead).post(
        setup.url, data=form(setup, **{"internal-restricted_confirmed": "y"})
    )
    assert ticked.status_code == 302
    [referral] = sent(setup)
    assert referral.restricted_sent_by_id == setup.lead.id


def test_the_demo_shows_a_pending_internal_referral_and_a_request(app, as_user):
    from webapp.jobs import demo

    demo.load()
    db.session.commit()
    [referral] = db.session.scalars(sa.select(InternalReferral)).all()
    assert referral.is_pending and referral.to_program.name == demo.HOUSING

    def user(key: str) -> User:
        spec = next(u for u in demo.USERS if u.key == key)
        return db.session.scalar(sa.select(User).where(User.email == spec.email))

    queue = as_user(user("casemanager")).get("/intake-queue").get_data(as_text=True)
    assert "Tyrell" in queue and "Referred by another program" in queue
    today = as_user(user("outreach")).get("/").get_data(as_text=True)
    assert f"Referral to {demo.HOUSING} not decided yet" in today
    asked = as_user(user("outreach2")).get("/").get_data(as_text=True)
    assert "asks you to refer someone matching" in asked


def test_a_consent_revoked_before_the_decision_withholds_the_snapshot_and_the_case(as_user, setup):
    referral = refer(setup)
    clients.revoke_consent(referral.consent, revoked_by=setup.ngozi, reason="Changed her mind")
    db.session.commit()
    hana = as_user(setup.hana)
    body = hana.get(f"/intake-queue/internal/{referral.id}").get_data(as_text=True)
    assert 'id="withheld"' in body
    assert "Sleeping rough since March" not in body and "Ready for a flat" not in body
    response = hana.post(f"/intake-queue/internal/{referral.id}/accept", data={})
    assert response.status_code == 422
    assert "no longer in force" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 1
    # Declining still works, so the referral does not hang.
    hana.post(
        f"/intake-queue/internal/{referral.id}/decline", data={"decline-reason": "No consent"}
    )
    db.session.refresh(referral)
    assert referral.status == InternalReferralStatus.DECLINED


def test_what_was_accepted_stays_readable_after_a_later_revocation(as_user, setup):
    referral = refer(setup)
    agency.accept(referral, decided_by=setup.hana, next_follow_up_on=None)
    db.session.commit()
    clients.revoke_consent(referral.consent, revoked_by=setup.ngozi, reason="Changed her mind")
    db.session.commit()
    body = as_user(setup.hana).get(f"/intake-queue/internal/{referral.id}").get_data(as_text=True)
    assert "Sleeping rough since March" in body and 'id="withheld"' not in body


def test_a_client_already_open_in_the_program_is_not_opened_twice(setup):
    referral = refer(setup)
    cases.open_case(setup.case.client, setup.housing, created_by=setup.hana)
    db.session.commit()
    with pytest.raises(agency.AgencyError, match="already have an open case"):
        agency.accept(referral, decided_by=setup.hana, next_follow_up_on=None)
