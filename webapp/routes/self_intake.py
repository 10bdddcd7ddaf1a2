"""The self-intake form a client opens from a link: /i/<token>. No account, in their language.

Opening the link (GET) changes nothing, so a messaging app's link preview cannot use it up. Every
way a link can fail (unknown, malformed, expired, revoked, used) gets the same page, and the
whole /i/ space is rate-limited per address. Pages here send no Referer and ask not to be indexed.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.forms.self_intake import STEPS, SelfIntakeForm
from webapp.models import Invitation
from webapp.services import self_intake
from webapp.web import i18n, link_pages
from webapp.web.security import public

bp = Blueprint("self_intake", __name__, url_prefix="/i")

REQUESTS_PER_WINDOW = 60
link_pages.guard(
    bp, key="i", busy_template="self_intake/busy.html", limit=lambda: REQUESTS_PER_WINDOW
)


def _gone() -> tuple[str, int]:
    # No invitation to ask: the page (or the form that was sent) says which language it was in.
    g.language = i18n.choose(request.args.get("lang"), request.form.get("lang"))
    return render_template("self_intake/gone.html"), 404


def _language(invitation: Invitation) -> str:
    g.language = i18n.choose(
        request.args.get("lang") or request.form.get("lang"), invitation.language
    )
    return g.language


@bp.route("/<token>", methods=["GET", "POST"])
@public
def form(token: str) -> Response | tuple[str, int]:
    invitation = self_intake.find_usable(token)
    if invitation is None:
        return _gone()
    language = _language(invitation)
    form = SelfIntakeForm()
    if form.validate_on_submit():
        try:
            self_intake.submit(invitation, form.answers(), language=language)
            db.session.commit()
        except sa.exc.IntegrityError:
            # Two sends of one form at once (a double tap, a retry on a slow line): both found the
            # link unused and the other stored its answers first. This one is a second send.
            db.session.rollback()
            return _gone()
        session["self_intake_program"] = invitation.program.name
        return redirect(url_for("self_intake.thanks", lang=language))
    return render_template(
        "self_intake/form.html",
        form=form,
        steps=STEPS,
        invitation=invitation,
        storage_key=f"waymark-self-intake-{invitation.id}-{invitation.created_at.timestamp():.0f}",
        token=token,
    ), 422 if form.errors else 200


@bp.post("/<token>/started")
@public
def started(token: str) -> Response | tuple[str, int]:
    """The client began typing (sent by the page's script): the invitation shows as opened."""
    invitation = self_intake.find_usable(token)
    if invitation is None:
        return _gone()
    self_intake.mark_started(invitation)
    db.session.commit()
    return Response(status=204)


@bp.get("/thanks")
@public
def thanks() -> str:
    return render_template("self_intake/thanks.html", program=session.get("self_intake_program"))
