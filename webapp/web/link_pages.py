"""Pages reached by a link, for people without a session: a client's self-intake (/i/), a
provider's referral (/r/), a new colleague's set-up (/welcome/). One guard for all of them: the
language a `?lang=` asks for, a request limit per address (counted in the database, across
servers), no Referer sent on, and no indexing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Blueprint, g, render_template, request
from werkzeug.wrappers import Response

from webapp.web import i18n, rate_limit

WINDOW = timedelta(minutes=10)


def guard(blueprint: Blueprint, *, key: str, busy_template: str, limit: Callable[[], int]) -> None:
    """`limit` is read per request, so a module's limit can be changed (a test does)."""

    @blueprint.before_request
    def limit_per_address() -> tuple[str, int] | None:
        g.language = i18n.choose(request.args.get("lang"))
        if not rate_limit.allow(f"{key}:{request.remote_addr}", limit=limit(), window=WINDOW):
            return render_template(busy_template), 429
        return None

    @blueprint.after_request
    def private_pages(response: Response) -> Response:
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        return response
