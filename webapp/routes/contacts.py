"""Logging a contact: from a case, or (from the offline outbox) for a client known by ID only."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.forms.cases import ContactForm, to_utc
from webapp.models import Case, ContactType, RelationshipKind
from webapp.queries.network import people_of
from webapp.queries.visibility import visible_cases_of
from webapp.services import cases
from webapp.web.access import get_case_or_404, get_client_or_404
from webapp.web.idempotency import idempotent
from webapp.web.security import back_to_case
from webapp.web.templating import say

bp = Blueprint("contacts", __name__)


@bp.route("/cases/<int:case_id>/contacts/new", methods=["GET", "POST"])
@idempotent
def for_case(case_id: int) -> Response | tuple[str, int]:
    return _contact_form(get_case_or_404(case_id))


def _contact_form(case: Case) -> Response | tuple[str, int]:
    """The contact log for `case`, reached by case id or (from the offline outbox) by client ID."""
    form = ContactForm()
    if form.validate_on_submit():
        try:
            cases.log_contact(
                case,
                recorded_by=current_user,
                occurred_at=to_utc(form.occurred_at.data),
                contact_type=ContactType(form.contact_type.data),
                duration_minutes=form.duration_minutes.data,
                place=form.place.data or "",
                services_given=", ".join(form.services_given.data or []),
                note=form.note.data,
                next_follow_up_on=form.next_follow_up_on.data,
                clear_follow_up=form.clear_follow_up.data,
                collateral_name=form.collateral_name.data or "",
                collateral_relationship=RelationshipKind(form.collateral_relationship.data)
                if form.collateral_relationship.data
                else None,
            )
        except cases.CaseError as error:
            form.note.errors.append(say(error.args[0]))
        else:
            db.session.commit()
            flash(_("Contact with %(name)s saved.", name=case.client.preferred_name))
            return redirect(back_to_case(case.id))
    status = 422 if form.errors else 200
    return render_template(
        "cases/contact_form.html",
        case=case,
        form=form,
        people=people_of(current_user, case.client),
    ), status


@bp.route("/clients/<persistent_id>/contacts/new", methods=["GET", "POST"])
@idempotent
def for_client(persistent_id: str) -> Response | tuple[str, int]:
    """A contact for a client known by ID only: one whose intake was queued on the same phone."""
    client = get_client_or_404(persistent_id)
    open_cases = [case for case in visible_cases_of(current_user, client) if case.is_open]
    mine = [case for case in open_cases if case.primary_worker_id == current_user.id]
    if not (mine or open_cases):
        abort(404)
    return _contact_form((mine or open_cases)[0])
