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
        consents,
        contacts,
        documents,
        errors,
        health,
        intake_queue,
        invites,
        merge,
        network,
        offline,
        plans,
        provider,
        pwa,
        referral_links,
        referrals,
        reminders,
        reports,
        self_intake,
        staff,
        supervision,
        today,
        waiting,
        welcome,
    )

    for module in (
        auth,
        account,
        today,
        reminders,
        clients,
        consents,
        documents,
        network,
        merge,
        cases,
        contacts,
        assessments,
        plans,
        closure,
        referrals,
        referral_links,
        provider,
        supervision,
        reports,
        invites,
        intake_queue,
        waiting,
        self_intake,
        welcome,
        staff,
        offline,
        admin,
        pwa,
        health,
    ):
        app.register_blueprint(module.bp)
    errors.init_app(app)
