"""Generated data for benchmarks: an organisation with every role the benchmarks sign in as."""

import pyotp
import sqlalchemy as sa

from webapp.extensions import db
from webapp.jobs import generate
from webapp.models import Case, Client, Role, User


def test_generated_staff_include_supervisors_and_an_admin_who_can_sign_in(app):
    generate.generate(clients=60, contacts=120)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Client.id))) == 60
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) >= 60
    roles = db.session.scalars(sa.select(User.role)).all()
    assert Role.SUPERVISOR in roles and Role.ADMIN in roles
    admin = db.session.scalar(sa.select(User).where(User.role == Role.ADMIN))
    assert admin.has_second_factor and admin.email.endswith(f"@{generate.EMAIL_DOMAIN}")
    assert generate.real_users_present() is False
    # The benchmark signs the admin in as a person would: password, then the authenticator's code.
    browser = app.test_client()
    response = browser.post("/login", data={"email": admin.email, "password": generate.PASSWORD})
    assert response.headers["Location"] == "/login/code"
    code = pyotp.TOTP(generate.ADMIN_TOTP_SECRET).now()
    assert browser.post("/login/code", data={"code": code}).status_code == 302
    for page in ("/supervision", "/reports"):
        assert browser.get(page).status_code == 200
