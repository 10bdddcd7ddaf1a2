"""The provider's page for one referral: /r/<token>. No account; what the consent allows.

Like the self-intake link: opening it (GET) changes nothing, so a link preview cannot answer for
the provider; every way a link fails (unknown, malformed, expired, revoked, the referral ended,
the consent withdrawn) gets the same page; the /r/ space is rate-limited per address; pages send
no Referer, ask not to be indexed and load nothing from elsewhere.
"""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.forms.provider_links import ProviderAnswerForm, ProviderNoteForm
from webapp.models import AuditAction, ProviderAnswer, ProviderLink
from webapp.queries.provider_links import answers_open_to, provider_view
from webapp.services import audit, provider_links, referrals
from webapp.timeutil import local_today
from webapp.web import link_pages
from webapp.web.security import public
from webapp.web.templating import say

bp = Blueprint("provider", __name__, url_prefix="/r")

REQUESTS_PER_WINDOW = 60
link_pages.guard(bp, key="r", busy_template="provider/busy.html", limit=lambda: REQUESTS_PER_WINDOW)


def _gone() -> tuple[str, int]:
    return render_template("provider/gone.html"), 404


def _answer_forms(link: ProviderLink) -> dict[ProviderAnswer, ProviderAnswerForm]:
    """One small form per answer open to the provider, each under its own prefix so the page's
    fields keep distinct ids."""
    return {
        given: ProviderAnswerForm(formdata=None, prefix=given.value)
        for given in answers_open_to(link.referral)
    }


def _page(
    link: ProviderLink,
    token: str,
    forms: dict[ProviderAnswer, ProviderAnswerForm],
    note_form: ProviderNoteForm,
    problem: str = "",
) -> tuple[str, int]:
    view = provider_view(link, local_today())
    failed = problem or note_form.errors or any(form.errors for form in forms.values())
    return render_template(
        "provider/page.html",
        view=view,
        token=token,
        forms=forms,
        note_form=note_form,
        problem=problem,
    ), 422 if failed else 200


@bp.get("/<token>")
@public
def page(token: str) -> tuple[str, int]:
    link = provider_links.find_usable(token)
    if link is None:
        return _gone()
    # What the provider reads of the client is a read of the client's record.
    audit.record(AuditAction.VIEW, "provider_link", link.id)
    db.session.commit()
    return _page(link, token, _answer_forms(link), ProviderNoteForm(formdata=None))


@bp.post("/<token>")
@public
def answer(token: str) -> Response | tuple[str, int]:
    link = provider_links.find_usable(token)
    if link is None:
        return _gone()
    forms = _answer_forms(link)
    given = ProviderAnswer._value2member_map_.get(request.form.get("which", ""))
    if given not in forms:
        # Answered already (a second tap, a colleague at the same desk): say so, show where it is.
        return _page(
            link,
            token,
            forms,
            ProviderNoteForm(formdata=None),
            problem=_(
                "That answer no longer fits: the referral has moved on. Here is where it stands."
            ),
        )
    form = forms[given] = ProviderAnswerForm(prefix=given.value)
    form.answer.data = given.value
    if form.validate_on_submit():
        try:
            provider_links.answer(
                link,
                given,
                note=form.note.data or "",
                appointment=referrals.Appointment(
                    form.appointment_on.data,
                    form.appointment_time.data,
                    # At the provider's own address unless they say otherwise.
                    form.appointment_place.data or link.referral.service.provider.address,
                )
                if given == ProviderAnswer.SCHEDULE
                else None,
                commitment=form.commitment.data or "",
                commitment_by=form.commitment_by.data,
            )
        except provider_links.ProviderLinkError as error:
            db.session.rollback()
            form.answer.errors = [say(error.args[0])]
        else:
            db.session.commit()
            flash(_("Thank you: the worker has your answer."))
            return redirect(url_for("provider.page", token=token, lang=g.language))
    return _page(link, token, forms, ProviderNoteForm(formdata=None))


@bp.post("/<token>/note")
@public
def note(token: str) -> Response | tuple[str, int]:
    link = provider_links.find_usable(token)
    if link is None:
        return _gone()
    form = ProviderNoteForm()
    if form.validate_on_submit():
        try:
            provider_links.send_note(link, form.message.data or "")
        except provider_links.ProviderLinkError as error:
            db.session.rollback()
            form.message.errors = [say(error.args[0])]
        else:
            db.session.commit()
            flash(_("Thank you: the worker has your note."))
            return redirect(url_for("provider.page", token=token, lang=g.language))
    return _page(link, token, _answer_forms(link), form)
