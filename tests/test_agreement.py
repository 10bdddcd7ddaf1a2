"""The plan as a contract (issue 20, items 1 and 2): its term and consequences, each task's where,
when and how often, signatures on the screen or on paper of one wording of the plan, "changed
since signed", and the printable agreement."""

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.lifecycle import a_service, add_goal, assess, refer
from webapp.extensions import db
from webapp.models import (
    AgreementMethod,
    Case,
    Goal,
    PlanSignature,
    PlanTask,
    Program,
    Role,
    ServicePlan,
    SignatureMethod,
    SignatureParty,
    User,
)
from webapp.models.lifecycle import signature_path
from webapp.timeutil import local_today

STROKES = [[[40, 150], [80, 60], [120, 150], [160, 70]], [[200, 100], [260, 100]]]


@dataclass(frozen=True)
class Setup:
    program: Program
    ana: User
    case: Case
    goal: Goal


@pytest.fixture
def setup(make_program, make_user, make_case) -> Setup:
    program = make_program()
    ana = make_user(Role.CASE_MANAGER, [program], name="Ana Lopez")
    case = make_case(program, ana, name="Brian Holt")
    assess(case, ana)
    goal = add_goal(case, ana)
    return Setup(program, ana, case, goal)


def _plan(case: Case) -> ServicePlan:
    db.session.expire_all()
    return db.session.scalar(sa.select(ServicePlan).where(ServicePlan.case_id == case.id))


def _signatures() -> list[PlanSignature]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(PlanSignature).order_by(PlanSignature.id)))


def _sign(client, case: Case, party: str = "client", name: str = "Brian Holt", **fields):
    data = {
        "party": party,
        "name": name,
        "strokes": json.dumps(STROKES),
        "terms_version": str(_plan(case).terms_version),
    }
    data.update(fields)
    return client.post(f"/cases/{case.id}/plan/sign", data=data)


def _standing(client, case: Case) -> str:
    page = client.get(f"/cases/{case.id}/plan").get_data(as_text=True)
    start = page.rindex("<p", 0, page.index('id="agreement-standing"'))
    return page[start : page.index("</p>", start)]


def test_the_client_and_the_worker_sign_on_the_screen(as_user, setup):
    client = as_user(setup.ana)
    assert "Not signed yet." in _standing(client, setup.case)
    form = client.get(f"/cases/{setup.case.id}/plan/sign").get_data(as_text=True)
    assert "data-signature-pad" in form and "js/signature-pad.js" in form
    assert 'value="Brian Holt"' in form  # the client's name, ready

    response = _sign(client, setup.case)
    assert response.status_code == 302
    (signature,) = _signatures()
    assert (signature.party, signature.method, signature.name) == (
        SignatureParty.CLIENT,
        SignatureMethod.SCREEN,
        "Brian Holt",
    )
    assert (
        signature.strokes == STROKES and signature.terms_version == _plan(setup.case).terms_version
    )
    assert signature.signed_on == local_today() and signature.recorded_by_id == setup.ana.id
    # The client's signature is their agreement: who, when, how.
    plan = _plan(setup.case)
    assert (plan.agreed_by, plan.agreed_on, plan.agreement_method) == (
        "Brian Holt",
        local_today(),
        AgreementMethod.SIGNED,
    )
    assert "Waiting for: case manager." in _standing(client, setup.case)

    # The worker signs as themselves, whatever name is typed.
    assert _sign(client, setup.case, party="worker", name="Someone Else").status_code == 302
    worker_signature = _signatures()[-1]
    assert (worker_signature.name, worker_signature.user_id) == ("Ana Lopez", setup.ana.id)
    standing = _standing(client, setup.case)
    assert "Signed by Brian Holt, Ana Lopez." in standing and "standing--ok" in standing

    case_page = client.get(f"/cases/{setup.case.id}").get_data(as_text=True)
    assert 'id="case-agreement-signed">Signed by Brian Holt, Ana Lopez.' in case_page
    # Both are drawn again from their numbers on the plan page and the printed agreement.
    for url in (f"/cases/{setup.case.id}/plan", f"/cases/{setup.case.id}/plan/agreement"):
        page = client.get(url).get_data(as_text=True)
        assert f'<path d="{signature_path(STROKES)}"/>' in page, url


def test_a_change_to_goals_or_tasks_leaves_the_agreement_changed_since_signed(as_user, setup):
    client = as_user(setup.ana)
    _sign(client, setup.case)
    _sign(client, setup.case, party="worker")
    signed_version = _plan(setup.case).terms_version

    # Progress is not a new wording: a task done, a goal's status.
    task = PlanTask(goal_id=setup.goal.id, description="Call the council", responsible="client")
    db.session.add(task)
    db.session.commit()
    client.post(f"/cases/{setup.case.id}/plan/tasks/{task.id}", data={"done": "yes"})
    goal_data = {
        "domain": "housing",
        "statement": setup.goal.statement,
        "measure": setup.goal.measure,
        "target_on": setup.goal.target_on.isoformat(),
        "status": "not_started",
        "version": str(db.session.get(Goal, setup.goal.id).version),
    }
    assert (
        client.post(
            f"/cases/{setup.case.id}/plan/goals/{setup.goal.id}", data=goal_data
        ).status_code
        == 302
    )
    assert _plan(setup.case).terms_version == signed_version
    assert "Signed by" in _standing(client, setup.case)

    # A new task is.
    response = client.post(
        f"/cases/{setup.case.id}/plan/goals/{setup.goal.id}/tasks",
        data={
            f"task{setup.goal.id}-description": "Visit the flat",
            f"task{setup.goal.id}-responsible": "client",
            f"task{setup.goal.id}-place": "Elm Street 4",
            f"task{setup.goal.id}-schedule": "Monday morning",
            f"task{setup.goal.id}-frequency": "once",
        },
    )
    assert response.status_code == 302
    assert _plan(setup.case).terms_version == signed_version + 1
    standing = _standing(client, setup.case)
    assert "Changed since signed" in standing and "standing--warn" in standing
    assert 'id="case-agreement-changed"' in client.get(f"/cases/{setup.case.id}").get_data(
        as_text=True
    )
    agreement = client.get(f"/cases/{setup.case.id}/plan/agreement").get_data(as_text=True)
    assert 'id="agreement-changed"' in agreement
    assert 'Visit the flat</strong> <span class="muted">(goal 1)</span>' in agreement
    assert "Where: Elm Street 4" in agreement and "When: Monday morning" in agreement
    assert "How often: once" in agreement

    # Signed again by both: signed.
    _sign(client, setup.case)
    assert "Changed since signed" in _standing(client, setup.case)  # the worker still has to
    _sign(client, setup.case, party="worker")
    assert "Signed by Brian Holt, Ana Lopez." in _standing(client, setup.case)

    # A goal's wording, a task's details and the terms each change it again.
    goal_data.update(
        statement="Move into a flat near my sister",
        version=str(db.session.get(Goal, setup.goal.id).version),
    )
    client.post(f"/cases/{setup.case.id}/plan/goals/{setup.goal.id}", data=goal_data)
    assert "Changed since signed" in _standing(client, setup.case)
    _sign(client, setup.case)
    _sign(client, setup.case, party="worker")
    new_task = db.session.scalar(
        sa.select(PlanTask).where(PlanTask.description == "Visit the flat")
    )
    client.post(
        f"/cases/{setup.case.id}/plan/tasks/{new_task.id}/edit",
        data={"description": "Visit the flat", "responsible": "client", "frequency": "twice"},
    )
    assert "Changed since signed" in _standing(client, setup.case)
    client.post(
        f"/cases/{setup.case.id}/plan/paper",
        data={
            "names": "Brian Holt and Ana Lopez",
            "signed_on": local_today().isoformat(),
            "terms_version": str(_plan(setup.case).terms_version),
        },
    )
    assert "Signed by Brian Holt and Ana Lopez." in _standing(client, setup.case)
    client.post(
        f"/cases/{setup.case.id}/plan/terms",
        data={"consequences": "We meet and talk it over."},
    )
    assert "Changed since signed" in _standing(client, setup.case)


def test_a_signature_of_a_wording_since_changed_is_refused(as_user, setup):
    client = as_user(setup.ana)
    old = str(_plan(setup.case).terms_version)
    add_goal(setup.case, setup.ana, "Find work")  # while the client was signing
    response = _sign(client, setup.case, terms_version=old)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'id="strokes-error"' in page and "The plan changed while it was being signed" in page
    assert f'value="{_plan(setup.case).terms_version}"' in page  # the next tap signs what is shown
    assert _signatures() == []
    paper = client.post(
        f"/cases/{setup.case.id}/plan/paper",
        data={"names": "Brian", "signed_on": local_today().isoformat(), "terms_version": old},
    )
    assert paper.status_code == 409 and _signatures() == []


HOSTILE = {
    "svg markup": '<svg onload="alert(1)"><path d="M0 0"/></svg>',
    "path data": "M10 10 L20 20",
    "an object": '{"strokes": [[[1, 2], [3, 4]]]}',
    "a string inside": '[[["10", 20], [30, 40]]]',
    "fractions": "[[[10.5, 20], [30, 40]]]",
    "exponent": "[[[1e3, 20], [30, 40]]]",
    "out of the box": "[[[601, 20], [30, 40]]]",
    "negative": "[[[-1, 20], [30, 40]]]",
    "three numbers": "[[[1, 2, 3], [30, 40]]]",
    "deep nesting": "[" * 5000 + "]" * 5000,
    "too many points": json.dumps([[[i % 600, i % 200] for i in range(3001)]]),
    "too many strokes": json.dumps([[[1, 1], [2, 2]]] * 61),
    "too long": "[[[1, 2], [3, 4]]" + " " * 40_000 + "]",
    "broken json": "[[[1, 2], [3, 4]]",
    "an empty stroke": "[[], [[1, 2], [3, 4]]]",
}


@pytest.mark.parametrize("strokes", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_signature_data_is_refused_beside_the_pad(as_user, setup, strokes):
    response = _sign(as_user(setup.ana), setup.case, strokes=strokes)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="strokes-error"' in page and "could not be read" in page
    assert 'value="Brian Holt"' in page  # the name typed is kept
    assert "onload" not in page and "alert(1)" not in page  # never sent back
    assert _signatures() == []


@pytest.mark.parametrize("strokes", ["", "[]", "[[[100, 100]]]"], ids=["none", "empty", "a dot"])
def test_an_empty_pad_asks_for_a_signature(as_user, setup, strokes):
    response = _sign(as_user(setup.ana), setup.case, strokes=strokes)
    assert response.status_code == 422 and "Sign in the box." in response.get_data(as_text=True)
    assert _signatures() == []


def test_an_oversized_body_is_refused_before_it_is_read(as_user, setup):
    response = _sign(as_user(setup.ana), setup.case, strokes="[" + "0," * 600_000 + "0]")
    assert response.status_code == 413 and _signatures() == []


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"party": "paper"}, "Not a valid choice"),
        ({"party": "boss"}, "Not a valid choice"),
        ({"party": ""}, "Choose who signs."),
        ({"party": "support_person", "name": ""}, "Write the name of the person who signs."),
        ({"name": "x" * 201}, "Field cannot be longer than 200 characters."),
    ],
)
def test_who_signs_is_checked(as_user, setup, fields, message):
    response = _sign(as_user(setup.ana), setup.case, **fields)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _signatures() == []


@pytest.mark.parametrize("version", ["", "abc", "1" * 30])
def test_a_forged_terms_version_is_a_bad_request(as_user, setup, version):
    assert _sign(as_user(setup.ana), setup.case, terms_version=version).status_code == 400
    assert _signatures() == []


def test_signing_needs_a_goal_and_an_open_case(as_user, make_case, setup):
    bare = make_case(setup.program, setup.ana, name="Cara")
    response = as_user(setup.ana).post(
        f"/cases/{bare.id}/plan/sign",
        data={
            "party": "client",
            "name": "Cara",
            "strokes": json.dumps(STROKES),
            "terms_version": "1",
        },
    )
    assert response.status_code == 422 and "Add at least one goal" in response.get_data(
        as_text=True
    )
    setup.case.closed_at = setup.case.opened_at + timedelta(days=1)
    db.session.commit()
    response = _sign(as_user(setup.ana), setup.case)
    assert response.status_code == 422 and "This case is closed." in response.get_data(as_text=True)
    assert _signatures() == []


def test_signed_on_paper_records_who_when_and_who_recorded_it(as_user, setup):
    client = as_user(setup.ana)
    page = client.get(f"/cases/{setup.case.id}/plan").get_data(as_text=True)
    assert "Mark signed on paper" in page and 'value="Brian Holt · Ana Lopez"' in page
    yesterday = local_today() - timedelta(days=1)
    response = client.post(
        f"/cases/{setup.case.id}/plan/paper",
        data={
            "names": "Brian Holt and Ana Lopez",
            "signed_on": yesterday.isoformat(),
            "terms_version": str(_plan(setup.case).terms_version),
        },
    )
    assert response.status_code == 302
    (signature,) = _signatures()
    assert (signature.method, signature.signed_on, signature.recorded_by_id, signature.strokes) == (
        SignatureMethod.PAPER,
        yesterday,
        setup.ana.id,
        None,
    )
    assert _plan(setup.case).agreement_method == AgreementMethod.SIGNED
    page = client.get(f"/cases/{setup.case.id}/plan").get_data(as_text=True)
    assert "signed on paper on" in page and "recorded by Ana Lopez" in page


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"names": ""}, "names", "Write who signed the paper copy."),
        ({"signed_on": ""}, "signed_on", "Say on which day it was signed."),
        ({"signed_on": "tomorrow"}, "signed_on", "A date up to today."),
    ],
)
def test_a_paper_signature_needs_who_and_a_day(as_user, setup, fields, field, message):
    data = {
        "names": "Brian Holt",
        "signed_on": local_today().isoformat(),
        "terms_version": str(_plan(setup.case).terms_version),
    }
    data.update(fields)
    if data["signed_on"] == "tomorrow":
        data["signed_on"] = (local_today() + timedelta(days=1)).isoformat()
    response = as_user(setup.ana).post(f"/cases/{setup.case.id}/plan/paper", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and f'id="{field}-error"' in page and message in page
    assert _signatures() == []


def test_the_term_and_consequences_are_saved_and_checked(as_user, setup):
    client = as_user(setup.ana)
    start, end = local_today(), local_today() + timedelta(days=90)
    response = client.post(
        f"/cases/{setup.case.id}/plan/terms",
        data={"starts_on": end.isoformat(), "ends_on": start.isoformat(), "consequences": "Talk."},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="ends_on-error"' in page
    assert "The agreement cannot end before it starts." in page and "Talk." in page
    response = client.post(
        f"/cases/{setup.case.id}/plan/terms",
        data={"starts_on": start.isoformat(), "ends_on": end.isoformat(), "consequences": "Talk."},
    )
    assert response.status_code == 302
    plan = _plan(setup.case)
    assert (plan.starts_on, plan.ends_on, plan.consequences) == (start, end, "Talk.")
    agreement = client.get(f"/cases/{setup.case.id}/plan/agreement").get_data(as_text=True)
    assert 'id="agreement-consequences">Talk.' in agreement


def test_a_task_is_changed_with_who_where_when_and_how_often(as_user, make_user, setup):
    client = as_user(setup.ana)
    task = PlanTask(goal_id=setup.goal.id, description="Book a viewing", responsible="client")
    db.session.add(task)
    db.session.commit()
    url = f"/cases/{setup.case.id}/plan/tasks/{task.id}/edit"
    assert 'value="Book a viewing"' in client.get(url).get_data(as_text=True)
    response = client.post(
        url, data={"description": "Book a viewing", "responsible": "support_person"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="support_person-error"' in page
    response = client.post(
        url,
        data={
            "description": "Book a viewing",
            "responsible": "provider",
            "provider_name": "Harbor Housing",
            "place": "Their office",
            "schedule": "Weekday afternoons",
            "frequency": "every week",
            "support_person": "ignored for a provider",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    task = db.session.get(PlanTask, task.id)
    assert (task.provider_name, task.support_person, task.place, task.schedule, task.frequency) == (
        "Harbor Housing",
        "",
        "Their office",
        "Weekday afternoons",
        "every week",
    )
    page = client.get(f"/cases/{setup.case.id}/plan").get_data(as_text=True)
    assert "Harbor Housing (provider)" in page and "Weekday afternoons" in page


def test_the_agreement_lists_the_six_elements_and_the_providers_agreements(as_user, setup):
    referral = refer(setup.case, a_service(), created_by=setup.ana, today=local_today())
    referral.provider_commitment = "Hold a bed until Friday"
    referral.provider_commitment_by = local_today() + timedelta(days=3)
    db.session.commit()
    page = as_user(setup.ana).get(f"/cases/{setup.case.id}/plan/agreement").get_data(as_text=True)
    for heading in (
        "1. Our goals",
        "2. How long this agreement runs",
        "3–4. Who does what, where, when, how often, and by when",
        "5. If a responsibility is not carried out",
        "6. Signatures",
    ):
        assert heading in page, heading
    assert "Move into my own flat" in page and "Keys in hand" in page
    assert "They agreed to: Hold a bed until Friday" in page and "Harbor Light Shelter" in page
    assert page.count("signature--blank") == 2  # lines for the client and the worker


def test_the_agreement_is_in_the_clients_language(as_user, setup):
    setup.case.client.language = "es"
    db.session.commit()
    page = as_user(setup.ana).get(f"/cases/{setup.case.id}/plan/agreement").get_data(as_text=True)
    assert '<html lang="es">' in page and "1. Nuestras metas" in page
    english = as_user(setup.ana).get(f"/cases/{setup.case.id}/plan/agreement?lang=en")
    assert "1. Our goals" in english.get_data(as_text=True)


def test_the_routes_are_for_those_who_may_see_the_case(as_user, make_program, make_user, setup):
    other = make_user(Role.CASE_MANAGER, [make_program("Other")])
    task = PlanTask(goal_id=setup.goal.id, description="Book a viewing", responsible="client")
    db.session.add(task)
    db.session.commit()
    client = as_user(other)
    base = f"/cases/{setup.case.id}/plan"
    for method, url in (
        ("GET", f"{base}/agreement"),
        ("GET", f"{base}/sign"),
        ("POST", f"{base}/sign"),
        ("POST", f"{base}/paper"),
        ("POST", f"{base}/terms"),
        ("GET", f"{base}/tasks/{task.id}/edit"),
        ("POST", f"{base}/tasks/{task.id}/edit"),
    ):
        response = client.open(url, method=method, data={"party": "client"})
        assert response.status_code == 404, (method, url)
        assert "Brian" not in response.get_data(as_text=True)
    # A colleague in the program may sign and print, as they may edit the plan.
    colleague = make_user(Role.OUTREACH_WORKER, [setup.program])
    assert as_user(colleague).get(f"{base}/agreement").status_code == 200
    assert _sign(as_user(colleague), setup.case, party="worker").status_code == 302
    # A task of another case is not found through this one.
    assert (
        as_user(setup.ana)
        .get(f"/cases/{setup.case.id + 999}/plan/tasks/{task.id}/edit")
        .status_code
        == 404
    )


def test_a_paper_signature_asks_for_a_photo_of_the_page_and_lists_it_beside_the_signature(
    as_user, setup, app
):
    """Issue 20, item 2: "marked signed on paper (with a photo of the page)" — the photo is a
    document of its own kind filed in the case, offered from the plan page once the paper
    signature is recorded, and listed there."""
    import io

    from tests.test_documents import jpeg
    from webapp.models import Document, DocumentKind

    client = as_user(setup.ana)
    plan_page = f"/cases/{setup.case.id}/plan"
    assert "paper-photo-link" not in client.get(plan_page).get_data(as_text=True)
    client.post(
        f"/cases/{setup.case.id}/plan/paper",
        data={
            "names": "Brian Holt and Ana Lopez",
            "signed_on": local_today().isoformat(),
            "terms_version": str(_plan(setup.case).terms_version),
        },
    )
    page = client.get(plan_page).get_data(as_text=True)
    client_id = setup.case.client.display_id
    link = f"/clients/{client_id}/documents/new?case={setup.case.id}&amp;kind=signed_agreement"
    assert link in page
    form = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert '<option selected value="signed_agreement">' in form
    assert f'<option selected value="{setup.case.id}">' in form
    response = client.post(
        f"/clients/{client_id}/documents/new",
        data={
            "kind": "signed_agreement",
            "title": "Plan signed at the drop-in",
            "case": str(setup.case.id),
            "file": (io.BytesIO(jpeg(800, 1100, gps=False)), "page.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    document = db.session.scalar(sa.select(Document))
    assert document.kind == DocumentKind.SIGNED_AGREEMENT and document.case_id == setup.case.id
    page = client.get(plan_page).get_data(as_text=True)
    assert "The signed paper copy" in page
    assert f'href="/documents/{document.id}"' in page and "Plan signed at the drop-in" in page
