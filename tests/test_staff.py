"""Staff accounts run from the app (issue 21, item 1): invite with a one-time set-up link, change
role, programs and supervisor, deactivate, reset a second factor, sign out everywhere; the last
admin stays; supervisors read their own team."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.test_auth import sign_in
from webapp.extensions import db
from webapp.models import AuditEvent, Role, StaffInvitation, User, utcnow

NEW_PASSWORD = "river lantern copper orchard"


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, email="priya@agency.test", name="Priya Raman")


@pytest.fixture
def program(make_program):
    return make_program("Street Outreach")


def invite(client, program, **data):
    body = {
        "email": "new.worker@agency.test",
        "display_name": "Jordan Lee",
        "role": "outreach_worker",
        "programs": [str(program.id)],
        "supervisor": "0",
    }
    body.update(data)
    return client.post("/admin/users/new", data=body)


def token_from(page: str) -> str:
    return re.search(r"/welcome/([A-Za-z0-9_-]{43})", page).group(1)


def test_an_admin_invites_and_the_link_is_shown_once(as_user, admin, program):
    client = as_user(admin)
    response = invite(client, program)
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "new.worker@agency.test"))
    assert [p.name for p in user.programs] == ["Street Outreach"]
    page = client.get(response.location).get_data(as_text=True)
    token = token_from(page)
    assert "data:image/svg+xml" in page
    assert token not in client.get(response.location).get_data(as_text=True)  # once
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "Jordan Lee" in listing and "Waiting for set-up" in listing
    stored = db.session.scalar(sa.select(StaffInvitation))
    assert stored.token_hash != token and token not in stored.token_hash


def test_the_new_colleague_sets_a_password_and_signs_in(app, as_user, admin, program):
    client = as_user(admin)
    token = token_from(client.get(invite(client, program).location).get_data(as_text=True))
    phone = app.test_client()
    # Before set-up nobody can sign in to the account.
    assert sign_in(phone, "new.worker@agency.test", NEW_PASSWORD).status_code == 422
    form = phone.get(f"/welcome/{token}")
    assert form.status_code == 200 and "new.worker@agency.test" in form.get_data(as_text=True)
    assert form.headers["Referrer-Policy"] == "no-referrer"
    mismatch = phone.post(
        f"/welcome/{token}", data={"password": NEW_PASSWORD, "again": "something else"}
    )
    assert mismatch.status_code == 422 and 'id="again-error"' in mismatch.get_data(as_text=True)
    weak = phone.post(f"/welcome/{token}", data={"password": "password", "again": "password"})
    assert weak.status_code == 422 and 'id="password-error"' in weak.get_data(as_text=True)
    done = phone.post(f"/welcome/{token}", data={"password": NEW_PASSWORD, "again": NEW_PASSWORD})
    assert done.status_code == 302 and done.location.endswith("/login")
    assert sign_in(phone, "new.worker@agency.test", NEW_PASSWORD).status_code == 302
    assert phone.get("/").status_code == 200
    used = phone.get(f"/welcome/{token}")
    assert used.status_code == 404
    paths = db.session.scalars(sa.select(AuditEvent.path)).all()
    assert "/welcome/[link]" in paths and not any(token in (p or "") for p in paths)


def test_every_dead_set_up_link_gets_one_page(app, as_user, admin, program):
    client = as_user(admin)
    first = token_from(client.get(invite(client, program).location).get_data(as_text=True))
    user = db.session.scalar(sa.select(User).where(User.email == "new.worker@agency.test"))
    # A new link revokes the first.
    again = client.post(f"/admin/users/{user.id}/setup-link")
    second = token_from(client.get(again.location).get_data(as_text=True))
    anonymous = app.test_client()
    revoked = anonymous.get(f"/welcome/{first}")
    unknown = anonymous.get("/welcome/" + "A" * 43)
    malformed = anonymous.get("/welcome/short")
    invitation = db.session.scalar(
        sa.select(StaffInvitation).where(StaffInvitation.revoked_at.is_(None))
    )
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    expired = anonymous.get(f"/welcome/{second}")
    # Less the CSRF token, signed with the time (it changes by the second).
    bodies = {
        re.sub(r'<meta name="csrf-token" content="[^"]*">', "", r.get_data(as_text=True))
        for r in (revoked, unknown, malformed, expired)
    }
    assert len(bodies) == 1 and {r.status_code for r in (revoked, unknown, expired)} == {404}


def test_a_new_role_or_new_programs_end_sessions_and_a_new_name_does_not(
    app, as_user, admin, make_user, program, make_program
):
    worker = make_user(Role.OUTREACH_WORKER, [program], email="sam@agency.test", name="Sam")
    phone = app.test_client()
    sign_in(phone, "sam@agency.test")
    client = as_user(admin)
    same = {"display_name": "Sam Whitfield", "role": "outreach_worker", "supervisor": "0"}
    client.post(f"/admin/users/{worker.id}", data={**same, "programs": [str(program.id)]})
    assert phone.get("/").status_code == 200  # only the name changed
    other = make_program("Housing First")
    response = client.post(f"/admin/users/{worker.id}", data={**same, "programs": [str(other.id)]})
    assert response.status_code == 302
    assert phone.get("/").status_code == 302  # signed out: what they may see changed
    sign_in(phone, "sam@agency.test")
    client.post(
        f"/admin/users/{worker.id}",
        data={**same, "role": "case_manager", "programs": [str(other.id)]},
    )
    assert phone.get("/").status_code == 302
    assert db.session.get(User, worker.id).role == Role.CASE_MANAGER


def test_the_last_active_admin_stays(as_user, admin, make_user):
    client = as_user(admin)
    refused = client.post(f"/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert "the only active admin" in refused.get_data(as_text=True)
    demote = client.post(
        f"/admin/users/{admin.id}",
        data={"display_name": "Priya", "role": "supervisor", "supervisor": "0"},
    )
    assert demote.status_code == 422 and "the only active admin" in demote.get_data(as_text=True)
    assert db.session.get(User, admin.id).active and db.session.get(User, admin.id).is_admin
    make_user(Role.ADMIN, email="second@agency.test")
    assert client.post(f"/admin/users/{admin.id}/deactivate").status_code == 302
    assert not db.session.get(User, admin.id).active


def test_deactivate_reset_second_factor_and_sign_out_everywhere(
    app, as_user, admin, make_user, program
):
    worker = make_user(Role.OUTREACH_WORKER, [program], email="sam@agency.test", second_factor=True)
    client = as_user(admin)
    desk = as_user(worker)
    assert desk.get("/").status_code == 200
    client.post(f"/admin/users/{worker.id}/reset-second-factor")
    assert db.session.get(User, worker.id).totp_secret is None
    assert desk.get("/").status_code == 302
    phone = app.test_client()
    sign_in(phone, "sam@agency.test")
    client.post(f"/admin/users/{worker.id}/sign-out")
    assert phone.get("/").status_code == 302
    sign_in(phone, "sam@agency.test")
    client.post(f"/admin/users/{worker.id}/deactivate")
    assert phone.get("/").status_code == 302
    assert sign_in(phone, "sam@agency.test").status_code == 422  # refused
    client.post(f"/admin/users/{worker.id}/reactivate")
    assert sign_in(phone, "sam@agency.test").status_code == 302


def test_who_may_use_the_staff_pages(client, as_user, admin, make_user, program):
    supervisor = make_user(Role.SUPERVISOR, [program], name="Marcus Oyelaran")
    mine = make_user(Role.OUTREACH_WORKER, [program], supervisor=supervisor, name="Mine Worker")
    make_user(Role.OUTREACH_WORKER, [program], name="Not Theirs")
    worker = as_user(mine)
    assert worker.get("/admin/users").status_code == 403
    team = as_user(supervisor).get("/admin/users")
    text = team.get_data(as_text=True)
    assert team.status_code == 200 and "Mine Worker" in text and "Not Theirs" not in text
    assert "Invite someone" not in text and f"/admin/users/{mine.id}" not in text
    for path in ("/new", f"/{mine.id}"):
        assert as_user(supervisor).get(f"/admin/users{path}").status_code == 403
        assert worker.get(f"/admin/users{path}").status_code == 403
    for action in ("deactivate", "reactivate", "reset-second-factor", "sign-out", "setup-link"):
        assert as_user(supervisor).post(f"/admin/users/{mine.id}/{action}").status_code == 403
        assert client.post(f"/admin/users/{mine.id}/{action}").status_code == 401
    assert client.get("/admin/users").status_code == 302
    assert as_user(admin).get("/admin/users/999999").status_code == 404
    assert db.session.get(User, mine.id).active


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "priya@agency.test"}, "email"),  # already taken
        ({"display_name": ""}, "display_name"),
        ({"display_name": "x" * 121}, "display_name"),
        ({"role": "overlord"}, "role"),
        ({"programs": ["999999"]}, "programs"),
        ({"supervisor": "999999"}, "supervisor"),
    ],
)
def test_bad_invitations_are_refused_beside_their_field(as_user, admin, program, data, field):
    response = invite(as_user(admin), program, **data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_a_supervisor_must_be_one(as_user, admin, make_user, program):
    not_a_supervisor = make_user(Role.OUTREACH_WORKER, [program])
    response = invite(as_user(admin), program, supervisor=str(not_a_supervisor.id))
    assert response.status_code == 422


def test_an_admin_invited_sets_up_two_step_sign_in_at_first_sign_in(app, as_user, admin, program):
    client = as_user(admin)
    page = client.get(
        invite(client, program, role="admin", email="ops@agency.test").location
    ).get_data(as_text=True)
    token = token_from(page)
    phone = app.test_client()
    form = phone.get(f"/welcome/{token}").get_data(as_text=True)
    assert "authenticator app" in form
    phone.post(f"/welcome/{token}", data={"password": NEW_PASSWORD, "again": NEW_PASSWORD})
    assert sign_in(phone, "ops@agency.test", NEW_PASSWORD).status_code == 302
    assert phone.get("/").location.endswith("/account/two-step")


def test_the_set_up_page_speaks_spanish(app, as_user, admin, program):
    client = as_user(admin)
    token = token_from(client.get(invite(client, program).location).get_data(as_text=True))
    page = app.test_client().get(f"/welcome/{token}?lang=es").get_data(as_text=True)
    assert 'lang="es"' in page and "Le damos la bienvenida" in page


def test_the_set_up_space_is_rate_limited(app, monkeypatch, one_rate_window):
    from webapp.routes import welcome

    monkeypatch.setattr(welcome, "REQUESTS_PER_WINDOW", 3)
    anonymous = app.test_client()
    statuses = [anonymous.get("/welcome/" + "A" * 43).status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_no_set_up_token_reaches_a_log(caplog):
    import logging

    from webapp.web.logs import redact_links

    token = "B" * 43
    logging.getLogger("werkzeug").warning('"POST /welcome/%s?lang=es HTTP/1.1" 302', token)
    assert "/welcome/[link]?lang=es" in caplog.text and token not in caplog.text
    assert redact_links(f"https://x.test/welcome/{token}") == "https://x.test/welcome/[link]"
