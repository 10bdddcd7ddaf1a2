"""The `flask users` and `flask demo` commands."""

import sqlalchemy as sa

from webapp.extensions import db
from webapp.jobs import demo
from webapp.models import Case, Client, Program, Role, User
from webapp.queries.case_state import derive_phase, load_state
from webapp.services import accounts


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def user(email):
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_users_create_with_prompted_password_programs_and_supervisor(app, make_program, make_user):
    make_program("Street Outreach")
    make_user(Role.SUPERVISOR, email="marcus@agency.test")
    result = run(
        app,
        "users",
        "create",
        "Sam@Agency.test",
        "--name",
        "Sam Whitfield",
        "--role",
        "outreach_worker",
        "--program",
        "Street Outreach",
        "--supervisor",
        "marcus@agency.test",
        input="orange bicycle harbour\norange bicycle harbour\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created outreach worker sam@agency.test." in result.output
    db.session.rollback()
    sam = user("sam@agency.test")
    assert sam.role == Role.OUTREACH_WORKER
    assert [program.name for program in sam.programs] == ["Street Outreach"]
    assert sam.supervisor.email == "marcus@agency.test"
    assert accounts.check_password(sam, "orange bicycle harbour")


def test_users_create_reads_the_password_from_stdin_for_scripts(app):
    result = run(
        app,
        "users",
        "create",
        "ops@agency.test",
        "--name",
        "Ops",
        "--role",
        "admin",
        "--password-stdin",
        input="a long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert accounts.check_password(user("ops@agency.test"), "a long enough passphrase")


def test_users_create_refuses_weak_passwords_duplicates_and_unknown_programs(app, make_user):
    make_user(email="taken@agency.test")
    cases = [
        (["taken@agency.test"], "already exists"),
        (["new@agency.test", "--program", "Nope"], "No program named 'Nope'"),
        (
            ["new@agency.test", "--supervisor", "ghost@agency.test"],
            "No user with the email ghost@agency.test",
        ),
    ]
    for extra, message in cases:
        result = run(
            app,
            "users",
            "create",
            *extra,
            "--name",
            "New Person",
            "--role",
            "case_manager",
            "--password-stdin",
            input="a long enough passphrase\n",
        )
        assert result.exit_code == 1 and message in result.output, result.output
    result = run(
        app,
        "users",
        "create",
        "new@agency.test",
        "--name",
        "New",
        "--role",
        "case_manager",
        "--password-stdin",
        input="short\n",
    )
    assert result.exit_code == 1 and "at least 15" in result.output
    result = run(
        app,
        "users",
        "create",
        "new@agency.test",
        "--name",
        "New",
        "--role",
        "janitor",
        "--password-stdin",
        input="a long enough passphrase\n",
    )
    assert result.exit_code == 2
    db.session.rollback()
    assert user("new@agency.test") is None


def test_users_set_password_changes_it_and_ends_other_sessions(app, make_user):
    sam = make_user(email="sam@agency.test")
    version = sam.session_version
    result = run(
        app,
        "users",
        "set-password",
        "SAM@agency.test",
        input="a new long passphrase\na new long passphrase\n",
    )
    assert result.exit_code == 0, result.output
    db.session.rollback()
    sam = user("sam@agency.test")
    assert accounts.check_password(sam, "a new long passphrase")
    assert sam.session_version == version + 1


def test_users_set_password_for_unknown_user_fails_clearly(app):
    result = run(
        app,
        "users",
        "set-password",
        "ghost@agency.test",
        "--password-stdin",
        input="whatever long enough\n",
    )
    assert result.exit_code == 1
    assert "No user with the email ghost@agency.test" in result.output


def test_demo_load_builds_the_organisation_once(app):
    result = run(app, "demo", "load")
    assert result.exit_code == 0, result.output
    assert "Loaded the demo organisation." in result.output
    assert "outreach@demo.example" in result.output and "orange-bicycle-harbour" in result.output
    db.session.rollback()
    assert {role for role in db.session.scalars(sa.select(User.role))} == set(Role)
    models = {program.model for program in db.session.scalars(sa.select(Program))}
    assert len(models) == 2
    # Twelve clients in every phase, and a second record of José suggested for merging.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Client)) == 13
    assert len({case.phase for case in db.session.scalars(sa.select(Case))}) == 6
    # Every demo case reached its phase through real records: the derived phase is the one
    # described. Besides them: Dee's second case, in Housing First, and the second José's.
    described = {(spec.preferred_name, spec.program): spec.phase for spec in demo.CLIENTS}
    extra = []
    for case in db.session.scalars(sa.select(Case)):
        key = (case.client.preferred_name, case.program.name)
        if key not in described:
            extra.append(key)
            continue
        assert case.phase == derive_phase(load_state(case)) == described[key]
    assert sorted(extra) == [("Dee", demo.HOUSING), ("Jose", demo.STREET)]

    again = run(app, "demo", "load")
    assert again.exit_code == 0
    assert "already loaded" in again.output and "orange-bicycle-harbour" in again.output
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Client)) == 13


def test_demo_load_refuses_a_database_with_real_users(app, make_user):
    make_user(email="real@agency.test")
    result = run(app, "demo", "load")
    assert result.exit_code == 1
    assert "already has users" in result.output


def test_a_role_change_or_deactivation_ends_the_users_sessions(app, make_user):
    sam = make_user(email="sam@agency.test")
    signed_in = app.test_client(user=sam)
    assert signed_in.get("/").status_code == 200
    result = run(app, "users", "set-role", "sam@agency.test", "case_manager")
    assert result.exit_code == 0 and "now case manager" in result.output
    assert signed_in.get("/").status_code == 302
    db.session.rollback()
    assert user("sam@agency.test").role == Role.CASE_MANAGER

    signed_in = app.test_client(user=user("sam@agency.test"))
    assert run(app, "users", "deactivate", "sam@agency.test").exit_code == 0
    assert signed_in.get("/").status_code == 302
    response = app.test_client().post(
        "/login", data={"email": "sam@agency.test", "password": "correct horse battery staple"}
    )
    assert response.status_code == 422
    assert run(app, "users", "reactivate", "sam@agency.test").exit_code == 0
    response = app.test_client().post(
        "/login", data={"email": "sam@agency.test", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
