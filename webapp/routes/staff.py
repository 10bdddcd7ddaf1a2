"""Staff accounts without a shell (/admin/users): admins invite and change people; a supervisor
reads their own team."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.forms.staff import StaffForm
from webapp.models import Program, Role, User, utcnow
from webapp.queries.staff import staff_visible_to, supervisors
from webapp.services import staff
from webapp.web.share_links import qr_code
from webapp.web.templating import say

bp = Blueprint("staff", __name__, url_prefix="/admin/users")


def _admins_only() -> None:
    if not current_user.is_admin:
        abort(403)


def _person(user_id: int) -> User:
    _admins_only()
    return db.get_or_404(User, user_id)


def _all_programs() -> list[Program]:
    return list(db.session.scalars(db.select(Program).order_by(Program.name)))


def _form(**kwargs) -> StaffForm:
    return StaffForm(programs=_all_programs(), supervisors=supervisors(), **kwargs)


@bp.get("")
def index() -> str:
    if current_user.role not in (Role.ADMIN, Role.SUPERVISOR):
        abort(403)
    return render_template(
        "admin/users.html",
        rows=staff_visible_to(current_user, utcnow()),
        read_only=not current_user.is_admin,
    )


def _chosen(form: StaffForm) -> tuple[list[Program], User | None]:
    programs = [p for p in _all_programs() if p.id in (form.programs.data or [])]
    supervisor = db.session.get(User, form.supervisor.data) if form.supervisor.data else None
    return programs, supervisor


@bp.route("/new", methods=["GET", "POST"])
def new() -> Response | tuple[str, int]:
    _admins_only()
    form = _form(editing=False)
    if form.validate_on_submit():
        programs, supervisor = _chosen(form)
        try:
            user, token = staff.invite(
                email=form.email.data,
                display_name=form.display_name.data,
                role=Role(form.role.data),
                programs=programs,
                supervisor=supervisor,
                by=current_user,
            )
        except staff.StaffError as error:
            db.session.rollback()
            form.email.errors.append(say(error.args[0]))
        else:
            db.session.commit()
            # Only the hash is stored: the link is shown once, on the next page, then forgotten.
            session["new_setup_link"] = {"id": user.id, "token": token}
            return redirect(url_for("staff.view", user_id=user.id))
    return render_template("admin/user_form.html", form=form, person=None), (
        422 if form.errors else 200
    )


@bp.route("/<int:user_id>", methods=["GET", "POST"])
def view(user_id: int) -> Response | tuple[str, int]:
    person = _person(user_id)
    form = _form(
        editing=True,
        data=None
        if request.method == "POST"
        else {
            "display_name": person.display_name,
            "role": person.role.value,
            "programs": [p.id for p in person.programs],
            "supervisor": person.supervisor_id or 0,
        },
    )
    if form.validate_on_submit():
        programs, supervisor = _chosen(form)
        try:
            ended = staff.change(
                person,
                display_name=form.display_name.data,
                role=Role(form.role.data),
                programs=programs,
                supervisor=supervisor,
                by=current_user,
            )
        except staff.StaffError as error:
            db.session.rollback()
            form.role.errors.append(say(error.args[0]))
        else:
            db.session.commit()
            flash(
                _(
                    "Saved. %(name)s's sessions have ended: they sign in again.",
                    name=person.display_name,
                )
                if ended
                else _("Saved.")
            )
            return redirect(url_for("staff.view", user_id=person.id))
    new = session.get("new_setup_link") or {}
    link = None
    if new.get("id") == person.id:
        link = url_for("welcome.set_up", token=new["token"], _external=True)
        session.pop("new_setup_link")
    return render_template(
        "admin/user_form.html",
        form=form,
        person=person,
        link=link,
        qr=qr_code(link),
        waiting=staff.waiting_for_set_up(person),
    ), 422 if form.errors else 200


def _act(user_id: int, action, done: str) -> Response:
    person = _person(user_id)
    try:
        action(person, by=current_user)
    except staff.StaffError as error:
        db.session.rollback()
        flash(say(error.args[0]))
    else:
        db.session.commit()
        flash(done % {"name": person.display_name})
    return redirect(url_for("staff.view", user_id=person.id))


@bp.post("/<int:user_id>/deactivate")
def deactivate(user_id: int) -> Response:
    return _act(
        user_id, staff.deactivate, _("%(name)s can no longer sign in; their sessions have ended.")
    )


@bp.post("/<int:user_id>/reactivate")
def reactivate(user_id: int) -> Response:
    return _act(user_id, staff.reactivate, _("%(name)s can sign in again."))


@bp.post("/<int:user_id>/reset-second-factor")
def reset_second_factor(user_id: int) -> Response:
    return _act(
        user_id,
        staff.reset_second_factor,
        _("%(name)s's authenticator app is forgotten; they set up a new one when they sign in."),
    )


@bp.post("/<int:user_id>/sign-out")
def sign_out(user_id: int) -> Response:
    return _act(user_id, staff.sign_out_everywhere, _("%(name)s is signed out on every device."))


@bp.post("/<int:user_id>/setup-link")
def setup_link(user_id: int) -> Response:
    """A new set-up link (the person lost theirs, or it expired); the last one stops working."""
    person = _person(user_id)
    if not person.active:
        abort(409)
    token = staff.new_setup_link(person, by=current_user)
    db.session.commit()
    session["new_setup_link"] = {"id": person.id, "token": token}
    return redirect(url_for("staff.view", user_id=person.id))
