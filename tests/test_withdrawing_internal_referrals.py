"""Withdrawing an internal referral (leftovers): the referring case's people take back a referral
the receiving program has not decided, with a reason; it leaves the receiving program's queue and
Today, what it carried is emptied, the receiving program sees only that it was withdrawn, and the
referring case shows who withdrew it, when and why."""

from datetime import timedelta

import sqlalchemy as sa

from tests.test_internal_referrals import refer, setup  # noqa: F401  (fixture)
from webapp.extensions import db
from webapp.models import (
    AuditAction,
    AuditEvent,
    InternalReferral,
    InternalReferralStatus,
    ReferralRequest,
    ReminderKind,
    Role,
    utcnow,
)
from webapp.queries.agency import waiting_for
from webapp.queries.today import due_items
from webapp.services import agency
from webapp.timeutil import local_today


def url(referral: InternalReferral) -> str:
    return f"/internal-referrals/{referral.id}/withdraw"


def fresh(referral: InternalReferral) -> InternalReferral:
    db.session.expire_all()
    return db.session.get(InternalReferral, referral.id)


def test_the_referring_worker_withdraws_a_pending_referral_with_a_reason(as_user, setup):  # noqa: F811
    referral = refer(setup)
    ngozi = as_user(setup.ngozi)
    case_page = ngozi.get(f"/cases/{setup.case.id}").get_data(as_text=True)
    assert url(referral) in case_page and "Withdraw this referral" in case_page
    page = ngozi.get(url(referral))
    assert page.status_code == 200 and "Why withdraw it" in page.get_data(as_text=True)
    response = ngozi.post(url(referral), data={"reason": "Maria changed her mind about moving."})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{setup.case.id}#internal-referrals")
    referral = fresh(referral)
    assert referral.status == InternalReferralStatus.WITHDRAWN
    assert referral.withdrawn_by_id == setup.ngozi.id and referral.withdrawn_at is not None
    assert referral.withdrawal_reason == "Maria changed her mind about moving."
    # What travelled with it no longer stays with a program that never took the case.
    assert referral.snapshot == {} and referral.reason == ""
    assert referral.decided_at is None and referral.new_case_id is None
    events = db.session.scalars(
        sa.select(AuditEvent.action).where(
            AuditEvent.record_type == "internal_referral", AuditEvent.record_id == str(referral.id)
        )
    ).all()
    assert AuditAction.UPDATE in events
    # The referring case says who, when and why; nothing more to withdraw.
    case_page = ngozi.get(f"/cases/{setup.case.id}").get_data(as_text=True)
    assert "Withdrawn on" in case_page and "by Ngozi Eze" in case_page
    assert "Maria changed her mind about moving." in case_page
    assert "Withdraw this referral" not in case_page


def test_a_withdrawn_referral_leaves_the_receiving_programs_queue_and_today(as_user, setup):  # noqa: F811
    referral = refer(setup)
    referral.created_at = utcnow() - timedelta(days=5)
    request = ReferralRequest(
        case=setup.case,
        asked_by_id=setup.hana.id,
        program=setup.housing,
        looked_for="Maria Lopez",
        internal_referral_id=referral.id,
    )
    db.session.add(request)
    db.session.commit()

    def items(user, kind):
        return [i for i in due_items(user, local_today()) if i.kind == kind]

    def leads_to_it(user):
        return [
            i
            for i in due_items(user, local_today())
            if i.link is not None
            and i.link.endpoint == "intake_queue.internal"
            and i.link.args.get("referral_id") == referral.id
        ]

    assert waiting_for(setup.hana) == [referral]
    assert items(setup.ngozi, ReminderKind.INTERNAL_REFERRAL)
    assert leads_to_it(setup.hana)  # the request Hana made, answered: on her Today
    assert "Maria" in as_user(setup.hana).get("/intake-queue").get_data(as_text=True)
    agency.withdraw(referral, withdrawn_by=setup.lead, reason="Sent by mistake")
    db.session.commit()
    assert waiting_for(setup.hana) == []
    assert items(setup.ngozi, ReminderKind.INTERNAL_REFERRAL) == []
    assert leads_to_it(setup.hana) == []
    assert "Maria" not in as_user(setup.hana).get("/intake-queue").get_data(as_text=True)
    assert "Maria" not in as_user(setup.hana).get("/").get_data(as_text=True)


def test_the_receiving_program_sees_only_that_it_was_withdrawn(as_user, setup):  # noqa: F811
    referral = refer(setup)
    hana = as_user(setup.hana)
    assert "Sleeping rough since March" in hana.get(
        f"/intake-queue/internal/{referral.id}"
    ).get_data(as_text=True)
    agency.withdraw(referral, withdrawn_by=setup.ngozi, reason="Consent withdrawn by Maria")
    db.session.commit()
    response = hana.get(f"/intake-queue/internal/{referral.id}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Referral withdrawn" in body
    for private in (
        "Sleeping rough since March",
        "A room of her own",
        "Her sister visits weekly",
        "Ready for a flat",
        "Maria",
        "Consent withdrawn",
        "1 / 5",
    ):
        assert private not in body, private
    # Nor can it be decided now: refused, nothing opened.
    accept = hana.post(f"/intake-queue/internal/{referral.id}/accept", data={})
    decline = hana.post(
        f"/intake-queue/internal/{referral.id}/decline", data={"decline-reason": "Full"}
    )
    assert accept.status_code == 409 and decline.status_code == 409
    assert "Maria" not in accept.get_data(as_text=True)
    referral = fresh(referral)
    assert referral.status == InternalReferralStatus.WITHDRAWN and referral.decline_reason == ""
    assert referral.new_case_id is None


def test_who_may_withdraw(app, as_user, setup, make_user):  # noqa: F811
    referral = refer(setup)
    reason = {"reason": "Sent by mistake"}
    anonymous = app.test_client().post(url(referral), data=reason)
    assert anonymous.status_code == 401  # a POST without a session is refused, not redirected
    assert "/login" in app.test_client().get(url(referral)).headers["Location"]
    # The receiving program, another program's supervisor: the referring case is not theirs.
    for user in (setup.hana, setup.colleague, make_user(Role.SUPERVISOR, [setup.housing])):
        assert as_user(user).get(url(referral)).status_code == 404, user
        assert as_user(user).post(url(referral), data=reason).status_code == 404, user
    # An admin sees the case but does not carry it.
    admin = make_user(Role.ADMIN)
    assert as_user(admin).post(url(referral), data=reason).status_code == 403
    assert "Withdraw this referral" not in as_user(admin).get(f"/cases/{setup.case.id}").get_data(
        as_text=True
    )
    assert (
        as_user(setup.ngozi).post("/internal-referrals/999999/withdraw", data=reason).status_code
        == 404
    )
    assert fresh(referral).is_pending
    # The referring worker's supervisor may.
    assert as_user(setup.lead).post(url(referral), data=reason).status_code == 302
    assert fresh(referral).withdrawn_by_id == setup.lead.id


def test_a_reason_is_needed_and_nothing_is_written_without_one(as_user, setup):  # noqa: F811
    referral = refer(setup)
    ngozi = as_user(setup.ngozi)
    for data in ({}, {"reason": "   "}, {"reason": "x" * 2001}):
        response = ngozi.post(url(referral), data=data)
        assert response.status_code == 422, data
        assert 'id="reason-error"' in response.get_data(as_text=True)
    referral = fresh(referral)
    assert referral.is_pending and referral.withdrawal_reason == ""
    assert referral.snapshot["presenting_circumstances"] == "Sleeping rough since March"


def test_a_decided_referral_cannot_be_withdrawn(as_user, setup):  # noqa: F811
    referral = refer(setup)
    agency.decline(referral, decided_by=setup.hana, reason="No vacancy")
    db.session.commit()
    response = as_user(setup.ngozi).post(url(referral), data={"reason": "Too late"})
    assert response.status_code == 409
    assert "already decided" in response.get_data(as_text=True)
    referral = fresh(referral)
    assert referral.status == InternalReferralStatus.DECLINED
    assert referral.withdrawal_reason == "" and referral.withdrawn_at is None
    # A withdrawn one is not withdrawn twice.
    second = refer(setup)
    agency.withdraw(second, withdrawn_by=setup.ngozi, reason="First")
    db.session.commit()
    assert as_user(setup.ngozi).post(url(second), data={"reason": "Again"}).status_code == 409
    assert fresh(second).withdrawal_reason == "First"


def test_after_withdrawing_the_case_may_refer_there_again(as_user, setup):  # noqa: F811
    referral = refer(setup)
    agency.withdraw(referral, withdrawn_by=setup.ngozi, reason="Wrong program picked")
    db.session.commit()
    again = refer(setup)
    assert again.is_pending and again.snapshot


def test_the_withdrawal_is_said_in_spanish(as_user, setup):  # noqa: F811
    referral = refer(setup)
    setup.ngozi.language = "es"
    setup.hana.language = "es"
    db.session.commit()
    ngozi = as_user(setup.ngozi)
    assert "Retirar esta derivación" in ngozi.get(f"/cases/{setup.case.id}").get_data(as_text=True)
    empty = ngozi.post(url(referral), data={"reason": ""}).get_data(as_text=True)
    assert "Diga por qué se retira la derivación." in empty
    ngozi.post(url(referral), data={"reason": "Enviada por error"})
    page = ngozi.get(f"/cases/{setup.case.id}").get_data(as_text=True)
    assert "Retirada el" in page and "por Ngozi Eze: Enviada por error" in page
    theirs = as_user(setup.hana).get(f"/intake-queue/internal/{referral.id}").get_data(as_text=True)
    assert "Derivación retirada" in theirs and "Nada de lo que traía queda aquí." in theirs
