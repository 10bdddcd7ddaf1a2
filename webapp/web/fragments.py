"""One URL, two renderings: the full page, or for htmx the fragment the page includes."""

from __future__ import annotations

from typing import Any

from flask import Response, make_response, render_template, request


def render_page_or_fragment(page: str, fragment: str, **context: Any) -> Response:
    """Render `page`, or just `fragment` when htmx asks (not for boosted or history loads).

    The response varies on HX-Request, so no cache hands a fragment to a full-page load.
    """
    wants_fragment = (
        bool(request.htmx) and not request.htmx.boosted and not request.htmx.history_restore_request
    )
    response = make_response(render_template(fragment if wants_fragment else page, **context))
    response.vary.add("HX-Request")
    return response
