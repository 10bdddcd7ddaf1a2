"""The progressive web app's own files: the service worker, the manifest, the offline page."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request, url_for

from webapp.web.security import public
from webapp.web.static_files import static_version

bp = Blueprint("pwa", __name__)

SERVICE_WORKER = Path(__file__).resolve().parents[2] / "service_worker" / "sw.js"
# A quoted static file's path in sw.js, such as "/static/js/outbox-core.js".
STATIC_PATH = re.compile(r'"/static/([\w./-]+\.\w+)"')


@bp.get("/sw.js")
@public
def service_worker() -> Response:
    # The worker's version carries the static files' hash: any changed file makes a new worker,
    # which precaches the new files (no manual version bump needed for static changes).
    script = SERVICE_WORKER.read_text().replace(
        'var VERSION = "', f'var VERSION = "{static_version(current_app)}-', 1
    )
    # Its static files are the versioned URLs the pages load: the install's precache is then
    # answered by the browser's HTTP cache, and a file is never kept under an address that a
    # newer version of it shares.
    script = STATIC_PATH.sub(
        lambda match: f'"{url_for("static", filename=match.group(1))}"', script
    )
    response = Response(script, mimetype="text/javascript")
    response.set_etag(hashlib.sha256(script.encode()).hexdigest()[:16])
    response.make_conditional(request)
    # Browsers must always ask for the newest worker; it controls the whole site.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/manifest.webmanifest")
@public
def manifest() -> Response:
    icons = [
        {
            "src": url_for("static", filename="icons/icon-192.png"),
            "sizes": "192x192",
            "type": "image/png",
        },
        {
            "src": url_for("static", filename="icons/icon-512.png"),
            "sizes": "512x512",
            "type": "image/png",
        },
        {
            "src": url_for("static", filename="icons/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
        {
            "src": url_for("static", filename="icons/icon.svg"),
            "sizes": "any",
            "type": "image/svg+xml",
        },
    ]
    shortcuts = [
        {
            "name": name,
            "short_name": name,
            "url": url,
            "icons": [
                {
                    "src": url_for("static", filename=f"icons/shortcut-{icon}-96.png"),
                    "sizes": "96x96",
                    "type": "image/png",
                },
                {
                    "src": url_for("static", filename=f"icons/shortcut-{icon}.svg"),
                    "sizes": "any",
                    "type": "image/svg+xml",
                },
            ],
        }
        # The offline-ready forms: both open without a signal (the contact form's picker lists
        # the worker's own caseload).
        for name, url, icon in (
            ("New intake", url_for("clients.new"), "intake"),
            ("Log contact", url_for("offline.contact_shell"), "contact"),
        )
    ]
    body = {
        # The app's identity for the browser: the start URL it has always had, so phones that
        # installed Waymark before it was named keep the same app.
        "id": "/",
        "name": "Waymark",
        "short_name": "Waymark",
        "description": "Case management for outreach teams",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        # The page's own background (app.css, body: var(--wash)): no white flash on opening.
        "background_color": "#f3f6f7",
        "theme_color": "#1d4e5f",
        "icons": icons,
        "shortcuts": shortcuts,
    }
    response = Response(json.dumps(body, indent=2), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/offline")
@public
def offline() -> Response:
    """Precached at install, before anyone signs in: nothing personal, not even a CSRF token."""
    response = Response(render_template("pwa/offline.html", shell=True, anonymous=True))
    response.headers["Cache-Control"] = "no-cache"
    return response
