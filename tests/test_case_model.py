"""A case worked in another model than its program's (issue 21, item 5): a supervisor sets it with
a reason; the contact standard and reassessment interval follow; it is in the case's history."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Case, CaseEvent, CaseEventKind, CaseModel, Role, utcnow
from webapp.queries.case_state import MODEL_DEFAULTS, standard_for
from webapp.queries.today import due_items
from webapp.timeutil import local_today


@pytest.fixture
def setup(make_program, make_user, make_case):
    program = make_program("Street Outreach", model=CaseModel.BROKERAGE)
    supervisor = make_user(Role.SUPERVISOR, [program])
    worker = make_user(Role.OUTREACH_WORKER, [program], supervisor=supervisor)
    case = make_case(program, worker, name="Dana")
    return program, supervisor, worker, case


def test_a_supervisor_works_a_case_intensively_and_its_standards_follow(as_user, setup):
    program, supervisor, worker, case = setup
    response = as_user(supervisor).post(
        f"/cases/{case.id}/model", data={"model": "intensive", "reason": "Daily check-ins needed."}
    )
    assert response.status_code == 302
    case = db.session.get(Case, case.id)
    assert case.model == CaseModel.INTENSIVE
    assert standard_for(case) == MODEL_DEFAULTS[CaseModel.INTENSIVE]
    event = db.session.scalar(sa.select(CaseEvent).where(CaseEvent.kind == CaseEventKind.MODEL))
    assert (event.old_value, event.new_value, event.note) == (
        "brokerage",
        "intensive",
        "Daily check-ins needed.",
    )
    page = as_user(worker).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Case management model" in page and "Intensive" in page
    # The worker's Today asks for contact by the intensive standard, not the program's.
    intensive = MODEL_DEFAULTS[CaseModel.INTENSIVE].contact_standard_days
    case.last_contact_at = utcnow() - timedelta(days=intensive + 1)
    case.opened_at = utcnow() - timedelta(days=60)
    db.session.commit()
    kinds = {item.kind for item in due_items(worker, local_today()) if item.case.id == case.id}
    assert "contact_standard" in kinds or "follow_up" in kinds


def test_only_a_supervisor_or_admin_changes_the_model_and_a_reason_is_needed(
    as_user, setup, make_user, make_program
):
    program, supervisor, worker, case = setup
    data = {"model": "intensive", "reason": "Needs more."}
    assert as_user(worker).post(f"/cases/{case.id}/model", data=data).status_code == 403
    other = make_user(Role.SUPERVISOR, [make_program()])
    assert as_user(other).post(f"/cases/{case.id}/model", data=data).status_code == 404
    no_reason = as_user(supervisor).post(f"/cases/{case.id}/model", data={"model": "intensive"})
    assert no_reason.status_code == 422 and 'id="model-reason-error"' in no_reason.get_data(
        as_text=True
    )
    same = as_user(supervisor).post(
        f"/cases/{case.id}/model", data={"model": "brokerage", "reason": "x"}
    )
    assert same.status_code == 422 and "already uses this model" in same.get_data(as_text=True)
    bad = as_user(supervisor).post(f"/cases/{case.id}/model", data={"model": "x", "reason": "y"})
    assert bad.status_code == 422
    assert db.session.get(Case, case.id).model == CaseModel.BROKERAGE
    admin = make_user(Role.ADMIN)
    assert as_user(admin).post(f"/cases/{case.id}/model", data=data).status_code == 302


def test_supervision_weighs_a_case_by_its_own_model(as_user, setup, make_case):
    """An intensive case in a brokerage program weighs two of the program's cases, beside the
    count, and the weight follows when the model changes back."""
    program, supervisor, worker, case = setup
    make_case(program, worker, name="Eli")

    def caseload_cell() -> str:
        page = as_user(supervisor).get("/supervision").get_data(as_text=True)
        row = page.split(worker.display_name, 1)[1].split("</tr>", 1)[0]
        return row

    assert "2 / 60" in caseload_cell() and "weighted 2<" in caseload_cell()
    as_user(supervisor).post(
        f"/cases/{case.id}/model", data={"model": "intensive", "reason": "Daily check-ins."}
    )
    assert "2 / 60" in caseload_cell() and "weighted 3<" in caseload_cell()
    as_user(supervisor).post(
        f"/cases/{case.id}/model", data={"model": "brokerage", "reason": "Settled again."}
    )
    assert "weighted 2<" in caseload_cell()


def test_the_cap_counts_weighed_cases(make_program, make_user, make_case):
    from webapp.queries.supervision import overview
    from webapp.timeutil import local_today

    program = make_program("Small", model=CaseModel.GENERALIST, caseload_cap=2)
    supervisor = make_user(Role.SUPERVISOR, [program])
    worker = make_user(Role.CASE_MANAGER, [program], supervisor=supervisor)
    first = make_case(program, worker, name="Fay")
    make_case(program, worker, name="Gus")
    (load,) = [load for load in overview(supervisor, local_today()).caseloads.loads if load.open]
    assert (load.open, load.weighted, load.over_cap) == (2, 2, False)
    first.model = CaseModel.INTENSIVE
    db.session.commit()
    (load,) = [load for load in overview(supervisor, local_today()).caseloads.loads if load.open]
    assert (load.open, load.weighted, load.over_cap) == (2, 3, True)
