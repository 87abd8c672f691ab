"""Errors as ``application/problem+json`` (RFC 9457), ``detail`` in the language the client's
``Accept-Language`` asks for (Indonesian first, English second)."""

import json

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

API_PREFIX = "/api/"
# The documentation page is a page of the site, for a browser and its login.
DOCS_PREFIX = "/api/v1/docs"
PROBLEM_MIMETYPE = "application/problem+json"

DETAILS = {
    400: _l("The request could not be read: check its JSON body and parameters."),
    401: _l("A valid API token is needed in the Authorization header (Bearer)."),
    403: _l("Your token or your account does not allow this."),
    404: _l("Not found, or outside the offices you may read."),
    405: _l("This address cannot be used with that method."),
    409: _l("The request conflicts with the current state."),
    413: _l("The request is larger than the portal accepts."),
    422: _l("The request was understood but its values are not valid."),
    428: _l("This request needs an Idempotency-Key header."),
    429: _l("Too many requests with this token. Wait a moment and try again."),
    500: _l("An error occurred on our side. It has been logged; please try again in a moment."),
    503: _l("The portal is temporarily unavailable. Please try again in a few minutes."),
}


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX) and not request.path.startswith(DOCS_PREFIX)


def problem(status: int, detail=None, *, errors=None, headers=None):
    """A problem document: ``detail`` (a translated text) or the status's own."""
    body = {"type": "about:blank", "title": HTTP_STATUS_CODES.get(status, "Error"), "status": status,
            "detail": str(detail or DETAILS.get(status, DETAILS[500]))}
    if errors:
        body["errors"] = errors
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), status=status,
                                          mimetype=PROBLEM_MIMETYPE)
    response.headers["Content-Language"] = _content_language()
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _content_language() -> str:
    from flask_babel import get_locale

    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _validation_errors(error: HTTPException):
    """What webargs found wrong with the parameters or the body, by location and field."""
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    return messages if isinstance(messages, dict) else None


def answer_error(error):
    """The seam ``portal.errors`` asks: a problem document for an API request, None otherwise."""
    if not is_api_request():
        return None
    if isinstance(error, HTTPException):
        headers = {name: value for name, value in error.get_headers() if name.lower() == "retry-after"}
        return problem(error.code or 500, errors=_validation_errors(error), headers=headers)
    return problem(500)
