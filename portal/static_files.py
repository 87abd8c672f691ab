"""Static URLs carry a fingerprint of the file's content (``/static/css/portal.css?v=…``), so
the proxy in front lets browsers keep them for a year (see deploy/nginx) and a release that
changes a file is still fetched at once: its URL changes with it."""

import hashlib
import os
from pathlib import Path

from flask import Flask
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


def register_fingerprints(app: Flask) -> None:
    """``url_for`` of the app's and Bootstrap's static files adds ``v=<digest>``."""
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
