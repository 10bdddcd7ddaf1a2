"""`Idempotency-Key` on create endpoints: a repeat of a request that already succeeded gets the
first answer (the same redirect) and creates nothing.

The key is claimed in its own committed row before the view runs, so a concurrent repeat waits
for the first to finish instead of racing it (the unique constraint decides who is first). The
row is marked complete inside the same transaction as the record the view creates, so a crash
between the two cannot lead to a second record. A view that answers anything but a redirect
(validation errors, 404) releases the key: nothing was created, and a corrected resend may use it.

Whatever the first answer told the phone beyond where it led (a client ID re-issued because
the phone-made one was taken) is kept on the row too and said again on every replay: the
first answer may never have reached the phone, and a replay is then all it hears.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import (
    Flask,
    Response,
    abort,
    flash,
    g,
    has_request_context,
    jsonify,
    make_response,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from webapp.extensions import db
from webapp.models import IdempotencyKey, utcnow
from webapp.services.clients import ClientIdReissue

HEADER = "Idempotency-Key"
# Sent by the outbox (static/js/outbox-core.js): fetch cannot read a redirect's headers, so a
# redirect is answered as JSON instead, with where it led and any client ID the server re-issued.
OUTBOX_HEADER = "X-Waymark-Outbox"
# The outbox names whose entry it is sending; the server refuses it under anyone else's session.
OUTBOX_USER_HEADER = "X-Waymark-User"
REPLAY_HEADER = "Idempotent-Replay"
# A claim whose request never finished (the process died) is taken over after this.
ABANDONED_AFTER = timedelta(seconds=60)
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.05


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        raw = request.headers.get(HEADER)
        owner = request.headers.get(OUTBOX_USER_HEADER)
        if request.method == "POST" and owner is not None and owner != str(current_user.id):
            response = make_response(
                "This entry was saved on this phone by someone else; it is not sent as you.", 403
            )
            response.headers["X-Waymark-Wrong-User"] = "true"
            return response
        if request.method != "POST" or raw is None:
            return view(*args, **kwargs)
        try:
            key = str(uuid.UUID(raw))
        except ValueError:
            abort(400, description="The Idempotency-Key header must be a UUID.")
        claimed = _claim(key)
        if isinstance(claimed, Response):
            return claimed
        g.idempotency_key_id = claimed
        try:
            response = make_response(view(*args, **kwargs))
        except BaseException:
            g.pop("idempotency_key_id", None)
            _release(claimed)
            raise
        g.pop("idempotency_key_id", None)
        if 300 <= response.status_code < 400 and response.location:
            _complete(claimed, response.location)
        else:
            _release(claimed)
        return response

    return wrapped


def client_id_reissued(reissue: ClientIdReissue) -> None:
    """Tell the sender of this request, and of every replay of it, that a client ID its phone
    made was re-issued (called once per ID: an intake may make several clients). Call it before
    the view commits: the key's row then records it in the same transaction as the client."""
    pair = f"{reissue.phone_made} {reissue.issued}"
    earlier = g.get("client_id_reissued")
    g.client_id_reissued = f"{earlier};{pair}" if earlier else pair


def _replay(row: IdempotencyKey) -> Response:
    flash(_("Already saved: this was sent before."))
    response = redirect(row.response_location or url_for("today.index"))
    response.headers[REPLAY_HEADER] = "true"
    if row.client_id_reissued:
        g.client_id_reissued = row.client_id_reissued
    return response


def _claim(key: str) -> int | Response:
    """Our row's id once we own the key, or the first request's answer if it already ran."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        row = db.session.scalar(
            sa.select(IdempotencyKey).where(
                IdempotencyKey.user_id == current_user.id, IdempotencyKey.key == key
            )
        )
        if row is not None:
            if row.request_path != request.path:
                db.session.rollback()
                abort(422, description="This Idempotency-Key was already used for another form.")
            if row.completed_at is not None:
                response = _replay(row)
                db.session.rollback()
                return response
            if utcnow() - row.created_at > ABANDONED_AFTER:
                db.session.delete(row)
                db.session.commit()
                continue
            db.session.rollback()  # another request holds it: wait for its answer
            time.sleep(POLL_SECONDS)
            continue
        row = IdempotencyKey(user_id=current_user.id, key=key, request_path=request.path[:300])
        db.session.add(row)
        try:
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()
            continue
        return row.id
    response = make_response("This form is still being saved. It will be tried again.", 409)
    response.headers["Retry-After"] = "5"
    return response


def _complete(row_id: int, location: str) -> None:
    db.session.execute(
        sa.update(IdempotencyKey)
        .where(IdempotencyKey.id == row_id)
        .values(
            response_location=location[:500],
            completed_at=sa.func.coalesce(IdempotencyKey.completed_at, utcnow()),
            client_id_reissued=sa.func.coalesce(
                IdempotencyKey.client_id_reissued, g.get("client_id_reissued")
            ),
        )
    )
    db.session.commit()


def _release(row_id: int) -> None:
    db.session.rollback()
    db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.id == row_id))
    db.session.commit()


def _mark_completed(session: so.Session) -> None:
    """In the view's own transaction: the record and the key's completion commit together."""
    if has_request_context() and (row_id := g.get("idempotency_key_id")) is not None:
        session.execute(
            sa.update(IdempotencyKey)
            .where(IdempotencyKey.id == row_id, IdempotencyKey.completed_at.is_(None))
            .values(completed_at=utcnow(), client_id_reissued=g.get("client_id_reissued"))
        )


def init_app(app: Flask) -> None:
    if not sa.event.contains(so.Session, "before_commit", _mark_completed):
        sa.event.listen(so.Session, "before_commit", _mark_completed)

    @app.after_request
    def redirects_as_json_for_the_outbox(response: Response) -> Response:
        reissued = g.pop("client_id_reissued", None)
        saved = 300 <= response.status_code < 400 and response.location
        if saved and reissued:
            for pair in reissued.split(";"):
                phone_made, issued = pair.split(" ", 1)
                flash(
                    _(
                        "The ID made on the phone (%(phone_made)s) was already taken, so this "
                        "client's ID is %(issued)s. Write the new one down.",
                        phone_made=phone_made,
                        issued=issued,
                    )
                )
        if request.headers.get(OUTBOX_HEADER) and saved:
            if request.headers[OUTBOX_HEADER] == "background":
                session.pop("_flashes", None)  # nobody is looking: no stale "saved" notes later
            return jsonify(
                saved=True,
                location=response.location,
                replayed=response.headers.get(REPLAY_HEADER) == "true",
                client_id_reissued=reissued,
            )
        return response
