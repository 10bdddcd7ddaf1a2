"""Households and the client's network, on the client's record (issue 19).

Every page loads the client through `web.access` (404 for a client the user may not see); a
household, member or relationship is found only through that client, and a member or relationship
that names a client the user may not see answers 404 as that client would.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp import client_ids
from webapp.extensions import db
from webapp.forms.network import (
    HouseholdForm,
    MemberForm,
    RelationshipForm,
    birth_year_from,
)
from webapp.models import Client, ClientRelationship, HouseholdMember, RelationshipKind
from webapp.queries.network import member_name, visible_member, visible_relationship
from webapp.queries.visibility import visible_cases_of
from webapp.services import network
from webapp.timeutil import local_today
from webapp.web.access import get_client_or_404, resolve
from webapp.web.templating import say

bp = Blueprint("network", __name__, url_prefix="/clients/<persistent_id>")


def _back(client: Client) -> Response:
    return redirect(url_for("clients.view", persistent_id=client.display_id) + "#network-heading")


def _other_client(form: MemberForm | RelationshipForm) -> tuple[bool, Client | None]:
    """The client a typed ID names, if the user may see them: (found, client)."""
    if not form.client_id.data:
        return True, None
    other = resolve(client_ids.parse(form.client_id.data))
    if other is None or not (current_user.is_admin or visible_cases_of(current_user, other)):
        # One answer for an ID nobody holds and one the user may not see.
        form.client_id.errors.append(_("No client you can see has this ID."))
        return False, None
    return True, other


def _membership_of(client: Client, household_id: int) -> HouseholdMember:
    """The client's own membership of the household, or 404."""
    membership = db.session.scalar(
        sa.select(HouseholdMember).where(
            HouseholdMember.household_id == household_id,
            HouseholdMember.client_id == client.id,
        )
    )
    if membership is None:
        abort(404)
    return membership


def _error_on(form: MemberForm | RelationshipForm | HouseholdForm, message: str) -> None:
    """A service's refusal beside the field it concerns."""
    if message == _(network.NO_CONSENT) and "can_contact" in form:
        field = form.can_contact
    elif "name" in form:
        field = form.name
    else:  # a member who is a client, or a relationship with one: no name is typed
        field = form.left_on if "left_on" in form else form.kind
    field.errors.append(message)


def _kind(value: str | None) -> RelationshipKind | None:
    return RelationshipKind(value) if value else None


def _saved(form: MemberForm | RelationshipForm | HouseholdForm, client: Client, change) -> bool:
    """Make the change and commit it; a refusal goes beside the field it names (or above the
    form) and nothing is written."""
    try:
        change()
    except network.NetworkError as error:
        _error_on(form, say(error.args[0]))
        return False
    db.session.commit()
    return True


def _form_page(template: str, form, **context) -> tuple[str, int]:
    return render_template(template, form=form, **context), 422 if form.errors else 200


@bp.route("/household/new", methods=["GET", "POST"])
def new_household(persistent_id: str) -> Response | tuple[str, int]:
    client = get_client_or_404(persistent_id)
    form = HouseholdForm()
    if form.validate_on_submit() and _saved(
        form,
        client,
        lambda: network.create_household(
            client, name=form.name.data, created_by=current_user, joined_on=None
        ),
    ):
        flash(_("Household added."))
        return _back(client)
    return _form_page("network/household.html", form, client=client)


@bp.route("/household/<int:household_id>/edit", methods=["GET", "POST"])
def edit_household(persistent_id: str, household_id: int) -> Response | tuple[str, int]:
    client = get_client_or_404(persistent_id)
    household = _membership_of(client, household_id).household
    form = HouseholdForm(data={"name": household.name})
    if form.validate_on_submit() and _saved(
        form,
        client,
        lambda: network.rename_household(household, name=form.name.data, changed_by=current_user),
    ):
        return _back(client)
    return _form_page("network/household.html", form, client=client, household=household)


def _member_details(form: MemberForm, other: Client | None) -> network.MemberDetails:
    is_client = "name" not in form
    return network.MemberDetails(
        name="" if is_client else form.name.data or "",
        client=other,
        relationship=_kind(form.relationship.data) if "relationship" in form else None,
        birth_year=None if is_client else birth_year_from(form.age_or_year.data),
        lives_there=form.lives_there.data,
        can_contact=form.can_contact.data if "can_contact" in form else False,
        joined_on=form.joined_on.data,
    )


@bp.route("/household/<int:household_id>/members/new", methods=["GET", "POST"])
def new_member(persistent_id: str, household_id: int) -> Response | tuple[str, int]:
    client = get_client_or_404(persistent_id)
    household = _membership_of(client, household_id).household
    form = MemberForm()
    if form.validate_on_submit():
        found, other = _other_client(form)
        if found and _saved(
            form,
            client,
            lambda: network.add_member(
                household,
                _member_details(form, other),
                through=client,
                added_by=current_user,
                today=local_today(),
            ),
        ):
            return _back(client)
    return _form_page("network/member.html", form, client=client, household=household, member=None)


@bp.route("/household/members/<int:member_id>/edit", methods=["GET", "POST"])
def edit_member(persistent_id: str, member_id: int) -> Response | tuple[str, int]:
    client = get_client_or_404(persistent_id)
    member = db.session.get(HouseholdMember, member_id)
    if member is None or not visible_member(current_user, member):
        abort(404)
    household = _membership_of(client, member.household_id).household
    data = {
        "name": member.name,
        "relationship": member.relationship.value if member.relationship else "",
        "age_or_year": member.birth_year,
        "lives_there": member.lives_there,
        "can_contact": member.can_contact,
        "joined_on": member.joined_on,
        "left_on": member.left_on,
    }
    form = MemberForm(data=data)
    del form.client_id
    if member.client_id is not None:
        del form.name, form.age_or_year
    if member.is_contact:
        del form.relationship
    if member.client_id == client.id:
        del form.can_contact  # their own membership: they are not contacted about themselves
    if form.validate_on_submit() and _saved(
        form,
        client,
        lambda: network.update_member(
            member,
            _member_details(form, None),
            through=client,
            changed_by=current_user,
            today=local_today(),
            left_on=form.left_on.data,
        ),
    ):
        return _back(client)
    return _form_page(
        "network/member.html",
        form,
        client=client,
        household=household,
        member=member,
        member_name=member_name(member),
    )


def _relationship_details(
    form: RelationshipForm, other: Client | None
) -> network.RelationshipDetails:
    return network.RelationshipDetails(
        kind=RelationshipKind(form.kind.data),
        name=form.name.data or "" if "name" in form else "",
        other_client=other,
        how_to_reach=form.how_to_reach.data or "",
        can_contact=form.can_contact.data,
        ended_on=form.ended_on.data,
    )


@bp.route("/network/new", methods=["GET", "POST"])
def new_relationship(persistent_id: str) -> Response | tuple[str, int]:
    client = get_client_or_404(persistent_id)
    form = RelationshipForm()
    if form.validate_on_submit():
        found, other = _other_client(form)
        if found and _saved(
            form,
            client,
            lambda: network.add_relationship(
                client,
                _relationship_details(form, other),
                added_by=current_user,
                today=local_today(),
            ),
        ):
            return _back(client)
    return _form_page("network/relationship.html", form, client=client, relationship=None)


@bp.route("/network/<int:relationship_id>/edit", methods=["GET", "POST"])
def edit_relationship(persistent_id: str, relationship_id: int) -> Response | tuple[str, int]:
    client = get_client_or_404(persistent_id)
    relationship = db.session.get(ClientRelationship, relationship_id)
    if (
        relationship is None
        or relationship.client_id != client.id
        or not visible_relationship(current_user, relationship)
    ):
        abort(404)
    form = RelationshipForm(
        data={
            "kind": relationship.kind.value,
            "name": relationship.name,
            "how_to_reach": relationship.how_to_reach,
            "can_contact": relationship.can_contact,
            "ended_on": relationship.ended_on,
        }
    )
    del form.client_id
    if relationship.other_client_id is not None:
        del form.name
    if form.validate_on_submit() and _saved(
        form,
        client,
        lambda: network.update_relationship(
            relationship,
            _relationship_details(form, None),
            changed_by=current_user,
            today=local_today(),
        ),
    ):
        return _back(client)
    return _form_page("network/relationship.html", form, client=client, relationship=relationship)
