"""The worker's side of the closed loop: the provider's link (make, shape, revoke), the notice that
the case closed, and the slip the client carries. (What the provider agreed to do is saved from
the referral page, in routes/referrals.py, so a refused one comes back with what was typed.)"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.forms.provider_links import LinkShownForm
from webapp.models import NameShown, Referral
from webapp.queries.provider_links import current_link
from webapp.services import provider_links
from webapp.web import i18n
from webapp.web.access import get_referral_or_404
from webapp.web.share_links import provider_link_url, qr_code
from webapp.web.templating import say

bp = Blueprint("referral_links", __name__)


def _back(referral: Referral, anchor: str = "provider-link") -> Response:
    return redirect(url_for("referrals.view", referral_id=referral.id, _anchor=anchor))


def _failed(error: provider_links.ProviderLinkError) -> None:
    flash(say(error.args[0]))


@bp.post("/referrals/<int:referral_id>/link")
def make(referral_id: int) -> Response:
    """A new link for the provider; the last one stops working."""
    referral = get_referral_or_404(referral_id)
    if not referral.is_open and referral.status != "no_show":
        abort(409)
    try:
        provider_links.make_link(referral, by=current_user)
    except provider_links.ProviderLinkError as error:
        db.session.rollback()
        _failed(error)
    else:
        db.session.commit()
        flash(_("A new link for the provider is ready: share it. The old one no longer works."))
    return _back(referral)


@bp.post("/referrals/<int:referral_id>/link/revoke")
def revoke(referral_id: int) -> Response:
    referral = get_referral_or_404(referral_id)
    link = current_link(referral)
    if link is None:
        abort(404)
    if not provider_links.may_choose_what_is_shown(current_user, referral.case):
        abort(403)
    provider_links.revoke(link, by=current_user)
    db.session.commit()
    flash(_("The provider's link no longer works."))
    return _back(referral)


@bp.post("/referrals/<int:referral_id>/link/shown")
def shown(referral_id: int) -> Response | tuple[str, int]:
    referral = get_referral_or_404(referral_id)
    link = current_link(referral)
    if link is None:
        abort(404)
    form = LinkShownForm()
    if form.validate_on_submit():
        try:
            provider_links.choose_what_is_shown(
                link,
                by=current_user,
                name_shown=NameShown(form.name_shown.data),
                show_reason=bool(form.show_reason.data),
                show_contact=bool(form.show_contact.data),
            )
        except provider_links.ProviderLinkError as error:
            db.session.rollback()
            _failed(error)
        else:
            db.session.commit()
            flash(_("Saved: the provider's page shows what you chose."))
        return _back(referral)
    # The form always comes with one of its own choices picked: anything else was not sent by it.
    abort(400)


@bp.post("/referrals/<int:referral_id>/closure-notice")
def closure_notice(referral_id: int) -> Response:
    referral = get_referral_or_404(referral_id)
    link = current_link(referral)
    if link is None:
        abort(404)
    try:
        provider_links.send_closure_notice(link, by=current_user)
    except provider_links.ProviderLinkError as error:
        db.session.rollback()
        _failed(error)
    else:
        db.session.commit()
        flash(
            _(
                "%(provider)s is told the case has closed, on their link.",
                provider=referral.service.provider.name,
            )
        )
    return redirect(
        request.form.get("next") == "case"
        and url_for("cases.view", case_id=referral.case_id, _anchor="providers")
        or url_for("referrals.view", referral_id=referral.id)
    )


@bp.get("/referrals/<int:referral_id>/slip")
def slip(referral_id: int) -> str:
    """What the client carries to the provider: where, when, what to bring, and the provider's
    link as a QR code for the desk to scan. In the client's language where Waymark has it."""
    referral = get_referral_or_404(referral_id)
    g.language = i18n.choose(
        request.args.get("lang"), referral.case.client.language, current_user.language
    )
    url = provider_link_url(current_link(referral))
    db.session.commit()  # the read is audited
    return render_template("referrals/slip.html", referral=referral, url=url, qr=qr_code(url))
