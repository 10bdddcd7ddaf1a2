"""Error pages in the app's layout, and bad input that gets a clear 4xx."""

import re
import time

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from webapp.extensions import db
from webapp.models import Program, Role


@pytest.fixture
def admin(as_user, make_user):
    return as_user(make_user(Role.ADMIN))


def test_404_page_is_in_the_layout(admin):
    response = admin.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "<h1>Not found</h1>" in page and 'class="bottom-nav"' in page


def test_404_for_signed_out_visitors_too(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


def test_403_explains_itself(as_user, make_user):
    response = as_user(make_user(Role.OUTREACH_WORKER)).get("/admin/programs")
    assert response.status_code == 403
    assert "Your account does not have access to this page" in response.get_data(as_text=True)


def test_405_lists_the_allowed_methods(admin):
    response = admin.delete("/admin/programs")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "That does not work here" in response.get_data(as_text=True)


def test_oversized_body_is_413_and_nothing_is_written(admin):
    response = admin.post(
        "/admin/programs/new",
        data={"name": "Big", "model": "generalist", "description": "x" * (2 * 1024 * 1024)},
    )
    assert response.status_code == 413
    assert "larger than this form accepts" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Program)) == 0


def test_malformed_form_encoding_is_a_4xx(admin):
    response = admin.post(
        "/admin/programs/new",
        data=b"name=%ZZ%%&model=\xff\xfe",
        content_type="application/x-www-form-urlencoded",
    )
    assert 400 <= response.status_code < 500


def test_unexpected_errors_are_500_in_the_layout_and_roll_back(make_app, make_user, make_program):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/test-boom")
    def boom():
        from webapp.services import programs

        programs.create_program(name="Half-made", model=programs.CaseModel.BROKERAGE)
        raise RuntimeError("boom")

    with app.app_context():
        response = app.test_client(user=make_user(Role.ADMIN)).get("/test-boom")
        assert response.status_code == 500
        assert "Something went wrong on our side" in response.get_data(as_text=True)
        assert db.session.scalar(sa.select(Program).where(Program.name == "Half-made")) is None


def test_htmx_requests_get_the_error_fragment_only(admin):
    response = admin.get("/no/such/page", headers={"HX-Request": "true"})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<div class="error-message" id="error-message"')
    assert "<html" not in page
    assert "HX-Request" in response.headers["Vary"]


def expired_token_of(client, app) -> str:
    """A token we signed for this client's own session, dated past the time limit: the form
    was open too long."""
    client.get("/")  # the session gets its CSRF secret
    with client.session_transaction() as session:
        secret = session["csrf_token"]
    limit = app.config["WTF_CSRF_TIME_LIMIT"]

    class LongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - limit - 60

    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token", signer=LongAgo).dumps(
        secret
    )


def test_csrf_failure_explains_and_keeps_what_was_typed_but_not_secrets(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client(user=make_user(Role.ADMIN))
        response = client.post(
            "/admin/programs/new",
            data={
                "name": "Night Outreach",
                "description": "Team of <b>two</b>",
                "model": "generalist",
                "csrf_token": expired_token_of(client, app),
                "password": "never echoed",
            },
        )
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert "Please send that again" in page and "Nothing was saved" in page
        assert '<input type="hidden" name="name" value="Night Outreach">' in page
        assert "Team of &lt;b&gt;two&lt;/b&gt;" in page
        assert "never echoed" not in page
        assert re.search(r'<form method="post" action="/admin/programs/new"', page)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Program)) == 0

        # "Send again" carries a fresh token and goes through.
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        resent = client.post(
            "/admin/programs/new",
            data={
                "name": "Night Outreach",
                "description": "Team of two",
                "model": "generalist",
                "csrf_token": token,
            },
        )
        assert resent.status_code == 302


def assert_nothing_rearmed(page: str) -> None:
    """A plain refusal: none of the posted fields, no form to send them again, no fresh token for
    them."""
    assert "Nothing was saved" in page
    assert "Forged Program" not in page and "attacker text" not in page
    assert 'action="/admin/programs/new"' not in page and "Send again" not in page
    assert 'name="name"' not in page


def other_sessions_token(app, make_user) -> str:
    """A token we really signed, but for somebody else's session (a colleague's own page)."""
    colleague = app.test_client(user=make_user(Role.OUTREACH_WORKER))
    page = colleague.get("/").get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


@pytest.mark.parametrize("token", ["missing", "forged", "another session's"])
def test_a_refused_csrf_request_not_from_this_session_is_not_offered_again(
    make_app, make_user, token
):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client(user=make_user(Role.ADMIN))
        client.get("/")  # the victim's session has a CSRF secret of its own
        sent = {
            "missing": None,
            "forged": "stale",
            "another session's": other_sessions_token(app, make_user),
        }[token]
        data = {"name": "Forged Program", "description": "attacker text", "model": "generalist"}
        if sent is not None:
            data["csrf_token"] = sent
        response = client.post("/admin/programs/new", data=data)
        assert response.status_code == 400
        assert_nothing_rearmed(response.get_data(as_text=True))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Program)) == 0


def test_a_good_token_refused_for_its_referrer_is_not_offered_again(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client(user=make_user(Role.ADMIN))
        page = client.get("/", base_url="https://localhost").get_data(as_text=True)
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
        response = client.post(
            "/admin/programs/new",
            base_url="https://localhost",
            headers={"Referer": "https://elsewhere.example/"},
            data={
                "name": "Forged Program",
                "description": "attacker text",
                "model": "generalist",
                "csrf_token": token,
            },
        )
        assert response.status_code == 400
        assert_nothing_rearmed(response.get_data(as_text=True))


def test_a_refused_htmx_request_without_a_token_gets_a_plain_fragment(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client(user=make_user(Role.ADMIN))
        response = client.post(
            "/admin/programs/new",
            headers={"HX-Request": "true"},
            data={"name": "Forged Program", "description": "attacker text", "model": "generalist"},
        )
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert page.lstrip().startswith('<div class="error-message" id="csrf-error"')
        assert_nothing_rearmed(page)
        assert "<form" not in page and "csrf_token" not in page


def test_post_without_csrf_token_is_refused(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client(user=make_user())
        assert client.post("/logout").status_code == 400
        assert client.get("/").status_code == 200  # still signed in


def test_htmx_sends_csrf_in_a_header_and_it_is_accepted(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client(user=make_user())
        page = client.get("/").get_data(as_text=True)
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
        response = client.post("/logout", headers={"X-CSRFToken": token, "HX-Request": "true"})
        assert response.status_code == 302


def test_htmx_post_without_csrf_header_is_refused(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client(user=make_user())
        response = client.post("/logout", headers={"HX-Request": "true"})
        assert response.status_code == 400
        assert (
            response.get_data(as_text=True)
            .lstrip()
            .startswith('<div class="error-message" id="csrf-error"')
        )
        assert client.get("/").status_code == 200
