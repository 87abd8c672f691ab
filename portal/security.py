"""Security headers on every response, error pages and static files included, and the
Content-Security-Policy with the endpoint its violations are reported to.

One ``after_request`` hook rather than Flask-Talisman: the policy is a fixed set of directives
with no nonces (the pages have no inline script or style at all), HTTPS is the proxy's job, and
the cookie flags live in config with the rest; Talisman would bring its own cookie settings and
HTTPS redirect to switch off. How later pages extend the policy: docs/security.md.
"""

import json
import logging

from flask import Blueprint, current_app, request, session
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.routing.converters import NumberConverter

from portal.accounts.access import PUBLIC, public
from portal.extensions import csrf, limiter
from portal.static_files import STATIC_ENDPOINTS

bp = Blueprint("security", __name__)
log = logging.getLogger("portal.csp")

REPORT_PATH = "/csp-report"
MAX_REPORT_BYTES = 64 * 1024
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    # Bootstrap's stylesheet draws its icons (menu toggler, close button, select arrow) as data: SVG.
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "report-uri": REPORT_PATH,
}
# The fields of a violation worth a log line, by their report-uri names and Reporting API names.
REPORT_FIELDS = {
    "document-uri": "documentURL", "effective-directive": "effectiveDirective",
    "violated-directive": "effectiveDirective", "blocked-uri": "blockedURL", "source-file": "sourceFile",
    "line-number": "lineNumber", "column-number": "columnNumber", "script-sample": "sample",
    "disposition": "disposition",
}


def content_security_policy(**directives):
    """A view's own policy: ``directives`` (``style_src="'unsafe-inline'"``, ``sandbox=""``, None
    drops one) replace the portal's. Say in docs/security.md why a view needs it."""
    def decorate(view):
        view.content_security_policy = {name.replace("_", "-"): value for name, value in directives.items()}
        return view

    return decorate


def _policy_for_request() -> dict[str, str]:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    policy = {**POLICY, **getattr(view, "content_security_policy", {})}
    return {name: value for name, value in policy.items() if value is not None}


def add_security_headers(response):
    policy = _policy_for_request()
    response.headers["Content-Security-Policy"] = "; ".join(
        f"{name} {value}".strip() for name, value in policy.items())
    response.headers["X-Frame-Options"] = "SAMEORIGIN" if policy.get("frame-ancestors") == "'self'" else "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Invitation, ticket and reset links carry tokens: other sites see the origin only.
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    if current_app.config["PORTAL_ENV"] == "production":
        response.headers["Strict-Transport-Security"] = f"max-age={current_app.config['HSTS_MAX_AGE']}"
    return response


def _is_private() -> bool:
    """A response only its reader may keep: anything for a logged-in browser (read from the
    session cookie, not the database, so that it holds on the error pages of a database outage),
    any page that is not public (exports included), and a public page opened by a token or code in
    its URL (a ticket, an invitation, a reset link)."""
    if request.endpoint in STATIC_ENDPOINTS:
        return False
    if session.get("_user_id") or request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")):
        return True
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if getattr(view, "access", (None,))[0] != PUBLIC:
        return request.endpoint is not None
    rule = request.url_rule
    return any(not isinstance(converter, NumberConverter) for converter in rule._converters.values())


def add_cache_control(response):
    """``Cache-Control: no-store`` on private pages and exports: neither the browser's cache nor a
    proxy keeps them (a shared phone, a kiosk at the office). Public pages for visitors are left to
    the browser's defaults."""
    if _is_private():
        response.headers["Cache-Control"] = "no-store"
    return response


def _violations(payload) -> list[dict]:
    """The reports in a body: one ``{"csp-report": {...}}`` (report-uri) or a list of Reporting API
    entries (``report-to``), each summed up in report-uri's field names."""
    if isinstance(payload, dict) and isinstance(payload.get("csp-report"), dict):
        return [{name: payload["csp-report"][name] for name in REPORT_FIELDS if name in payload["csp-report"]}]
    if isinstance(payload, list):
        bodies = [entry.get("body") for entry in payload
                  if isinstance(entry, dict) and entry.get("type") == "csp-violation"]
        return [{name: body[key] for name, key in REPORT_FIELDS.items() if key in body}
                for body in bodies if isinstance(body, dict)]
    raise BadRequest()


@bp.post(REPORT_PATH)
@public
@csrf.exempt
@limiter.limit(lambda: current_app.config["CSP_REPORT_RATE_LIMIT"], scope="csp-report")
def csp_report():
    """Browsers post here what the policy blocked; each violation is one warning in the log."""
    if (request.content_length or 0) > MAX_REPORT_BYTES:
        raise RequestEntityTooLarge()
    body = request.get_data(cache=False)
    if len(body) > MAX_REPORT_BYTES:
        raise RequestEntityTooLarge()
    try:
        payload = json.loads(body)
    except ValueError:
        raise BadRequest() from None
    for violation in _violations(payload):
        log.warning("content security policy violation: %s", json.dumps(violation, sort_keys=True),
                    extra={"csp_report": violation})
    return "", 204


def init_app(app) -> None:
    app.after_request(add_security_headers)
    app.after_request(add_cache_control)
    app.register_blueprint(bp)
