"""Assessments: a 1–5 score per life domain with a narrative for each, and change from baseline."""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.lifecycle import assess
from webapp.extensions import db
from webapp.models import (
    MODEL_DEFAULTS,
    Assessment,
    AssessmentKind,
    Case,
    CaseModel,
    LifeDomain,
    Phase,
    Program,
    Role,
    User,
)
from webapp.queries.case_state import load_state
from webapp.services import assessments
from webapp.services.cases import CaseError
from webapp.timeutil import local_today


@dataclass(frozen=True)
class Setup:
    program: Program
    ana: User
    case: Case


@pytest.fixture
def setup(make_program, make_user, make_case) -> Setup:
    program = make_program(model=CaseModel.INTENSIVE)
    ana = make_user(Role.CASE_MANAGER, [program])
    case = make_case(program, ana, name="Kateri")
    return Setup(program, ana, case)


def _form(**fields):
    data = {
        "kind": "baseline",
        "assessed_on": local_today().isoformat(),
        "strengths_personal": "Determined; kept her job through a hard winter.",
    }
    data.update(fields)
    return data


def test_a_baseline_is_saved_with_its_scores_and_the_case_moves_to_planning(as_user, setup):
    response = as_user(setup.ana).post(
        f"/cases/{setup.case.id}/assessments/new",
        data=_form(
            score_housing="1",
            narrative_housing="Sleeping in her car.",
            score_income="3",
            narrative_income="Part-time pay.",
        ),
    )
    assert response.status_code == 302
    assessment = db.session.scalar(sa.select(Assessment))
    assert assessment.kind == AssessmentKind.BASELINE
    assert {(s.domain, s.score, s.narrative) for s in assessment.scores} == {
        (LifeDomain.HOUSING, 1, "Sleeping in her car."),
        (LifeDomain.INCOME, 3, "Part-time pay."),
    }
    assert db.session.get(type(setup.case), setup.case.id).phase == Phase.PLANNING


def test_a_score_without_a_narrative_is_refused_beside_its_field_and_the_rest_is_kept(
    as_user, setup
):
    response = as_user(setup.ana).post(
        f"/cases/{setup.case.id}/assessments/new",
        data=_form(score_housing="2", score_income="3", narrative_income="Part-time pay."),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="narrative_housing-error">Say why housing scores 2.' in page
    assert "Part-time pay." in page and "Determined; kept her job" in page
    assert re.search(r'<input checked[^>]*name="score_income"[^>]*value="3"', page)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assessment)) == 0


@pytest.mark.parametrize(
    "fields, message",
    [
        ({}, "Score at least one life domain."),
        ({"score_housing": "7", "narrative_housing": "x"}, "Not a valid choice"),
        ({"score_housing": "abc", "narrative_housing": "x"}, "Invalid Choice"),
        ({"narrative_housing": "Text but no score"}, "Choose a score for what you wrote"),
        (
            {"score_housing": "2", "narrative_housing": "x", "assessed_on": "2999-01-01"},
            "A date up to today.",
        ),
        ({"score_housing": "2", "narrative_housing": "x", "kind": "weekly"}, "Not a valid choice"),
    ],
)
def test_bad_input_gets_a_422_and_writes_nothing(as_user, setup, fields, message):
    response = as_user(setup.ana).post(
        f"/cases/{setup.case.id}/assessments/new", data=_form(**fields)
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assessment)) == 0


def test_one_baseline_per_case_and_a_reassessment_needs_it(as_user, setup):
    with pytest.raises(CaseError, match="baseline first"):
        assess(setup.case, setup.ana, AssessmentKind.REASSESSMENT)
    db.session.rollback()
    assess(setup.case, setup.ana)
    response = as_user(setup.ana).post(
        f"/cases/{setup.case.id}/assessments/new",
        data=_form(score_housing="2", narrative_housing="Still in the car."),
    )
    assert response.status_code == 422
    assert "already has a baseline" in response.get_data(as_text=True)


def test_the_form_offers_a_reassessment_once_there_is_a_baseline_and_shows_earlier_scores(
    as_user, setup
):
    assess(setup.case, setup.ana, scores={LifeDomain.HOUSING: 1})
    page = as_user(setup.ana).get(f"/cases/{setup.case.id}/assessments/new").get_data(as_text=True)
    assert '<option selected value="reassessment">' in page
    assert "baseline 1, last 1" in page


def test_the_case_page_shows_change_from_baseline_as_a_chart_and_as_numbers(as_user, setup):
    assess(
        setup.case,
        setup.ana,
        scores={LifeDomain.HOUSING: 1, LifeDomain.INCOME: 3},
        on=local_today() - timedelta(days=40),
    )
    assess(
        setup.case,
        setup.ana,
        AssessmentKind.REASSESSMENT,
        scores={LifeDomain.HOUSING: 4, LifeDomain.INCOME: 2},
    )
    page = as_user(setup.ana).get(f"/cases/{setup.case.id}").get_data(as_text=True)
    assert '<svg class="change-chart"' in page
    assert '<th scope="row">Housing</th><td>1</td><td>4</td>' in page and "+3" in page
    assert '<th scope="row">Income</th><td>3</td><td>2</td>' in page and 'change--down">-1' in page


def test_change_from_baseline_follows_every_assessment(setup):
    assess(
        setup.case, setup.ana, scores={LifeDomain.HOUSING: 1}, on=local_today() - timedelta(days=60)
    )
    assess(
        setup.case,
        setup.ana,
        AssessmentKind.REASSESSMENT,
        scores={LifeDomain.HOUSING: 2, LifeDomain.FOOD: 3},
        on=local_today() - timedelta(days=30),
    )
    assess(setup.case, setup.ana, AssessmentKind.REASSESSMENT, scores={LifeDomain.HOUSING: 4})
    changes = {
        c.domain: c
        for c in assessments.change_from_baseline(
            load_state(setup.case).assessments, list(LifeDomain)
        )
    }
    assert (
        changes[LifeDomain.HOUSING].baseline,
        changes[LifeDomain.HOUSING].latest,
        changes[LifeDomain.HOUSING].change,
    ) == (1, 4, 3)
    assert [score for _, score in changes[LifeDomain.HOUSING].history] == [1, 2, 4]
    assert changes[LifeDomain.FOOD].baseline is None and changes[LifeDomain.FOOD].change is None


def test_the_reassessment_date_follows_the_case_model_interval(
    setup, make_case, make_program, make_user
):
    assess(setup.case, setup.ana, on=local_today() - timedelta(days=10))
    assert load_state(setup.case).reassessment_due_on == local_today() + timedelta(
        days=20
    )  # intensive: 30 days
    setup.case.model = CaseModel.BROKERAGE
    db.session.commit()
    assert load_state(setup.case).reassessment_due_on == local_today() - timedelta(
        days=10
    ) + timedelta(days=MODEL_DEFAULTS[CaseModel.BROKERAGE].reassessment_interval_days)


def test_a_program_can_assess_fewer_domains(as_user, make_program, make_user, make_case):
    program = make_program(assessment_domains=[LifeDomain.HOUSING, LifeDomain.SAFETY])
    worker = make_user(Role.OUTREACH_WORKER, [program])
    case = make_case(program, worker)
    page = as_user(worker).get(f"/cases/{case.id}/assessments/new").get_data(as_text=True)
    assert 'name="score_housing"' in page and 'name="score_safety"' in page
    assert 'name="score_income"' not in page
    response = as_user(worker).post(
        f"/cases/{case.id}/assessments/new",
        data=_form(score_income="2", narrative_income="Not assessed here."),
    )
    assert response.status_code == 422  # an unknown domain's fields are simply not there
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assessment)) == 0


def test_only_people_who_may_see_the_case_may_assess_it(as_user, setup, make_program, make_user):
    stranger = make_user(Role.CASE_MANAGER, [make_program()])
    assert as_user(stranger).get(f"/cases/{setup.case.id}/assessments/new").status_code == 404
    response = as_user(stranger).post(
        f"/cases/{setup.case.id}/assessments/new",
        data=_form(score_housing="2", narrative_housing="x"),
    )
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assessment)) == 0
