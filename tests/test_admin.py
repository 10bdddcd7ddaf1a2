"""Admins edit programs and their case management models."""

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import MODEL_DEFAULTS, CaseModel, Program, Role


@pytest.fixture
def admin(as_user, make_user):
    return as_user(make_user(Role.ADMIN))


def form(**overrides):
    data = {
        "name": "Youth Outreach",
        "description": "Ages 16–24.",
        "model": "strengths_based",
        "contact_standard_days": "",
        "caseload_cap": "",
        "reassessment_interval_days": "",
        "active": "y",
    }
    data.update(overrides)
    return data


def test_programs_list_shows_each_program_and_its_standards(admin, make_program):
    make_program("Street Outreach", CaseModel.BROKERAGE)
    page = admin.get("/admin/programs").get_data(as_text=True)
    assert "Street Outreach" in page
    assert "Brokerage · contact every 30 days · up to 60 cases · reassess every 180 days" in page


@pytest.mark.parametrize("model", list(CaseModel))
def test_a_new_program_takes_its_models_defaults_when_left_blank(admin, model):
    response = admin.post(
        "/admin/programs/new", data=form(name=f"P {model.value}", model=model.value)
    )
    assert response.status_code == 302
    program = db.session.scalar(sa.select(Program).where(Program.name == f"P {model.value}"))
    defaults = MODEL_DEFAULTS[model]
    assert (
        program.contact_standard_days,
        program.caseload_cap,
        program.reassessment_interval_days,
    ) == (
        defaults.contact_standard_days,
        defaults.caseload_cap,
        defaults.reassessment_interval_days,
    )


def test_product_defaults_for_each_model():
    assert {
        model.value: tuple(vars(standard).values()) for model, standard in MODEL_DEFAULTS.items()
    } == {
        "intensive": (7, 12, 30),
        "clinical": (14, 25, 60),
        "strengths_based": (14, 25, 90),
        "generalist": (30, 40, 90),
        "brokerage": (30, 60, 180),
    }


def test_standards_can_be_set_and_edited(admin, make_program):
    program = make_program("Housing", CaseModel.INTENSIVE)
    response = admin.post(
        f"/admin/programs/{program.id}",
        data=form(
            name="Housing First",
            model="intensive",
            contact_standard_days="5",
            caseload_cap="10",
            reassessment_interval_days="28",
        ),
    )
    assert response.status_code == 302
    program = db.session.get(Program, program.id)
    assert (
        program.name,
        program.contact_standard_days,
        program.caseload_cap,
        program.reassessment_interval_days,
        program.active,
    ) == ("Housing First", 5, 10, 28, True)


def test_a_program_can_stop_taking_cases(admin, make_program):
    program = make_program("Old Pilot")
    data = form(name="Old Pilot", model="generalist")
    del data["active"]
    admin.post(f"/admin/programs/{program.id}", data=data)
    assert db.session.get(Program, program.id).active is False


def test_errors_show_beside_their_fields_and_keep_what_was_typed(admin):
    response = admin.post(
        "/admin/programs/new",
        data=form(
            name="",
            description="Keep this description",
            caseload_cap="0",
            contact_standard_days="abc",
        ),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="name-error">Give the program a name.' in page
    assert 'id="caseload_cap-error">Between 1 and 500 cases.' in page
    assert 'id="contact_standard_days-error">' in page
    assert "Keep this description" in page
    assert '<option selected value="strengths_based">' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Program)) == 0


def test_an_unknown_model_is_refused(admin):
    response = admin.post("/admin/programs/new", data=form(model="miracle"))
    assert response.status_code == 422
    assert 'id="model-error">' in response.get_data(as_text=True)


def test_duplicate_names_are_refused_whatever_their_case(admin, make_program):
    make_program("Street Outreach")
    response = admin.post("/admin/programs/new", data=form(name="street outreach"))
    assert response.status_code == 422
    assert "Another program already has this name." in response.get_data(as_text=True)


def test_over_long_input_is_a_clear_error_not_a_crash(admin):
    response = admin.post("/admin/programs/new", data=form(name="x" * 500, description="y" * 5000))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="name-error">' in page and 'id="description-error">' in page


def test_editing_an_unknown_program_is_404(admin):
    assert admin.get("/admin/programs/424242").status_code == 404


def test_an_admin_sets_how_long_closed_cases_are_kept(admin, make_program):
    program = make_program("Street Outreach", CaseModel.BROKERAGE)
    assert program.retention_years is None  # the default: never delete
    page = admin.get("/admin/programs").get_data(as_text=True)
    assert "closed cases kept for ever" in page
    data = form(name="Street Outreach", model="brokerage", retention_years="7")
    assert admin.post(f"/admin/programs/{program.id}", data=data).status_code == 302
    assert db.session.get(Program, program.id).retention_years == 7
    assert "closed cases kept 7 years" in admin.get("/admin/programs").get_data(as_text=True)
    data["retention_years"] = ""
    assert admin.post(f"/admin/programs/{program.id}", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Program, program.id).retention_years is None


@pytest.mark.parametrize("typed", ["0", "-3", "101", "seven", "2.5"])
def test_a_bad_retention_is_refused_beside_its_field_and_nothing_changes(
    admin, make_program, typed
):
    program = make_program("Street Outreach", CaseModel.BROKERAGE, retention_years=5)
    data = form(name="Renamed", model="brokerage", retention_years=typed)
    response = admin.post(f"/admin/programs/{program.id}", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="retention_years-error">' in page
    assert f'value="{typed}"' in page
    db.session.expire_all()
    kept = db.session.get(Program, program.id)
    assert (kept.name, kept.retention_years) == ("Street Outreach", 5)


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.CASE_MANAGER, Role.OUTREACH_WORKER])
def test_only_admins_set_retention(as_user, make_user, make_program, role):
    program = make_program("Street Outreach", CaseModel.BROKERAGE)
    someone = as_user(make_user(role, [program]))
    data = form(name="Street Outreach", model="brokerage", retention_years="1")
    assert someone.get(f"/admin/programs/{program.id}").status_code == 403
    assert someone.post(f"/admin/programs/{program.id}", data=data).status_code == 403
    db.session.expire_all()
    assert db.session.get(Program, program.id).retention_years is None
