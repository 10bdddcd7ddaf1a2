"""A check for load balancers and process supervisors."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response

from webapp.extensions import db
from webapp.web.security import public

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def healthz() -> Response:
    """200 when the app can reach its database, 503 when it cannot."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return Response("database unreachable\n", status=503, mimetype="text/plain")
    return Response("ok\n", mimetype="text/plain")
