"""The page number a paged list is asked for: one reading of `?page=` for every list."""

from __future__ import annotations

from flask import abort, request

# Far past any real list; a page number beyond it is refused, not counted to.
MAX_PAGE = 10_000


def page_number(most: int = MAX_PAGE) -> int:
    """`?page=N` (1 when absent). Anything but a whole number from 1 to `most` is a 400: a list
    is never asked to count to a page nobody could have been shown a link to."""
    page = request.args.get("page", "1")
    if not page.isdigit() or not 1 <= int(page) <= most:
        abort(400)
    return int(page)
