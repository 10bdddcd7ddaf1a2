"""HUD's data elements asked at intake and closure, for the programs that ask them (issue 23): in
plain words, with HUD's reasons for missing data, kept as HUD's codes, refused beside their field
when wrong, ignored by the other programs, and the same after an offline intake is replayed."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.lifecycle import assess, planned_case
from webapp.extensions import db
from webapp.models import (
    AssessmentKind,
    Case,
    Client,
    Consent,
    ConsentScope,
    HudAnswers,
    Role,
    utcnow,
)
from webapp.timeutil import local_today


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def intake(program, **overrides):
    data = {
        "preferred_name": "Rae",
        "approximate_age": "40",
        "program": str(program.id),
        "presenting_circumstances": "Under the bridge.",
        "consent_given": "y",
        "consent_method": "verbal",
        "next_follow_up_on": (local_today() + timedelta(days=2)).isoformat(),
        "hmis_consent": "y",
        "hud_prior_living": "116",
        "hud_current_living": "116",
        "hud_engaged_on": local_today().isoformat(),
        "hud_disabling": "9",
        "hud_veteran": "0",
        "hud_sex": "8",
        "hud_race": ["Asian", "NativeHIPacific"],
        "hud_relationship": "1",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def outreach(make_program):
    return make_program("HUD Outreach", hud_elements=True)


@pytest.fixture
def worker(make_user, outreach):
    return make_user(programs=[outreach])


def test_intake_asks_huds_questions_in_plain_words(as_user, outreach, worker):
    page = as_user(worker).get("/clients/new").get_data(as_text=True)
    assert "homeless data system (HMIS)</legend>" in page
    assert "Outside, in a vehicle, or another place not meant for living" in page
    assert "Client prefers not to answer" in page and "Not collected" in page
    assert "Have they served in the US armed forces?" in page


def test_the_answers_are_kept_as_huds_codes_with_the_hmis_consent(as_user, outreach, worker):
    response = as_user(worker).post("/clients/new", data=intake(outreach))
    assert response.status_code == 302, response.get_data(as_text=True)
    answers = db.session.scalars(sa.select(HudAnswers)).one()
    assert (answers.prior_living_situation, answers.current_living_situation) == (116, 116)
    assert (answers.disabling_condition, answers.veteran_status, answers.sex) == (9, 0, 8)
    assert answers.races == ["Asian", "NativeHIPacific"]
    assert answers.relationship_to_hoh == 1 and answers.date_of_engagement == local_today()
    scopes = {consent.scope for consent in db.session.scalars(sa.select(Consent))}
    assert scopes == {ConsentScope.DATA_COLLECTION, ConsentScope.HMIS_SHARING}


def test_no_hmis_consent_unticked(as_user, outreach, worker):
    assert (
        as_user(worker).post("/clients/new", data=intake(outreach, hmis_consent=None)).status_code
        == 302
    )
    scopes = {consent.scope for consent in db.session.scalars(sa.select(Consent))}
    assert scopes == {ConsentScope.DATA_COLLECTION}
    assert count(HudAnswers) == 1


def test_other_programs_neither_ask_nor_keep_them(as_user, make_program, make_user):
    plain = make_program("Plain")
    someone = make_user(programs=[plain])
    page = as_user(someone).get("/clients/new").get_data(as_text=True)
    assert "HMIS" not in page and "hud_sex" not in page
    assert as_user(someone).post("/clients/new", data=intake(plain)).status_code == 302
    assert count(HudAnswers) == 0
    assert {consent.scope for consent in db.session.scalars(sa.select(Consent))} == {
        ConsentScope.DATA_COLLECTION
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hud_race", ["Asian", "9"], "not both"),
        ("hud_sex", "3", "Not a valid choice"),
        ("hud_prior_living", "17", "Not a valid choice"),  # "other" is for where they stay now
        ("hud_engaged_on", "1999-01-01", "A date from 2000 up to today."),
    ],
)
def test_a_wrong_answer_is_refused_beside_its_field(
    as_user, outreach, worker, field, value, message
):
    response = as_user(worker).post("/clients/new", data=intake(outreach, **{field: value}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert 'value="Under the bridge.' in page or "Under the bridge." in page  # typed input kept
    assert count(Client) == count(Case) == count(HudAnswers) == count(Consent) == 0


def test_an_offline_intake_replayed_keeps_its_answers_once(app, outreach, worker):
    """The outbox posts the form's fields again with the same key: one client, one set of
    answers, the same answer both times."""
    key = str(uuid.uuid4())
    headers = {"Idempotency-Key": key, "X-Waymark-Outbox": "background"}
    data = intake(outreach)
    answers = [
        app.test_client(user=worker).post("/clients/new", data=data, headers=headers).get_json()
        for _ in range(2)
    ]
    assert answers[0]["location"] == answers[1]["location"]
    assert (answers[0]["replayed"], answers[1]["replayed"]) == (False, True)
    assert count(Client) == count(HudAnswers) == 1
    assert db.session.scalars(sa.select(HudAnswers)).one().sex == 8


# --- closure ----------------------------------------------------------------------------------


def closure_form(goal, **fields):
    data = {
        "reason": "goals_met",
        "outcome": "Moved in with a friend.",
        "taken_over_by": "",
        "warm_handoff": "not_applicable",
        "follow_up_1": (local_today() + timedelta(days=30)).isoformat(),
        "follow_up_2": (local_today() + timedelta(days=90)).isoformat(),
        f"goal_{goal.id}": "met",
    }
    data.update(fields)
    return data


@pytest.fixture
def closable(make_program, make_user, make_case):
    program = make_program("HUD Closing", hud_elements=True)
    worker = make_user(Role.CASE_MANAGER, [program])
    case, goal = planned_case(make_case, program, worker)
    assess(case, worker, AssessmentKind.CLOSURE)
    return case, goal, worker


def test_closure_asks_where_they_go_and_keeps_huds_code(as_user, closable):
    case, goal, worker = closable
    page = as_user(worker).get(f"/cases/{case.id}/close").get_data(as_text=True)
    assert "Where are they going? (HUD exit destination)" in page
    refused = as_user(worker).post(f"/cases/{case.id}/close", data=closure_form(goal))
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="hud_destination-error"' in page and "Moved in with a friend." in page
    assert db.session.get(Case, case.id).is_open
    assert count(HudAnswers) == 0
    done = as_user(worker).post(
        f"/cases/{case.id}/close", data=closure_form(goal, hud_destination="313")
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert not db.session.get(Case, case.id).is_open
    assert db.session.scalars(sa.select(HudAnswers)).one().exit_destination == 313


def test_a_destination_not_on_huds_list_is_refused(as_user, closable):
    case, goal, worker = closable
    response = as_user(worker).post(
        f"/cases/{case.id}/close", data=closure_form(goal, hud_destination="336")
    )
    assert response.status_code == 422
    assert 'id="hud_destination-error"' in response.get_data(as_text=True)
    assert db.session.get(Case, case.id).closed_at is None


def test_other_programs_close_without_the_question(as_user, make_program, make_user, make_case):
    program = make_program("Plain closing")
    worker = make_user(Role.CASE_MANAGER, [program])
    case, goal = planned_case(make_case, program, worker)
    assess(case, worker, AssessmentKind.CLOSURE)
    page = as_user(worker).get(f"/cases/{case.id}/close").get_data(as_text=True)
    assert "HUD exit destination" not in page
    assert as_user(worker).post(f"/cases/{case.id}/close", data=closure_form(goal)).status_code == (
        302
    )
    assert count(HudAnswers) == 0
    assert utcnow()


def test_huds_answers_wait_with_a_waiting_person_and_go_on_their_case(as_user, outreach, worker):
    """A full program puts Rae on its waiting list: no case yet, so HUD's answers are kept with
    the intake she gave, and saved on her case the day she comes off the list."""
    from webapp.models import IntakeScreening, ScreeningOutcome

    outreach.intake_closed = True
    db.session.commit()
    response = as_user(worker).post("/clients/new", data=intake(outreach))
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = db.session.scalars(sa.select(IntakeScreening)).one()
    assert entry.outcome == ScreeningOutcome.WAITING and count(HudAnswers) == 0
    assert entry.intake["hud"]["prior_living_situation"] == 116
    hmis = db.session.scalars(
        sa.select(Consent).where(Consent.scope == ConsentScope.HMIS_SHARING)
    ).one()
    assert hmis.case_id is None  # hers, before any case

    outreach.intake_closed = False
    db.session.commit()
    assert as_user(worker).post(f"/waiting/{entry.id}/take-off").status_code == 302
    case = db.session.scalars(sa.select(Case)).one()
    answers = db.session.scalars(sa.select(HudAnswers)).one()
    assert answers.case_id == case.id
    assert (answers.prior_living_situation, answers.veteran_status, answers.sex) == (116, 0, 8)
    assert answers.races == ["Asian", "NativeHIPacific"]
    assert answers.date_of_engagement == local_today()


def test_huds_answers_are_not_kept_for_someone_who_does_not_qualify(
    as_user, outreach, worker, make_user
):
    """No enrollment, nothing to report: the screening keeps why they did not qualify, not HUD's
    answers."""
    from webapp.models import IntakeScreening, QuestionKind, ScreeningOutcome
    from webapp.services import intake_rules

    question = intake_rules.add_question(
        outreach,
        text="Sleeping outside?",
        kind=QuestionKind.YES_NO,
        qualifying=["yes"],
        added_by=make_user(Role.ADMIN),
    )
    db.session.commit()
    data = intake(outreach, **{question.field_name: "no"})
    response = as_user(worker).post("/clients/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = db.session.scalars(sa.select(IntakeScreening)).one()
    assert entry.outcome == ScreeningOutcome.NOT_ELIGIBLE
    assert "hud" not in (entry.intake or {}) and count(HudAnswers) == 0
