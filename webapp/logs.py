"""gunicorn's access log, with self-intake link tokens taken out of the path."""

from __future__ import annotations

from gunicorn.glogging import Logger

from webapp.services.audit import redact


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):  # noqa: ANN001, ANN201  (gunicorn's signature)
        atoms = super().atoms(resp, req, environ, request_time)
        path = atoms.get("U", "")
        if path.startswith("/i/"):
            atoms["U"] = redact(path)
            atoms["r"] = atoms.get("r", "").replace(path, atoms["U"])
        return atoms
