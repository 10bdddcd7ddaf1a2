"""The HMIS CSV export (issue 23): who may make it, what it holds (only programs with HUD's data
elements, only clients whose HMIS data sharing consent is in force), identifiers that stay the
same from one export to the next, the audit trail, and the answers HUD's elements accept."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.hmis import export
from webapp.models import (
    AuditAction,
    AuditEvent,
    ConsentMethod,
    ConsentScope,
    Program,
    Role,
    utcnow,
)
from webapp.services import clients, hud
from webapp.timeutil import local_today


def period() -> dict[str, date]:
    today = local_today()
    return {"start": today - timedelta(days=30), "end": today}


def read(archive: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        return {
            name: list(csv.DictReader(io.StringIO(zipped.read(name).decode(), newline="")))
            for name in zipped.namelist()
        }


def consent(case, *, expires_on=None):
    return clients.record_consent(
        case.client,
        scope=ConsentScope.HMIS_SHARING,
        method=ConsentMethod.VERBAL,
        recorded_by=case.primary_worker,
        case=case,
        expires_on=expires_on,
    )


@pytest.fixture
def outreach(make_program):
    return make_program("HUD Outreach", hud_elements=True)


@pytest.fixture
def worker(make_user, outreach):
    return make_user(programs=[outreach])


@pytest.fixture
def admin_user(make_user):
    return make_user(Role.ADMIN)


def build(programs, admin_user, **period):
    return export.build(
        programs=programs,
        exported_by=admin_user,
        organization_name="Agency",
        implementation_id="test",
        now=utcnow(),
        **(period or globals()["period"]()),
    )


def test_only_clients_whose_hmis_consent_is_in_force_go_out(
    app, outreach, worker, admin_user, make_case
):
    agreed = make_case(outreach, worker, name="Agreed")
    consent(agreed)
    make_case(outreach, worker, name="Never asked")
    revoked = make_case(outreach, worker, name="Revoked")
    clients.revoke_consent(consent(revoked), revoked_by=worker, reason="Changed their mind")
    expired = make_case(outreach, worker, name="Expired")
    consent(expired, expires_on=local_today() - timedelta(days=1))
    # Another kind of consent does not allow it.
    other = make_case(outreach, worker, name="Other consent")
    clients.record_consent(
        other.client,
        scope=ConsentScope.DATA_COLLECTION,
        method=ConsentMethod.VERBAL,
        recorded_by=worker,
    )
    db.session.commit()
    files = read(build([outreach], admin_user).to_zip())
    assert [row["PersonalID"] for row in files["Client.csv"]] == [agreed.client.persistent_id]
    assert [row["EnrollmentID"] for row in files["Enrollment.csv"]] == [str(agreed.id)]


def test_a_program_without_the_pack_exports_nothing(
    app, outreach, worker, admin_user, make_case, make_program
):
    plain = make_program("Plain")
    other_worker_case = make_case(plain, None, name="Elsewhere")
    consent(other_worker_case)
    consent(make_case(outreach, worker, name="Here"))
    db.session.commit()
    with pytest.raises(export.ExportError):
        build([plain], admin_user)
    files = read(build([plain, outreach], admin_user).to_zip())
    assert [row["ProjectName"] for row in files["Project.csv"]] == ["HUD Outreach"]
    assert {row["ProjectID"] for row in files["Enrollment.csv"]} == {str(outreach.id)}


def test_identifiers_stay_the_same_across_exports(app, outreach, worker, admin_user, make_case):
    case = make_case(outreach, worker, name="Sam")
    consent(case)
    hud.record_answers(case, hud.HudDetails(current_living_situation=116), recorded_by=worker)
    db.session.commit()
    first, second = (read(build([outreach], admin_user).to_zip()) for _ in range(2))
    for name, key in (
        ("Client.csv", "PersonalID"),
        ("Enrollment.csv", "EnrollmentID"),
        ("Enrollment.csv", "HouseholdID"),
        ("Project.csv", "ProjectID"),
        ("CurrentLivingSituation.csv", "CurrentLivingSitID"),
        ("User.csv", "UserID"),
    ):
        assert [row[key] for row in first[name]] == [row[key] for row in second[name]]
        assert first[name]
    assert first["Client.csv"][0]["PersonalID"] == case.client.persistent_id
    assert first["Export.csv"][0]["ExportID"] != second["Export.csv"][0]["ExportID"]


def test_answers_and_reasons_for_missing_data_go_out_as_huds_codes(
    app, outreach, worker, admin_user, make_case
):
    case = make_case(outreach, worker, name="Ana")
    consent(case)
    hud.record_answers(
        case,
        hud.HudDetails(
            prior_living_situation=336,
            current_living_situation=116,
            date_of_engagement=local_today(),
            disabling_condition=8,
            veteran_status=9,
            sex=99,
            races=("Asian", "White"),
            relationship_to_hoh=1,
        ),
        recorded_by=worker,
    )
    db.session.commit()
    files = read(build([outreach], admin_user).to_zip())
    client_row, enrollment = files["Client.csv"][0], files["Enrollment.csv"][0]
    assert (client_row["VeteranStatus"], client_row["Sex"]) == ("9", "99")
    assert (client_row["Asian"], client_row["White"], client_row["BlackAfAmerican"]) == (
        "1",
        "1",
        "0",
    )
    assert client_row["RaceNone"] == ""
    assert (enrollment["LivingSituation"], enrollment["DisablingCondition"]) == ("336", "8")
    assert enrollment["DateOfEngagement"] == local_today().isoformat()
    assert files["CurrentLivingSituation.csv"][0]["CurrentLivingSituation"] == "116"


def test_huds_elements_take_only_huds_answers(app, outreach, worker, make_case, make_program):
    case = make_case(outreach, worker)
    for wrong in (
        hud.HudDetails(sex=3),
        hud.HudDetails(prior_living_situation=17),  # "other" is no prior living situation
        hud.HudDetails(races=("Martian",)),
        hud.HudDetails(races=("Asian",), race_missing=9),
    ):
        with pytest.raises(hud.HudError):
            hud.record_answers(case, wrong, recorded_by=worker)
    with pytest.raises(hud.HudError):
        hud.record_exit_destination(case, 336, recorded_by=worker)  # not a destination code
    plain_case = make_case(make_program("Plain"), worker)
    with pytest.raises(hud.HudError):
        hud.record_answers(plain_case, hud.HudDetails(sex=0), recorded_by=worker)
    db.session.rollback()


# --- flask hmis export ---------------------------------------------------------------------------


def run(app, *args):
    return app.test_cli_runner().invoke(args=["hmis", "export", *args])


def test_the_command_writes_the_zip_and_audits_it(
    app, outreach, worker, admin_user, make_case, tmp_path
):
    case = make_case(outreach, worker, name="Lee")
    consent(case)
    db.session.commit()
    output = tmp_path / "hmis.zip"
    result = run(
        app,
        "--from",
        period()["start"].isoformat(),
        "--to",
        period()["end"].isoformat(),
        "--program",
        "HUD Outreach",
        "--as",
        admin_user.email,
        "--output",
        str(output),
    )
    assert result.exit_code == 0, result.output
    assert "1 clients, 1 enrollments, 0 exits" in result.output
    assert "FY2026" in result.output
    files = read(output.read_bytes())
    assert len(files) == 24
    assert files["Client.csv"][0]["PersonalID"] == case.client.persistent_id
    db.session.rollback()
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)
    ).all()
    assert {(event.record_type, event.user_id) for event in events} == {
        ("hmis_export", admin_user.id),
        ("client", admin_user.id),
    }
    assert [e.record_id for e in events if e.record_type == "client"] == [str(case.client.id)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--program", "Nowhere"], "No program named 'Nowhere'"),
        (["--program", "Plain"], "does not ask HUD's data elements"),
        (["--as", "worker"], "is not an active admin's email"),
        (["--to", "2020-01-01"], "The period ends before it starts."),
    ],
)
def test_the_command_refuses_what_it_cannot_export(
    app, outreach, worker, admin_user, make_program, tmp_path, args, message
):
    make_program("Plain")
    output = tmp_path / "hmis.zip"
    options = {
        "--from": period()["start"].isoformat(),
        "--to": period()["end"].isoformat(),
        "--as": admin_user.email,
        "--output": str(output),
    }
    extra = dict(zip(args[::2], args[1::2], strict=True))
    if extra.get("--as") == "worker":
        extra["--as"] = worker.email
    options.update(extra)
    flat = [part for pair in options.items() for part in pair]
    result = run(app, *flat)
    assert result.exit_code == 1
    assert message in result.output
    assert not output.exists()
    db.session.rollback()
    exports = sa.select(sa.func.count()).where(AuditEvent.action == AuditAction.EXPORT)
    assert db.session.scalar(exports) == 0


# --- the admin download ---------------------------------------------------------------------------


def test_who_may_download(app, as_user, outreach, worker, make_user):
    supervisor = make_user(Role.SUPERVISOR, programs=[outreach])
    for user in (worker, supervisor):
        assert as_user(user).get("/admin/hmis").status_code == 403
        response = as_user(user).post(
            "/admin/hmis", data={"start": "2026-01-01", "end": "2026-12-31"}
        )
        assert response.status_code in (400, 403)
    assert app.test_client().get("/admin/hmis").status_code in (302, 401)


def test_an_admin_downloads_the_zip(app, as_user, outreach, worker, admin_user, make_case):
    case = make_case(outreach, worker, name="Kim")
    consent(case)
    db.session.commit()
    admin = as_user(admin_user)
    page = admin.get("/admin/hmis").get_data(as_text=True)
    assert "HUD Outreach" in page and "FY2026" in page
    response = admin.post(
        "/admin/hmis",
        data={
            "start": period()["start"].isoformat(),
            "end": period()["end"].isoformat(),
            "programs": str(outreach.id),
        },
    )
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    files = read(response.get_data())
    assert files["Client.csv"][0]["PersonalID"] == case.client.persistent_id
    db.session.rollback()
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == AuditAction.EXPORT, AuditEvent.record_type == "hmis_export")
        )
        == 1
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"start": "2026-03-01", "end": "2026-02-01"}, "end", "The period ends before it starts."),
        (
            {"start": "not a date", "end": "2026-02-01"},
            "start",
            "Give the first day of the period.",
        ),
        ({"start": "2026-01-01", "end": "2026-02-01", "programs": ""}, "programs", None),
    ],
)
def test_bad_input_is_refused_beside_its_field(
    app, as_user, outreach, admin_user, make_program, data, field, message
):
    admin = as_user(admin_user)
    data = {"programs": str(outreach.id), **data}
    response = admin.post("/admin/hmis", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page or f'aria-describedby="{field}-' in page
    if message:
        assert message in page
    assert data["start"] in page  # what was typed is kept
    db.session.rollback()
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == AuditAction.EXPORT)
        )
        == 0
    )


def test_a_program_without_the_pack_cannot_be_chosen(
    app, as_user, outreach, admin_user, make_program
):
    plain = make_program("Plain")
    admin = as_user(admin_user)
    assert "Plain" not in admin.get("/admin/hmis").get_data(as_text=True)
    response = admin.post(
        "/admin/hmis",
        data={"start": "2026-01-01", "end": "2026-02-01", "programs": str(plain.id)},
    )
    assert response.status_code == 422
    assert response.mimetype == "text/html"


def test_an_admin_turns_the_pack_on_for_a_program(app, as_user, admin_user, make_program):
    program = make_program("Outreach West")
    assert not program.hud_elements
    response = as_user(admin_user).post(
        f"/admin/programs/{program.id}",
        data={
            "name": "Outreach West",
            "model": "brokerage",
            "active": "y",
            "hud_elements": "y",
        },
    )
    assert response.status_code == 302
    db.session.refresh(program)
    assert program.hud_elements
    assert db.session.get(Program, program.id).hud_elements


def test_the_export_form_says_when_no_program_has_the_pack(app, as_user, admin_user):
    page = as_user(admin_user).get("/admin/hmis").get_data(as_text=True)
    assert "No program asks HUD's data elements" in page


def test_dates_in_the_period_decide_which_cases_go_out(
    app, outreach, worker, admin_user, make_case
):
    case = make_case(outreach, worker, name="Old")
    consent(case)
    db.session.commit()
    opened = case.opened_at.date()
    assert (
        build([outreach], admin_user, start=opened, end=opened + timedelta(days=1)).count(
            "Enrollment.csv"
        )
        == 1
    )
    before = date(2000, 1, 1)
    assert build([outreach], admin_user, start=before, end=before).count("Enrollment.csv") == 0
