"""No stored code reaches a person's eyes (issue 18, item 12).

Every page of the demo organisation that a link reaches, for every role, is read as a person
reads it (text, not markup) and searched for the snake_case values of every enum people meet.
"""

from __future__ import annotations

import enum
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa

import webapp.models as models
from webapp.extensions import db
from webapp.jobs import demo
from webapp.models import User

# Pages that are files or change something on GET, and pages no person reads.
NOT_PAGES = re.compile(r"^/(logout|static/|sw\.js|reports/export|manifest|healthz|session)|\.csv$")
MOST_PAGES = 400  # the demo has fewer; a bound keeps the loop finite whatever links appear


def raw_codes() -> set[str]:
    """Every enum value that a label would stand in for: words joined by '_'."""
    codes = set()
    for item in vars(models).values():
        if isinstance(item, type) and issubclass(item, enum.Enum):
            codes |= {str(member.value) for member in item if "_" in str(member.value)}
    return codes


class Reader(HTMLParser):
    """The text a person sees, and the links a person can follow."""

    HIDDEN = {"script", "style", "template"}

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        # Words in attributes are read aloud or shown as hints.
        for name in ("title", "aria-label", "placeholder", "alt"):
            if values.get(name):
                self.text.append(values[name] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


def test_the_codes_are_what_this_test_thinks_they_are():
    codes = raw_codes()
    # The ones the issue saw on screen, and a stored referral status; if these vanish the
    # search below has stopped looking.
    assert {"goals_met", "mental_health", "home_visit", "case_manager"} <= codes


@pytest.mark.parametrize("email", ["outreach", "casemanager", "supervisor", "admin"])
def test_no_page_of_the_demo_shows_a_stored_code(app, as_user, email):
    demo.load()
    db.session.commit()
    user = db.session.scalar(sa.select(User).where(User.email == f"{email}@{demo.DOMAIN}"))
    client = as_user(user)
    pattern = re.compile(r"\b(" + "|".join(sorted(raw_codes(), key=len, reverse=True)) + r")\b")
    seen: set[str] = set()
    queue = deque(["/"])
    found: list[str] = []
    while queue and len(seen) < MOST_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code in (301, 302, 303):
            queue.append(urlsplit(response.headers["Location"]).path)
            continue
        assert response.status_code < 500, path
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        reader = Reader()
        reader.feed(response.get_data(as_text=True))
        text = " ".join(reader.text)
        found += [f"{path}: {match}" for match in sorted(set(pattern.findall(text)))]
        for href in reader.links:
            parts = urlsplit(urljoin(path, href))
            if parts.netloc or NOT_PAGES.search(parts.path):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                queue.append(target)

    assert len(seen) > 20, seen  # the crawl reached the record, not only the front page
    assert not found, found
