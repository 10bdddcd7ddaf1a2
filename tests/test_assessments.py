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


# The assessment page and the history: every score with its narrative, each domain's path.


def _three_assessments(setup):
    baseline = assess(
        setup.case,
        setup.ana,
        scores={LifeDomain.HOUSING: 1, LifeDomain.MENTAL_HEALTH: 3},
        on=local_today() - timedelta(days=60),
    )
    middle = assess(
        setup.case,
        setup.ana,
        AssessmentKind.REASSESSMENT,
        scores={LifeDomain.HOUSING: 2},
        on=local_today() - timedelta(days=30),
    )
    latest = assess(
        setup.case,
        setup.ana,
        AssessmentKind.REASSESSMENT,
        scores={LifeDomain.HOUSING: 4, LifeDomain.MENTAL_HEALTH: 2},
    )
    return baseline, middle, latest


def _record(setup, kind=AssessmentKind.BASELINE, on=None, **fields):
    assessment = assessments.record_assessment(
        setup.case,
        assessments.AssessmentDetails(
            kind=kind,
            assessed_on=on or local_today(),
            scores={LifeDomain.HOUSING: (2, "In a shelter bed.")},
            **fields,
        ),
        recorded_by=setup.ana,
        existing=load_state(setup.case).assessments,
    )
    db.session.commit()
    return assessment


def test_the_assessment_page_shows_each_score_with_its_narrative_and_the_rest(as_user, setup):
    assessment = _record(
        setup,
        strengths_personal="Keeps every appointment.",
        strengths_family="Her sister visits weekly.",
        needs="A deposit for a flat.",
        client_view="I want my kids back with me.",
    )
    response = as_user(setup.ana).get(f"/cases/{setup.case.id}/assessments/{assessment.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Housing" in page and "2 · Vulnerable" in page and "In a shelter bed." in page
    assert "Keeps every appointment." in page and "Her sister visits weekly." in page
    assert "A deposit for a flat." in page and "I want my kids back with me." in page
    assert "<dd>Baseline</dd>" in page and setup.ana.display_name in page
    assert "mental_health" not in page and "strengths_personal" not in page


def test_every_domain_narrative_is_on_the_assessment_page(as_user, setup):
    _, _, latest = _three_assessments(setup)
    page = as_user(setup.ana).get(f"/cases/{setup.case.id}/assessments/{latest.id}")
    text = page.get_data(as_text=True)
    assert "Housing is at 4." in text and "Mental health is at 2." in text
    assert "Housing is at 2." not in text  # an earlier assessment's narrative is on its own page


def test_the_history_shows_each_domain_path_across_three_assessments(as_user, setup):
    baseline, middle, latest = _three_assessments(setup)
    response = as_user(setup.ana).get(f"/cases/{setup.case.id}/assessments")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Housing: 1 → 2 → 4" in page
    assert "Mental health: 3 → 2" in page
    for assessment in (baseline, middle, latest):
        assert f"/cases/{setup.case.id}/assessments/{assessment.id}" in page
    assert (local_today() - timedelta(days=60)).isoformat() not in page  # dates as people read them


def test_the_case_and_plan_pages_link_to_the_assessments(as_user, setup):
    baseline = assess(setup.case, setup.ana)
    worker = as_user(setup.ana)
    case_page = worker.get(f"/cases/{setup.case.id}").get_data(as_text=True)
    assert f'href="/cases/{setup.case.id}/assessments"' in case_page
    assert f'href="/cases/{setup.case.id}/assessments/{baseline.id}"' in case_page
    plan_page = worker.get(f"/cases/{setup.case.id}/plan").get_data(as_text=True)
    assert f'href="/cases/{setup.case.id}/assessments"' in plan_page


def test_who_may_see_the_assessment_pages_of_a_restricted_case(
    as_user, make_program, make_user, make_case
):
    program = make_program()
    supervisor = make_user(Role.SUPERVISOR, [program])
    worker = make_user(Role.CASE_MANAGER, [program], supervisor=supervisor)
    case = make_case(program, worker, name="Rhea Restricted", restricted=True)
    assessment = assess(case, worker)
    people = {
        "another program's worker": (make_user(Role.CASE_MANAGER, [make_program()]), 404),
        "a colleague": (make_user(Role.CASE_MANAGER, [program]), 404),
        "the worker": (worker, 200),
        "their supervisor": (supervisor, 200),
        "admin": (make_user(Role.ADMIN), 200),
    }
    for who, (user, status) in people.items():
        client = as_user(user)
        for url in (
            f"/cases/{case.id}/assessments",
            f"/cases/{case.id}/assessments/{assessment.id}",
        ):
            response = client.get(url)
            assert response.status_code == status, (who, url)
            assert ("Rhea Restricted" in response.get_data(as_text=True)) == (status == 200)


def test_another_program_worker_gets_404_on_an_open_case(as_user, setup, make_program, make_user):
    assessment = assess(setup.case, setup.ana)
    assert as_user(setup.ana).get(f"/cases/{setup.case.id}/assessments").status_code == 200
    stranger = as_user(make_user(Role.CASE_MANAGER, [make_program()]))
    assert stranger.get(f"/cases/{setup.case.id}/assessments").status_code == 404
    assert stranger.get(f"/cases/{setup.case.id}/assessments/{assessment.id}").status_code == 404


def test_an_assessment_of_another_case_or_a_huge_id_is_404(as_user, setup, make_case):
    other_case = make_case(setup.program, setup.ana, name="Other Person")
    theirs = assess(other_case, setup.ana)
    ours = assess(setup.case, setup.ana)
    worker = as_user(setup.ana)
    assert worker.get(f"/cases/{setup.case.id}/assessments/{ours.id}").status_code == 200
    assert worker.get(f"/cases/{other_case.id}/assessments/{theirs.id}").status_code == 200
    response = worker.get(f"/cases/{setup.case.id}/assessments/{theirs.id}")
    assert response.status_code == 404
    assert "Housing is at 1." not in response.get_data(as_text=True)
    for n in ("99999", str(2**31), "9" * 40):
        assert worker.get(f"/cases/{setup.case.id}/assessments/{n}").status_code == 404, n
    assert worker.get(f"/cases/{setup.case.id}/assessments/{theirs.id}").status_code == 404


# Strengths: each assessment's own; the case page says where they come from; copied only on request.


def test_the_case_page_keeps_the_baseline_strengths_after_a_reassessment_without_any(
    as_user, setup
):
    baseline = _record(
        setup,
        strengths_personal="Determined; kept her job.",
        on=local_today() - timedelta(days=30),
    )
    reassessment = _record(setup, AssessmentKind.REASSESSMENT)
    worker = as_user(setup.ana)
    page = worker.get(f"/cases/{setup.case.id}").get_data(as_text=True)
    assert "Determined; kept her job." in page
    source = page[page.index('id="strengths-source"') :].split("</p>")[0]
    assert f"/assessments/{baseline.id}" in source and "baseline" in source
    assert "the latest assessment recorded none" in source
    own_page = worker.get(f"/cases/{setup.case.id}/assessments/{reassessment.id}")
    assert "No strengths recorded in this assessment." in own_page.get_data(as_text=True)
    history = worker.get(f"/cases/{setup.case.id}/assessments").get_data(as_text=True)
    assert "Determined; kept her job." in history
    assert "No strengths recorded in this assessment." in history


def _reassess(client, setup, **fields):
    return client.post(
        f"/cases/{setup.case.id}/assessments/new",
        data={
            "kind": "reassessment",
            "assessed_on": local_today().isoformat(),
            "score_housing": "3",
            "narrative_housing": "Moved into a room.",
            **fields,
        },
    )


def test_the_reassessment_form_offers_the_last_strengths_and_copies_them_when_asked(as_user, setup):
    _record(
        setup,
        strengths_personal="Determined.",
        strengths_community="Goes to the food bank.",
        on=local_today() - timedelta(days=30),
    )
    worker = as_user(setup.ana)
    form = worker.get(f"/cases/{setup.case.id}/assessments/new").get_data(as_text=True)
    assert 'name="copy_strengths"' in form and "Determined." in form
    assert re.search(r'<input(?![^>]*checked)[^>]*name="copy_strengths"', form)
    response = _reassess(worker, setup, copy_strengths="y", strengths_family="A new friend.")
    assert response.status_code == 302
    latest = load_state(setup.case).latest_assessment
    assert latest.strengths_personal == "Determined."
    assert latest.strengths_family == "A new friend."  # what the worker typed stays
    assert latest.strengths_community == "Goes to the food bank."


def test_nothing_is_copied_without_the_worker_choice(as_user, setup):
    _record(setup, strengths_personal="Determined.", on=local_today() - timedelta(days=30))
    worker = as_user(setup.ana)
    form = worker.get(f"/cases/{setup.case.id}/assessments/new").get_data(as_text=True)
    assert 'name="copy_strengths"' in form  # offered, not ticked, and not sent here
    response = _reassess(worker, setup)
    assert response.status_code == 302
    latest = load_state(setup.case).latest_assessment
    assert latest.kind == AssessmentKind.REASSESSMENT
    assert (latest.strengths_personal, latest.strengths_family, latest.strengths_community) == (
        "",
        "",
        "",
    )


def test_no_copy_option_when_no_earlier_assessment_recorded_strengths(as_user, setup):
    assess(setup.case, setup.ana)  # a baseline without strengths
    form = as_user(setup.ana).get(f"/cases/{setup.case.id}/assessments/new")
    page = form.get_data(as_text=True)
    assert f'href="/cases/{setup.case.id}/assessments"' in page  # the earlier ones, to read
    assert 'name="copy_strengths"' not in page


def test_a_mis_tapped_score_can_be_taken_back(as_user, setup):
    """Issue 18, item 8: a score button could not be un-tapped, forcing a narrative for a domain
    not assessed."""
    page = as_user(setup.ana).get(f"/cases/{setup.case.id}/assessments/new").get_data(as_text=True)
    # "Not assessed" is a choice, checked until a score is tapped.
    assert re.search(r'value="0"[^>]*checked|checked[^>]*value="0"', page)
    assert "Not assessed this time" in page
    response = as_user(setup.ana).post(
        f"/cases/{setup.case.id}/assessments/new",
        data=_form(
            score_housing="0",  # tapped 2, then taken back
            narrative_housing="",
            score_income="3",
            narrative_income="Part-time pay.",
        ),
    )
    assert response.status_code == 302
    assessment = db.session.scalar(sa.select(Assessment))
    assert {(s.domain, s.score) for s in assessment.scores} == {(LifeDomain.INCOME, 3)}


# Issue 18, item 7: the closure form sends the worker here with `next`, and saving goes back there.


def test_saving_an_assessment_returns_to_where_the_worker_was_going(as_user, setup):
    assess(setup.case, setup.ana)
    back = f"/cases/{setup.case.id}/close"
    url = f"/cases/{setup.case.id}/assessments/new?kind=closure&next={back}"
    page = as_user(setup.ana).get(url).get_data(as_text=True)
    assert "Saving brings you back to where you were." in page
    assert f'<a href="{back}">Go back without saving</a>' in page
    # Refused, the way back is still there (the form posts to its own address, `next` included).
    response = as_user(setup.ana).post(url, data=_form(kind="closure"))
    assert response.status_code == 422 and "Go back without saving" in response.get_data(
        as_text=True
    )
    response = as_user(setup.ana).post(
        url, data=_form(kind="closure", score_housing="4", narrative_housing="Lease signed.")
    )
    assert response.status_code == 302 and response.headers["Location"] == back


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example/cases/1",
    ],
)
def test_a_next_that_leaves_the_site_is_ignored(as_user, setup, target):
    assess(setup.case, setup.ana)
    query = {"kind": "closure", "next": target}
    page = (
        as_user(setup.ana)
        .get(f"/cases/{setup.case.id}/assessments/new", query_string=query)
        .get_data(as_text=True)
    )
    assert "evil.example" not in page and "javascript:" not in page
    assert "Go back without saving" not in page
    response = as_user(setup.ana).post(
        f"/cases/{setup.case.id}/assessments/new",
        query_string=query,
        data=_form(kind="closure", score_housing="4", narrative_housing="Lease signed."),
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cases/{setup.case.id}"
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Assessment)
            .where(Assessment.kind == AssessmentKind.CLOSURE)
        )
        == 1
    )
