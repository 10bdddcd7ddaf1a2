"""Self-intake invitations: staff make a link (and its QR code), follow its status, revoke it."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.forms.invites import InvitationForm
from webapp.models import Client, Invitation, utcnow
from webapp.queries.visibility import intake_programs, is_supervisor_or_admin, visible_invitations
from webapp.services import self_intake
from webapp.web.access import get_client_or_404
from webapp.web.share_links import qr_code
from webapp.web.templating import say

bp = Blueprint("invites", __name__, url_prefix="/invites")


def _visible() -> sa.Select:
    """Mine; supervisors and admins also see their programs'. Never one naming a client hidden from
    the user."""
    query = sa.select(Invitation).where(visible_invitations(current_user))
    if is_supervisor_or_admin(current_user):
        return query
    return query.where(Invitation.created_by_id == current_user.id)


@bp.route("", methods=["GET", "POST"])
def index() -> Response | tuple[str, int]:
    programs = intake_programs(current_user)
    form = InvitationForm(programs=programs)
    if form.validate_on_submit():
        program = next((p for p in programs if p.id == form.program.data), None)
        client: Client | None = get_client_or_404(form.client.data) if form.client.data else None
        if program is None:
            form.program.errors.append(_("Choose one of your programs."))
        else:
            invitation, token = self_intake.create_invitation(
                current_user,
                program,
                language=form.language.data or "",
                client=client,
                expires_in=timedelta(days=form.expires_in_days.data),
                note=form.note.data or "",
            )
            db.session.commit()
            # Only the hash is stored: the link is shown once, on the next page, then forgotten.
            session["new_invitation"] = {"id": invitation.id, "token": token}
            return redirect(url_for("invites.share", invitation_id=invitation.id))
    invitations = db.session.scalars(
        _visible()
        .options(so.joinedload(Invitation.program), so.joinedload(Invitation.created_by))
        .order_by(Invitation.created_at.desc())
        .limit(100)
    ).all()
    return render_template(
        "invites/index.html", form=form, invitations=invitations, now=utcnow()
    ), 422 if form.errors else 200


@bp.get("/<int:invitation_id>/share")
def share(invitation_id: int) -> str:
    invitation = db.session.scalar(_visible().where(Invitation.id == invitation_id))
    if invitation is None:
        abort(404)
    new = session.get("new_invitation") or {}
    link = None
    if new.get("id") == invitation.id and invitation.usable(utcnow()):
        link = url_for("self_intake.form", token=new["token"], _external=True)
        session.pop("new_invitation")
    return render_template(
        "invites/share.html",
        invitation=invitation,
        link=link,
        qr=qr_code(link),
    )


@bp.post("/<int:invitation_id>/revoke")
def revoke(invitation_id: int) -> Response:
    invitation = db.session.scalar(_visible().where(Invitation.id == invitation_id))
    if invitation is None:
        abort(404)
    try:
        self_intake.revoke(invitation, current_user)
    except self_intake.SelfIntakeError as error:
        flash(say(error.args[0]))
    else:
        db.session.commit()
        flash(_("Link revoked: it no longer works."))
    return redirect(url_for("invites.index"))
