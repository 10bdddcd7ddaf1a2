"""Merging a duplicate record into this one, and undoing a merge."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp import client_ids
from webapp.extensions import db
from webapp.forms.merge import FIELD_LABELS, MergeForm, SuggestMergeForm
from webapp.models import Client, ClientMerge, MergeSuggestion
from webapp.queries import duplicates
from webapp.queries.merges import suggestion_for
from webapp.queries.visibility import may_merge, visible_cases_of
from webapp.services import merge
from webapp.timeutil import local_today
from webapp.web.access import get_client_or_404, resolve
from webapp.web.templating import say

bp = Blueprint("merge", __name__, url_prefix="/clients")


def _person_of(client: Client) -> duplicates.Person:
    return duplicates.Person(
        names=[client.preferred_name, client.legal_name or "", *(a.name for a in client.aliases)],
        date_of_birth=client.date_of_birth,
        phone=client.phone,
    )


def _other(typed: str, this: Client) -> Client | None:
    """The other record, if the typed ID names one the user may see and merge."""
    try:
        client_ids.parse(typed)
    except client_ids.InvalidClientId:
        return None
    other = get_client_or_404(typed)
    return None if other.id == this.id else other


@bp.route("/<persistent_id>/merge", methods=["GET", "POST"])
def merge_into(persistent_id: str) -> Response | tuple[str, int]:
    """The record on the URL survives; the other one's ID leads to it afterwards."""
    this = get_client_or_404(persistent_id)
    if not may_merge(current_user, this):
        abort(403)
    form = MergeForm()
    typed = (form.other.data if form.is_submitted() else request.args.get("other", ""))[:40]
    other = _other(typed, this) if typed.strip() else None
    if other is not None and not may_merge(current_user, other):
        abort(403)
    if typed.strip() and other is None:
        form.other.errors = [_("No other record with this ID that you can see.")]
    if other is not None and not form.is_submitted():
        # What one record knows and the other does not is kept unless the person chooses.
        for name in FIELD_LABELS:
            if getattr(this, name) in (None, "") and getattr(other, name) not in (None, ""):
                form[name].data = "other"
    if other is not None and form.validate_on_submit():
        try:
            merge.merge_clients(
                this, other, take_from_merged=form.taken_from_other(), merged_by=current_user
            )
        except merge.MergeError as error:
            form.confirm.errors = [say(error.args[0])]
        else:
            db.session.commit()
            flash(
                _(
                    "Merged: %(id)s now leads to this record. An admin can undo it within 30 days.",
                    id=other.display_id,
                )
            )
            return redirect(url_for("clients.view", persistent_id=this.display_id))
    suggestion = suggestion_for(this, other) if other is not None else None
    candidates = []
    if other is None:
        check = duplicates.check(current_user, _person_of(this), local_today())
        candidates = [c for c in check.candidates if c.client.id != this.id]
    return render_template(
        "clients/merge.html",
        this=this,
        other=other,
        form=form,
        typed=typed,
        candidates=candidates,
        suggestion=suggestion,
        fields=FIELD_LABELS,
        cases_of={
            client.id: visible_cases_of(current_user, client) for client in (this, other) if client
        },
    ), 422 if form.errors else 200


def _seen_by_user(typed: str) -> Client | None:
    """The record a typed ID names, if the user may see it; None otherwise, without a 404."""
    try:
        canonical = client_ids.parse(typed)
    except client_ids.InvalidClientId:
        return None
    client = resolve(canonical)
    if client is None or not (current_user.is_admin or visible_cases_of(current_user, client)):
        return None
    return client


@bp.route("/<persistent_id>/merge/suggest", methods=["GET", "POST"])
def suggest(persistent_id: str) -> Response | tuple[str, int]:
    """A worker who may not merge asks someone who may."""
    this = get_client_or_404(persistent_id)
    form = SuggestMergeForm()
    if form.validate_on_submit():
        other = _seen_by_user(form.other.data or "")
        if other is None or other.id == this.id:
            form.other.errors = [_("No other record with this ID that you can see.")]
        else:
            merge.suggest(this, other, suggested_by=current_user, note=form.note.data or "")
            db.session.commit()
            flash(_("Merge suggested: a supervisor will compare the two records."))
            return redirect(url_for("clients.view", persistent_id=this.display_id))
    return render_template(
        "clients/suggest_merge.html", client=this, form=form
    ), 422 if form.errors else 200


@bp.post("/<persistent_id>/merge/suggestions/<int:suggestion_id>/dismiss")
def dismiss(persistent_id: str, suggestion_id: int) -> Response:
    this = get_client_or_404(persistent_id)
    suggestion = db.session.get(MergeSuggestion, suggestion_id)
    if suggestion is None or this.id not in (suggestion.client_id, suggestion.other_id):
        abort(404)
    if not (
        may_merge(current_user, suggestion.client) and may_merge(current_user, suggestion.other)
    ):
        abort(403)
    merge.dismiss(suggestion, dismissed_by=current_user)
    db.session.commit()
    flash(_("Marked as two different people."))
    return redirect(url_for("clients.view", persistent_id=this.display_id))


@bp.post("/<persistent_id>/merges/<int:merge_id>/undo")
def undo(persistent_id: str, merge_id: int) -> Response:
    survivor = get_client_or_404(persistent_id)
    record = db.session.get(ClientMerge, merge_id)
    if record is None or record.survivor_id != survivor.id:
        abort(404)
    if not current_user.is_admin:
        abort(403)
    try:
        merge.undo_merge(record, undone_by=current_user)
    except merge.MergeError as error:
        flash(say(error.args[0]))
    else:
        db.session.commit()
        flash(_("Merge undone: %(id)s is a record of its own again.", id=record.merged.display_id))
    return redirect(url_for("clients.view", persistent_id=survivor.display_id))
