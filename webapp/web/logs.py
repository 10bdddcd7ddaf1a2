"""Link tokens (a self-intake's /i/<token>, a provider's /r/<token>, a new colleague's
/welcome/<token>) kept out of every log: the app's, werkzeug's, gunicorn's error and access logs,
and the tracebacks they carry."""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from gunicorn.glogging import Logger

from webapp.services.audit import redact

# Anywhere in a line (a request line, a full URL, an exception's message); /i/thanks is no secret.
_LINK = re.compile(r"/(i|r|welcome)/(?!thanks(?![\w-]))[^/\s?#\"'<>\\]+")


def redact_links(text: str) -> str:
    return _LINK.sub(r"/\1/[link]", text)


def _redacted(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:
        return record
    if _LINK.search(message):
        record.msg, record.args = redact_links(message), ()
    if record.exc_info and not record.exc_text:
        # Formatted now, as every formatter would (they reuse exc_text), so the text can be cleaned.
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if _LINK.search(text):
            record.exc_text = redact_links(text)
    if record.stack_info and _LINK.search(record.stack_info):
        record.stack_info = redact_links(record.stack_info)
    return record


def install_redaction() -> None:
    """Clean every log record as it is made, whichever logger makes it: a filter on one logger
    or handler would miss the loggers and handlers set up after it (gunicorn's, an operator's)."""
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "redacts_links", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return _redacted(make_record(*args, **kwargs))

    factory.redacts_links = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class RedactingLogger(Logger):
    """gunicorn's logger: the access log's path atoms are cleaned here (they are not a message);
    the error log's records are cleaned by `install_redaction`."""

    def __init__(self, cfg):
        install_redaction()
        super().__init__(cfg)

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = atoms.get("U", "")
        if path.startswith(("/i/", "/r/", "/welcome/")):
            atoms["U"] = redact(path)
            atoms["r"] = atoms.get("r", "").replace(path, atoms["U"])
        return atoms
