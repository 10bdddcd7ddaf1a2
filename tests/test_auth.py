"""Signing in and out."""

import re

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD
from webapp.extensions import db
from webapp.models import AuditAction, AuditEvent, Role
from webapp.routes.auth import FAILED_LOGIN_MESSAGE
from webapp.services import accounts
from webapp.web.security import safe_next


def sign_in(client, email, password=PASSWORD, next_url=None, address="127.0.0.1"):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(
        url, data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def audit_actions():
    """(action, who acted, which record) for every audit event so far."""
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))
    return [(event.action, event.user_id, event.record_id) for event in events]


def test_login_page_shows_labelled_fields(client):
    response = client.get("/login")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<label class="field__label" for="email">Email</label>' in page
    assert '<label class="field__label" for="password">Password</label>' in page


def test_sign_in_goes_to_today_and_is_audited(client, make_user):
    user = make_user(email="sam@agency.test")
    response = sign_in(client, "Sam@Agency.test ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert (AuditAction.LOGIN, user.id, str(user.id)) in audit_actions()
    assert db.session.get(type(user), user.id).last_login_at is not None


def test_wrong_password_says_so_beside_the_field_and_keeps_the_email(client, make_user):
    user = make_user(email="sam@agency.test")
    response = sign_in(client, "sam@agency.test", "not the right password at all")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert FAILED_LOGIN_MESSAGE in page
    assert 'value="sam@agency.test"' in page
    assert "not the right password" not in page
    assert (AuditAction.LOGIN_FAILED, None, str(user.id)) in audit_actions()
    assert client.get("/").status_code == 302


def test_unknown_email_gets_the_same_answer(client):
    response = sign_in(client, "nobody@agency.test")
    assert response.status_code == 422
    assert FAILED_LOGIN_MESSAGE in response.get_data(as_text=True)
    assert (AuditAction.LOGIN_FAILED, None, None) in audit_actions()


def test_empty_form_shows_each_error_beside_its_field(client):
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="email-error">Enter your email address\.', page)
    assert re.search(r'id="password-error">Enter your password\.', page)


def test_oversized_password_is_refused_without_hashing(client, make_user):
    make_user(email="sam@agency.test")
    response = sign_in(client, "sam@agency.test", "x" * 5000)
    assert response.status_code == 422


def test_deactivated_user_cannot_sign_in(client, make_user):
    user = make_user(email="sam@agency.test")
    user.active = False
    db.session.commit()
    assert sign_in(client, "sam@agency.test").status_code == 422


def test_sign_in_returns_to_the_page_asked_for(client, make_user):
    make_user(email="sam@agency.test")
    response = client.get("/admin/programs")
    assert response.headers["Location"] == "/login?next=/admin/programs"
    response = sign_in(client, "sam@agency.test", next_url="/admin/programs")
    assert response.headers["Location"] == "/admin/programs"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "evil",
        "",
        None,
    ],
)
def test_next_never_leaves_the_site(target):
    assert safe_next(target) is None


def test_signed_in_user_visiting_login_goes_to_today(as_user, make_user):
    assert as_user(make_user()).get("/login").headers["Location"] == "/"


def test_logout_is_post_only(as_user, make_user):
    client = as_user(make_user())
    assert client.get("/logout").status_code == 405


def test_logout_ends_the_session_here_and_elsewhere(app, make_user):
    user = make_user(email="sam@agency.test")
    phone, desk = app.test_client(), app.test_client()
    sign_in(phone, "sam@agency.test")
    sign_in(desk, "sam@agency.test")
    assert desk.get("/").status_code == 200
    response = phone.post("/logout")
    assert response.headers["Location"] == "/login"
    assert phone.get("/").status_code == 302
    assert desk.get("/").status_code == 302
    assert (AuditAction.LOGOUT, user.id, str(user.id)) in audit_actions()


def test_new_password_ends_existing_sessions(app, make_user):
    user = make_user(email="sam@agency.test")
    client = app.test_client()
    sign_in(client, "sam@agency.test")
    accounts.set_password(user, "a brand new long passphrase")
    db.session.commit()
    assert client.get("/").status_code == 302
    assert sign_in(client, "sam@agency.test", "a brand new long passphrase").status_code == 302


def test_a_new_session_cookie_is_issued_at_sign_in(app, make_user):
    make_user(email="sam@agency.test")
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, "sam@agency.test")
    with client.session_transaction() as session:
        assert "planted" not in session


def test_passwords_are_hashed_with_argon2id(make_user):
    user = make_user()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 15"),
        ("x" * 129, "at most 128"),
        ("aaaaaaaaaaaaaaaaaaaa", "repeated"),
        ("my name is whitfield ok", "name"),
        ("Password1234567!", "too easy to guess"),
        ("qwertyuiopasdfghjkl", "too easy to guess"),
        ("iloveyou12345678", "too easy to guess"),
    ],
)
def test_weak_passwords_are_refused(app, password, problem):
    with pytest.raises(accounts.AccountError, match=problem):
        accounts.create_user(
            email="sam@agency.test",
            display_name="Sam Whitfield",
            role=Role.ADMIN,
            password=password,
        )


def test_any_characters_are_allowed_in_a_password(client, make_user):
    make_user(email="mai@agency.test", password="mật khẩu của tôi 🌧️ rất dài")
    assert sign_in(client, "mai@agency.test", "mật khẩu của tôi 🌧️ rất dài").status_code == 302


def age_session(client, *, idle_minutes=0, signed_in_hours=0):
    import time

    with client.session_transaction() as session:
        session["seen_at"] = time.time() - idle_minutes * 60
        session["signed_in_at"] = time.time() - signed_in_hours * 3600


def test_an_idle_session_ends_on_the_server(client, make_user):
    make_user(email="sam@agency.test")
    sign_in(client, "sam@agency.test")
    age_session(client, idle_minutes=29)
    assert client.get("/").status_code == 200  # and this request counts as activity
    age_session(client, idle_minutes=31)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert "without activity" in client.get("/login").get_data(as_text=True)


def test_a_session_ends_after_twelve_hours_however_active(client, make_user):
    make_user(email="sam@agency.test")
    sign_in(client, "sam@agency.test")
    age_session(client, idle_minutes=1, signed_in_hours=12.1)
    assert client.get("/").status_code == 302
    assert "at most 12 hours" in client.get("/login").get_data(as_text=True)


def test_activity_keeps_a_session_alive(client, make_user):
    make_user(email="sam@agency.test")
    sign_in(client, "sam@agency.test")
    age_session(client, idle_minutes=25, signed_in_hours=1)
    import time

    before = time.time()
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        # Seen again by that request, however slowly it ran.
        assert before <= session["seen_at"] <= time.time()


def test_the_idle_limit_is_configurable(make_app, make_user):
    app = make_app(SESSION_IDLE_MINUTES=5)
    with app.app_context():
        make_user(email="sam@agency.test")
        client = app.test_client()
        sign_in(client, "sam@agency.test")
        age_session(client, idle_minutes=6)
        assert client.get("/").status_code == 302


def test_an_expired_session_gets_401_from_scripts(client, make_user):
    make_user(email="sam@agency.test")
    sign_in(client, "sam@agency.test")
    age_session(client, idle_minutes=60)
    assert client.get("/session").status_code == 401


def test_repeated_failures_from_one_address_are_throttled_for_that_account(make_app, make_user):
    app = make_app(LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS=3)
    with app.app_context():
        make_user(email="sam@agency.test")
        attacker = app.test_client()
        for _ in range(3):
            assert (
                sign_in(attacker, "sam@agency.test", "guess guess guess guess").status_code == 422
            )
        refused = sign_in(
            attacker, "sam@agency.test"
        )  # even the right password, from here, for now
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "900"
        assert "Too many failed sign-ins" in refused.get_data(as_text=True)
        # The worker on their own phone, at another address, is not locked out.
        assert sign_in(app.test_client(), "sam@agency.test", address="10.1.2.3").status_code == 302


def test_an_address_guessing_across_accounts_is_throttled(make_app, make_user):
    app = make_app(LOGIN_FAILURES_PER_ADDRESS=4)
    with app.app_context():
        for number in range(5):
            make_user(email=f"worker{number}@agency.test")
        attacker = app.test_client()
        for number in range(4):
            sign_in(
                attacker,
                f"worker{number}@agency.test",
                "guess guess guess guess",
                address="192.0.2.66",
            )
        assert sign_in(attacker, "worker4@agency.test", address="192.0.2.66").status_code == 429
        assert (
            sign_in(app.test_client(), "worker4@agency.test", address="192.0.2.7").status_code
            == 302
        )


def test_old_failures_no_longer_count(make_app, make_user):
    from datetime import timedelta

    from webapp.models import AuditEvent, User, utcnow

    app = make_app(LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS=2)
    with app.app_context():
        make_user(email="sam@agency.test")
        client = app.test_client()
        sam_id = db.session.scalar(sa.select(User.id).where(User.email == "sam@agency.test"))
        for _ in range(5):  # failures from sixteen minutes ago
            db.session.add(
                AuditEvent(
                    action=AuditAction.LOGIN_FAILED,
                    record_type="user",
                    record_id=str(sam_id),
                    address="127.0.0.1",
                    occurred_at=utcnow() - timedelta(minutes=16),
                )
            )
        db.session.commit()
        assert sign_in(client, "sam@agency.test").status_code == 302
        fresh = app.test_client()  # recent failures still count
        for _ in range(2):
            sign_in(fresh, "sam@agency.test", "guess guess guess guess")
        assert sign_in(fresh, "sam@agency.test").status_code == 429


def test_behind_a_proxy_the_forwarded_address_is_the_one_counted(make_app, make_user):
    app = make_app(PROXY_HOPS=1, LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS=1)
    with app.app_context():
        make_user(email="sam@agency.test")
        client = app.test_client()
        client.post(
            "/login",
            data={"email": "sam@agency.test", "password": "wrong wrong wrong wrong"},
            headers={"X-Forwarded-For": "198.51.100.9"},
        )
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == AuditAction.LOGIN_FAILED)
        )
        assert event.address == "198.51.100.9"
        other = client.post(
            "/login",
            data={"email": "sam@agency.test", "password": PASSWORD},
            headers={"X-Forwarded-For": "198.51.100.10"},
        )
        assert other.status_code == 302


@pytest.mark.parametrize("who", ["active", "deactivated", "unknown"])
def test_every_sign_in_runs_the_password_hash_so_timing_tells_nothing(
    client, make_user, monkeypatch, who
):
    import argon2

    user = make_user(Role.OUTREACH_WORKER)
    if who == "deactivated":
        user.active = False
        db.session.commit()
    verified = []
    real_verify = argon2.PasswordHasher.verify

    def counting_verify(self, hash, password):
        verified.append(password)
        return real_verify(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting_verify)
    response = sign_in(
        client, "nobody@agency.test" if who == "unknown" else user.email, "wrong password here"
    )
    assert response.status_code == 422 and FAILED_LOGIN_MESSAGE in response.get_data(as_text=True)
    assert verified == ["wrong password here"]
    verified.clear()
    response = sign_in(client, "nobody@agency.test" if who == "unknown" else user.email)
    assert verified == [PASSWORD]
    assert response.status_code == (302 if who == "active" else 422)
