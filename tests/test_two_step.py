"""Two-step sign-in (TOTP): required for admins, each code usable once."""

import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, TOTP_SECRET
from webapp.extensions import db
from webapp.models import Role, User
from webapp.services import accounts, two_factor


def sign_in(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def code_at(moment):
    return pyotp.TOTP(TOTP_SECRET).at(moment)


def test_an_account_with_a_second_factor_needs_the_code(client, make_user):
    make_user(Role.CASE_MANAGER, email="ana@agency.test", second_factor=True)
    response = sign_in(client, "ana@agency.test")
    assert response.headers["Location"] == "/login/code"
    assert client.get("/").status_code == 302  # not signed in yet
    wrong = client.post(
        "/login/code", data={"code": "000000" if code_at(time.time()) != "000000" else "111111"}
    )
    assert wrong.status_code == 422 and "That code is not right" in wrong.get_data(as_text=True)
    response = client.post("/login/code", data={"code": code_at(time.time())})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_code_works_only_once(app, client, make_user):
    make_user(Role.CASE_MANAGER, email="ana@agency.test", second_factor=True)
    code = code_at(time.time())
    sign_in(client, "ana@agency.test")
    assert client.post("/login/code", data={"code": code}).status_code == 302
    other = app.test_client()
    sign_in(other, "ana@agency.test")
    replay = other.post("/login/code", data={"code": code})
    assert replay.status_code == 422
    assert other.get("/").status_code == 302


def test_codes_from_the_next_and_previous_step_are_accepted_for_clock_drift(app, make_user):
    user = make_user(Role.CASE_MANAGER, second_factor=True)
    now = time.time()
    assert two_factor.check_code(user, code_at(now - 30), now=now)
    assert two_factor.check_code(user, code_at(now + 30), now=now)
    assert not two_factor.check_code(
        user, code_at(now - 30), now=now
    )  # older than one already used
    assert not two_factor.check_code(user, code_at(now + 120), now=now)


def test_the_code_step_expires(client, make_user):
    make_user(Role.CASE_MANAGER, email="ana@agency.test", second_factor=True)
    sign_in(client, "ana@agency.test")
    with client.session_transaction() as session:
        session["second_step_since"] = time.time() - 301
    response = client.post("/login/code", data={"code": code_at(time.time())})
    assert response.headers["Location"] == "/login"


def test_the_code_step_needs_a_password_first(client):
    assert client.get("/login/code").headers["Location"] == "/login"


def test_admins_must_turn_it_on_before_anything_else(as_user, make_user):
    admin = make_user(Role.ADMIN, second_factor=False)
    client = as_user(admin)
    response = client.get("/admin/programs")
    assert response.status_code == 302 and response.headers["Location"] == "/account/two-step"
    assert client.post("/clients/new", data={}).status_code == 403
    page = client.get("/account/two-step").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    wrong = client.post("/account/two-step", data={"code": "12345"})
    assert wrong.status_code == 422
    response = client.post("/account/two-step", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert db.session.get(User, admin.id).totp_secret == secret
    assert client.get("/admin/programs").status_code == 200


def test_other_roles_may_turn_it_on_too(as_user, make_user):
    client = as_user(make_user(Role.OUTREACH_WORKER))
    assert client.get("/").status_code == 200  # not forced
    assert "Scan this code" in client.get("/account/two-step").get_data(as_text=True)


def test_with_a_second_factor_eight_characters_are_enough(app, make_user):
    with_code = make_user(Role.CASE_MANAGER, second_factor=True)
    accounts.set_password(with_code, "q7#Vm2!x")
    with pytest.raises(accounts.AccountError, match="too easy to guess"):
        accounts.set_password(with_code, "Passw0rd!")  # still never a common one
    without = make_user(Role.CASE_MANAGER)
    with pytest.raises(accounts.AccountError, match="at least 15"):
        accounts.set_password(without, "q7#Vm2!x")


def test_failed_codes_count_towards_throttling(make_app, make_user):
    app = make_app(LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS=2)
    with app.app_context():
        make_user(Role.CASE_MANAGER, email="ana@agency.test", second_factor=True)
        client = app.test_client()
        sign_in(client, "ana@agency.test")
        for _ in range(2):
            client.post(
                "/login/code",
                data={"code": "000000" if code_at(time.time()) != "000000" else "111111"},
            )
        assert client.post("/login/code", data={"code": code_at(time.time())}).status_code == 429


def test_the_demo_admin_code_command(app):
    from webapp.jobs.demo import DEMO_ADMIN_TOTP_SECRET

    result = app.test_cli_runner().invoke(args=["demo", "code"])
    assert result.exit_code == 0
    assert result.output.strip() in {
        pyotp.TOTP(DEMO_ADMIN_TOTP_SECRET).at(time.time() + d) for d in (-30, 0, 30)
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
