"""The API's documentation page: Swagger UI from the ``swagger-ui-bundle`` package's files,
served by the portal (no CDN), started by a static script (the CSP allows no inline script)."""

from flask import Blueprint, abort, render_template, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from portal.accounts.access import public

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1/docs")

# The only files of the bundle the page loads.
ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js"}


@bp.get("")
@public
def page():
    return render_template("api/docs.html")


@bp.get("/assets/<name>")
@public
def asset(name: str):
    if name not in ASSETS:
        abort(404)
    return send_from_directory(str(swagger_ui_path), name, max_age=24 * 3600)
