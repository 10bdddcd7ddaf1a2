"""Idempotency-Key on every create endpoint: a repeat returns the first answer and creates
nothing."""

import threading
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.lifecycle import refer
from webapp.extensions import db
from webapp.forms.cases import local_now
from webapp.models import (
    Case,
    Client,
    ContactLog,
    IdempotencyKey,
    Provider,
    Referral,
    ReferralStatusChange,
    Role,
    Service,
    utcnow,
)
from webapp.timeutil import local_today


@pytest.fixture
def world(make_program, make_user, make_case):
    program = make_program("Street")
    sam = make_user(Role.OUTREACH_WORKER, [program])
    case = make_case(program, sam, name="Brian")
    service = Service(
        name="Shelter bed", category="housing", provider=Provider(name="Harbor Light")
    )
    db.session.add(service)
    db.session.commit()
    referral = refer(case, service, created_by=sam, today=local_today())
    db.session.commit()
    return {"sam": sam, "program": program, "case": case, "service": service, "referral": referral}


def forms(world):
    """(url, form data, model counted) for every create endpoint."""
    case, program = world["case"], world["program"]
    now = local_now().strftime("%Y-%m-%dT%H:%M")
    return {
        "intake": (
            "/clients/new",
            {
                "preferred_name": "Dee",
                "program": str(program.id),
                "consent_given": "y",
                "consent_method": "verbal",
            },
            Client,
        ),
        "contact": (
            f"/cases/{case.id}/contacts/new",
            {"occurred_at": now, "contact_type": "phone", "note": "Called."},
            ContactLog,
        ),
        "contact by client ID": (
            f"/clients/{case.client.display_id}/contacts/new",
            {"occurred_at": now, "contact_type": "phone", "note": "Called."},
            ContactLog,
        ),
        "referral": (
            f"/cases/{case.id}/referrals/new",
            {
                "service": str(world["service"].id),
                "follow_up_on": local_today().isoformat(),
                "share_consent": "y",
                "share_method": "signed",
            },
            Referral,
        ),
        "referral status": (
            f"/referrals/{world['referral'].id}",
            {"status": "acknowledged", "occurred_at": now, "method": "phone"},
            ReferralStatusChange,
        ),
    }


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize(
    "name", ["intake", "contact", "contact by client ID", "referral", "referral status"]
)
def test_a_repeat_returns_the_first_answer_and_creates_nothing(as_user, world, name):
    url, data, model = forms(world)[name]
    client = as_user(world["sam"])
    key = str(uuid.uuid4())
    before = count(model)
    first = client.post(url, data=data, headers={"Idempotency-Key": key})
    assert first.status_code == 302, first.get_data(as_text=True)[:500]
    again = client.post(url, data=data, headers={"Idempotency-Key": key})
    assert again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replay"] == "true"
    assert count(model) == before + 1


def test_the_outbox_gets_json_instead_of_a_redirect(as_user, world):
    url, data, _ = forms(world)["contact"]
    key = str(uuid.uuid4())
    headers = {"Idempotency-Key": key, "X-Waymark-Outbox": "1"}
    first = as_user(world["sam"]).post(url, data=data, headers=headers)
    assert first.status_code == 200
    assert first.get_json() == {
        "saved": True,
        "location": f"/cases/{world['case'].id}",
        "replayed": False,
        "client_id_reissued": None,
    }
    again = as_user(world["sam"]).post(url, data=data, headers=headers).get_json()
    assert again["replayed"] is True and again["location"] == first.get_json()["location"]


def test_a_refused_request_releases_its_key_so_the_fixed_one_goes_through(as_user, world):
    url, data, model = forms(world)["contact"]
    client = as_user(world["sam"])
    key = str(uuid.uuid4())
    refused = client.post(url, data={**data, "note": ""}, headers={"Idempotency-Key": key})
    assert refused.status_code == 422
    assert count(IdempotencyKey) == 0
    fixed = client.post(url, data=data, headers={"Idempotency-Key": key})
    assert fixed.status_code == 302 and count(model) == 1


def test_keys_belong_to_their_user(as_user, world, make_user):
    url, data, model = forms(world)["contact"]
    key = str(uuid.uuid4())
    assert (
        as_user(world["sam"]).post(url, data=data, headers={"Idempotency-Key": key}).status_code
        == 302
    )
    colleague = make_user(Role.OUTREACH_WORKER, [world["program"]])
    response = as_user(colleague).post(url, data=data, headers={"Idempotency-Key": key})
    assert "Idempotent-Replay" not in response.headers  # nobody is handed another user's answer
    assert count(model) == 2


def test_a_key_used_on_another_form_is_refused(as_user, world):
    forms_ = forms(world)
    key = str(uuid.uuid4())
    client = as_user(world["sam"])
    client.post(forms_["contact"][0], data=forms_["contact"][1], headers={"Idempotency-Key": key})
    response = client.post(
        forms_["referral"][0], data=forms_["referral"][1], headers={"Idempotency-Key": key}
    )
    assert response.status_code == 422
    assert count(Referral) == 1


@pytest.mark.parametrize("key", ["not-a-uuid", "x" * 500, "'; DROP TABLE users; --"])
def test_a_malformed_key_is_a_400(as_user, world, key):
    url, data, model = forms(world)["contact"]
    assert (
        as_user(world["sam"]).post(url, data=data, headers={"Idempotency-Key": key}).status_code
        == 400
    )
    assert count(model) == 0


def test_an_abandoned_claim_is_taken_over(as_user, world):
    url, data, model = forms(world)["contact"]
    key = str(uuid.uuid4())
    db.session.add(
        IdempotencyKey(
            user_id=world["sam"].id,
            key=key,
            request_path=url,
            created_at=utcnow() - timedelta(minutes=5),
        )
    )
    db.session.commit()
    assert (
        as_user(world["sam"]).post(url, data=data, headers={"Idempotency-Key": key}).status_code
        == 302
    )
    assert count(model) == 1


def test_concurrent_repeats_make_exactly_one_record(app, world):
    url, data, model = forms(world)["contact"]
    key = str(uuid.uuid4())
    user = world["sam"]
    results: list[int] = []
    barrier = threading.Barrier(6)

    clients = [app.test_client(user=user) for _ in range(6)]

    def send(client):
        barrier.wait()
        results.append(client.post(url, data=data, headers={"Idempotency-Key": key}).status_code)

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [302] * 6
    db.session.rollback()
    assert count(model) == 1
    assert count(IdempotencyKey) == 1


def test_an_intake_keeps_the_id_made_on_the_phone_or_reissues_it(as_user, world):
    from webapp import client_ids

    url, data, _ = forms(world)["intake"]
    phone_id = client_ids.display(client_ids.generate())
    client = as_user(world["sam"])
    response = client.post(
        url, data={**data, "persistent_id": phone_id}, headers={"X-Waymark-Outbox": "1"}
    )
    assert response.get_json()["client_id_reissued"] is None
    assert db.session.scalar(
        sa.select(Client.persistent_id).where(Client.preferred_name == "Dee")
    ) == client_ids.parse(phone_id)
    clash = client.post(
        url,
        data={
            **data,
            "preferred_name": "Other",
            "persistent_id": phone_id,
            "different_person": "y",
        },
        headers={"X-Waymark-Outbox": "1"},
    ).get_json()
    old, new = clash["client_id_reissued"].split(" ")
    assert old == phone_id and new != phone_id and client_ids.is_valid(new)
    assert count(Case) == 3


def test_a_replayed_intake_repeats_that_its_phone_made_id_was_reissued(as_user, world):
    url, data, _ = forms(world)["intake"]
    taken = world["case"].client.display_id  # the phone made an ID Brian already has
    intake = {**data, "persistent_id": taken}
    headers = {"Idempotency-Key": str(uuid.uuid4()), "X-Waymark-Outbox": "1"}
    client = as_user(world["sam"])
    first = client.post(url, data=intake, headers=headers).get_json()
    old, new = first["client_id_reissued"].split(" ")
    assert old == taken and new != taken
    # The first answer was lost on the way (the phone went offline): the outbox sends it again.
    again = client.post(url, data=intake, headers=headers).get_json()
    assert again["replayed"] is True
    assert again["client_id_reissued"] == first["client_id_reissued"]
    assert count(Client) == 2

    # A contact queued after the intake, rewritten to the new ID as the outbox does, is Dee's.
    now = local_now().strftime("%Y-%m-%dT%H:%M")
    sent = client.post(
        f"/clients/{new}/contacts/new",
        data={"occurred_at": now, "contact_type": "phone", "note": "Called."},
        headers={"Idempotency-Key": str(uuid.uuid4()), "X-Waymark-Outbox": "1"},
    )
    assert sent.get_json()["saved"] is True
    contact = db.session.scalar(sa.select(ContactLog))
    assert contact.case.client.preferred_name == "Dee"


def test_a_double_tapped_intake_tells_the_worker_again_that_its_id_was_reissued(as_user, world):
    url, data, _ = forms(world)["intake"]
    intake = {**data, "persistent_id": world["case"].client.display_id}
    key = str(uuid.uuid4())
    client = as_user(world["sam"])
    client.post(url, data=intake, headers={"Idempotency-Key": key})
    client.get("/")  # the first answer's notes are read
    again = client.post(url, data=intake, headers={"Idempotency-Key": key}, follow_redirects=True)
    page = again.get_data(as_text=True)
    dee = db.session.scalar(sa.select(Client).where(Client.preferred_name == "Dee"))
    assert "Already saved" in page
    assert f"was already taken, so this client&#39;s ID is {dee.display_id}" in page


def test_a_replayed_intake_that_kept_its_id_says_nothing_was_reissued(as_user, world):
    from webapp import client_ids

    url, data, _ = forms(world)["intake"]
    intake = {**data, "persistent_id": client_ids.display(client_ids.generate())}
    headers = {"Idempotency-Key": str(uuid.uuid4()), "X-Waymark-Outbox": "1"}
    client = as_user(world["sam"])
    assert client.post(url, data=intake, headers=headers).get_json()["client_id_reissued"] is None
    again = client.post(url, data=intake, headers=headers).get_json()
    assert again["replayed"] is True and again["client_id_reissued"] is None


def test_json_endpoints_answer_401_when_signed_out(client):
    assert client.get("/session").status_code == 401
    assert client.get("/offline/caseload.json").status_code == 401


def test_the_caseload_is_the_workers_own_open_cases_with_open_referrals(as_user, world, make_case):
    other = make_case(world["program"], None, name="Not Mine")
    data = as_user(world["sam"]).get("/offline/caseload.json").get_json()
    assert data["user_id"] == world["sam"].id
    assert [case["id"] for case in data["cases"]] == [world["case"].id]
    case = data["cases"][0]
    assert case["client_id"] == world["case"].client.display_id
    assert case["referrals"] == [
        {
            "id": world["referral"].id,
            "provider": "Harbor Light",
            "service": "Shelter bed",
            "address": "",
            "appointment": "",
            "status": "sent",
            "status_label": "Sent",
        }
    ]
    assert other.id not in [c["id"] for c in data["cases"]]


def test_session_gives_the_user_and_a_fresh_csrf_token(as_user, world):
    data = as_user(world["sam"]).get("/session").get_json()
    assert data["user_id"] == world["sam"].id and len(data["csrf_token"]) > 20


@pytest.mark.parametrize(
    "path", ["/forms/intake", "/forms/contact", "/forms/referral-status", "/outbox", "/offline"]
)
def test_shells_hold_no_csrf_token_and_no_client_data_and_may_be_kept(as_user, world, path):
    response = as_user(world["sam"]).get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "no-store" not in response.headers["Cache-Control"]
    assert 'name="csrf_token"' not in page and 'name="csrf-token"' not in page
    assert "Brian" not in page and world["case"].client.display_id not in page


def test_pages_with_client_data_are_never_storable(as_user, world):
    for url in (
        f"/cases/{world['case'].id}",
        f"/clients/{world['case'].client.display_id}",
        "/",
        "/offline/caseload.json",
        "/clients/new",
    ):
        assert as_user(world["sam"]).get(url).headers["Cache-Control"] == "no-store", url


def test_background_replays_leave_no_flash_messages_behind(as_user, world):
    url, data, _ = forms(world)["contact"]
    client = as_user(world["sam"])
    client.post(
        url,
        data=data,
        headers={"Idempotency-Key": str(uuid.uuid4()), "X-Waymark-Outbox": "background"},
    )
    assert "Contact with Brian saved." not in client.get("/").get_data(as_text=True)
    client.post(
        url,
        data=data,
        headers={"Idempotency-Key": str(uuid.uuid4()), "X-Waymark-Outbox": "interactive"},
    )
    assert "Contact with Brian saved." in client.get("/").get_data(as_text=True)


def test_an_outbox_entry_is_refused_under_another_users_session(as_user, world, make_user):
    url, data, model = forms(world)["contact"]
    colleague = make_user(Role.OUTREACH_WORKER, [world["program"]])
    response = as_user(colleague).post(
        url,
        data=data,
        headers={
            "Idempotency-Key": str(uuid.uuid4()),
            "X-Waymark-Outbox": "background",
            "X-Waymark-User": str(world["sam"].id),
        },
    )
    assert response.status_code == 403 and response.headers["X-Waymark-Wrong-User"] == "true"
    assert count(model) == 0
    mine = as_user(world["sam"]).post(
        url,
        data=data,
        headers={
            "Idempotency-Key": str(uuid.uuid4()),
            "X-Waymark-Outbox": "background",
            "X-Waymark-User": str(world["sam"].id),
        },
    )
    assert mine.status_code == 200 and count(model) == 1
