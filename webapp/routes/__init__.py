"""One blueprint per area of the app."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from webapp.routes import account, admin, auth, cases, clients, errors, health, offline, pwa, referrals, today

    for module in (auth, account, today, clients, cases, referrals, offline, admin, pwa, health):
        app.register_blueprint(module.bp)
    errors.init_app(app)
