"""Static URLs carry a fingerprint of the file's content (``/static/css/portal.css?v=…``), so
browsers keep them for a year without asking again (``immutable``), whether nginx serves them
(deploy/nginx) or the app does, and a release that changes a file is still fetched at once: its
URL changes with it. A static URL without its current fingerprint is revalidated (``no-cache``).

Responses are compressed by Flask-Compress (brotli or gzip, as the browser accepts), except those
streamed from a generator (exports, the calendar feed): a compressor holds their bytes back."""

import hashlib
import os
from pathlib import Path

from flask import Flask, request
from flask_compress import Compress
from werkzeug.security import safe_join


class Fingerprints:
    """Content digests of files, computed once per version of each file (its size and mtime)."""

    def __init__(self):
        self._known: dict[str, tuple[tuple[int, int], str]] = {}

    def of(self, folder, filename: str) -> str | None:
        path = safe_join(str(folder), filename)
        if path is None:
            return None
        try:
            stat = os.stat(path)
        except OSError:
            return None
        version = (stat.st_size, stat.st_mtime_ns)
        known = self._known.get(path)
        if known is None or known[0] != version:
            known = (version, hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12])
            self._known[path] = known
        return known[1]


STATIC_ENDPOINTS = ("static", "bootstrap.static")
IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSED_TYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                    "text/calendar", "text/csv", "image/svg+xml", "text/plain"]


def register_compression(app: Flask) -> None:
    """Flask-Compress on every buffered response and on static files (read from disk, so holding
    their bytes costs nothing); other streamed responses pass through. Behind nginx the static
    files never reach the app, so this serves runs without it (development, tests, a small box)."""
    for name, value in (("COMPRESS_REGISTER", False), ("COMPRESS_MIMETYPES", COMPRESSED_TYPES),
                        ("COMPRESS_ALGORITHM", ["br", "gzip"]), ("COMPRESS_MIN_SIZE", 500),
                        # Brotli 6: a quarter smaller than its default 4 for a millisecond more.
                        ("COMPRESS_BR_LEVEL", 6)):
        app.config.setdefault(name, value)
    compress = Compress(app)

    @app.after_request
    def compress_response(response):
        if response.is_streamed:
            if request.endpoint not in STATIC_ENDPOINTS or response.status_code != 200:
                return response
            # A file from disk is read whole and compressed in one piece: no chunk framing, and a
            # Content-Length the browser can show progress with.
            response.direct_passthrough = False
            response.set_data(response.get_data())
        return compress.after_request(response)


def register_fingerprints(app: Flask) -> None:
    """``url_for`` of the app's and Bootstrap's static files adds ``v=<digest>``; a static file
    asked for under its current digest may be kept for a year."""
    fingerprints = Fingerprints()

    def folder_of(endpoint: str) -> str | None:
        if endpoint == "static":
            return app.static_folder
        blueprint = app.blueprints.get(endpoint.rpartition(".")[0])
        return blueprint.static_folder if blueprint is not None else None

    @app.url_defaults
    def add_fingerprint(endpoint: str, values: dict) -> None:
        if not (endpoint == "static" or endpoint.endswith(".static")) or "v" in values or "filename" not in values:
            return
        folder = folder_of(endpoint)
        digest = fingerprints.of(folder, values["filename"]) if folder else None
        if digest:
            values["v"] = digest

    @app.after_request
    def cache_static_files(response):
        if request.endpoint not in STATIC_ENDPOINTS or response.status_code not in (200, 304):
            return response
        folder = folder_of(request.endpoint)
        filename = (request.view_args or {}).get("filename")
        current = fingerprints.of(folder, filename) if folder and filename else None
        fingerprinted = current is not None and request.args.get("v") == current
        response.headers["Cache-Control"] = IMMUTABLE if fingerprinted else "no-cache"
        return response
