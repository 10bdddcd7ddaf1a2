"""One blueprint per area of the app."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from webapp.routes import (
        account,
        admin,
        assessments,
        auth,
        cases,
        clients,
        closure,
        errors,
        health,
        offline,
        plans,
        pwa,
        referrals,
        reminders,
        supervision,
        today,
    )

    for module in (auth, account, today, reminders, clients, cases, assessments, plans, closure, referrals,
                   supervision, offline, admin, pwa, health):
        app.register_blueprint(module.bp)
    errors.init_app(app)
