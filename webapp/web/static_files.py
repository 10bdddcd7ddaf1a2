"""Static files under versioned URLs (`?v=<content hash>`), cached for a year, and compressed
responses (Flask-Compress: gzip or Brotli for text, as the browser accepts).

Static text files are compressed once per process at the codecs' best settings and the bytes
served from then on: every page loads the same five files, cold on a phone's first visit, and
Brotli's best is about a sixth smaller than the quick setting Flask-Compress uses per response
(too slow to pay on every request, cheap to pay once).

Every `url_for("static", …)` carries the file's hash, so a changed file is a new URL and browsers
never keep an old copy; the service worker's version follows the same hashes (routes/pwa.py).
"""

from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache
from pathlib import Path

import brotli
from flask import Flask, Response, request
from flask_compress import Compress
from werkzeug.security import safe_join

YEAR = 365 * 24 * 60 * 60
compress = Compress()


@lru_cache(maxsize=512)
def _best_compressed(path: str, mtime: float, encoding: str) -> bytes:
    """The file's bytes at the codec's best setting (keyed by its modification time, so a file
    changed under a running development server is compressed again)."""
    data = Path(path).read_bytes()
    if encoding == "br":
        return brotli.compress(data, quality=11)
    return gzip.compress(data, compresslevel=9, mtime=0)


@lru_cache(maxsize=256)
def _hash(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def file_hash(app: Flask, filename: str) -> str:
    path = Path(app.static_folder) / filename
    try:
        return _hash(str(path), path.stat().st_mtime)
    except OSError:
        return ""


def static_version(app: Flask) -> str:
    """One hash over every static file: it changes whenever any of them does."""
    digest = hashlib.sha256()
    for path in sorted(Path(app.static_folder).rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(app.static_folder)).encode())
            digest.update(file_hash(app, str(path.relative_to(app.static_folder))).encode())
    return digest.hexdigest()[:12]


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    # Static files are sent as streams; phones on plain gzip need them compressed too.
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    app.config.setdefault(
        "COMPRESS_MIMETYPES",
        [
            "text/html",
            "text/css",
            "text/javascript",
            "application/javascript",
            "application/json",
            "application/manifest+json",
            "image/svg+xml",
            "text/plain",
        ],
    )
    compress.init_app(app)

    # Registered after Flask-Compress, so it runs first (Flask runs these last to first); a
    # response that carries its Content-Encoding is left alone by Flask-Compress.
    @app.after_request
    def precompressed(response: Response) -> Response:
        if (
            request.endpoint != "static"
            or request.method not in ("GET", "HEAD")
            or response.status_code != 200
            or request.range is not None
            or "Content-Encoding" in response.headers
            or response.mimetype not in app.config["COMPRESS_MIMETYPES"]
        ):
            return response
        accepted = request.accept_encodings
        encoding = next((name for name in ("br", "gzip") if accepted.quality(name) > 0), None)
        path = safe_join(app.static_folder, (request.view_args or {}).get("filename", ""))
        if encoding is None or path is None or not Path(path).is_file():
            return response
        body = _best_compressed(path, Path(path).stat().st_mtime, encoding)
        response.direct_passthrough = False
        response.set_data(body)
        response.headers["Content-Encoding"] = encoding
        response.vary.add("Accept-Encoding")
        etag, weak = response.get_etag()
        if etag:
            response.set_etag(f"{etag}:{encoding}", weak=weak)
        # The ETag now names the encoded bytes: a revalidation is answered against it.
        return response.make_conditional(request)

    @app.url_defaults
    def versioned_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "v" not in values and values.get("filename"):
            values["v"] = file_hash(app, values["filename"])

    default_max_age = app.get_send_file_max_age

    def max_age(filename: str | None) -> int | None:
        # Long-lived only for the URL that names this exact content.
        if filename and request.args.get("v") and request.args.get("v") == file_hash(app, filename):
            return YEAR
        return default_max_age(filename)

    app.get_send_file_max_age = max_age  # type: ignore[method-assign]

    @app.after_request
    def immutable(response):
        if request.endpoint == "static" and response.cache_control.max_age == YEAR:
            response.cache_control.immutable = True
        return response
