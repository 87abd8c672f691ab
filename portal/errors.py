"""The domain error services raise, and the pages shown when a request goes wrong."""

import logging

from flask import current_app, flash, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from portal.extensions import db

security_log = logging.getLogger("portal.security")


class RuleViolation(Exception):
    """A rule refused the action; ``field`` names the form field the message belongs to."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def show_violation(form, violation: RuleViolation) -> None:
    """Put a service's refusal next to its field, or on top of the page when it has none."""
    field = getattr(form, violation.field, None) if violation.field else None
    if field is not None:
        field.errors = [*field.errors, violation.message]
    else:
        flash(violation.message, "danger")


ERROR_TEXTS = {
    400: (_l("Bad request"),
          _l("The request could not be understood. Please check what you entered and try again.")),
    403: (_l("Access denied"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("The page you are looking for does not exist or has been moved.")),
    405: (_l("Method not allowed"), _l("This address cannot be used that way.")),
    413: (_l("File too large"),
          _l("What you sent is larger than the portal accepts. Please send a smaller file.")),
    429: (_l("Too many attempts"),
          _l("You have tried too often in a short time. Please wait a few minutes and try again.")),
    500: (_l("Something went wrong"),
          _l("An error occurred on our side. It has been logged; please try again in a moment.")),
    503: (_l("Service unavailable"), _l("The portal is temporarily unavailable. Please try again in a few minutes.")),
}


# responder(error) -> a response, or None: a capability that answers its own requests' errors in
# its own format (the JSON API's problem documents) registers one with ``answer_errors_with``.
ERROR_RESPONDERS = "error_responders"


def answer_errors_with(app, responder) -> None:
    responders = app.extensions.setdefault(ERROR_RESPONDERS, [])
    if responder not in responders:
        responders.append(responder)


def _own_answer(error):
    for responder in current_app.extensions.get(ERROR_RESPONDERS, []):
        answer = responder(error)
        if answer is not None:
            return answer
    return None


def render_error(code: int, message: str | None = None):
    title, text = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"error": str(title), "message": str(message or text)}), code
    return render_template("errors/error.html", code=code, title=title, text=message or text), code


def _log_refusal(error) -> None:
    """One line in the security log for each refusal: who (an account id, never a name or a
    password), from where, which page, and for a rate limit which limit."""
    account = current_user.id if current_user.is_authenticated else "anonymous"
    if error.code == 403:
        security_log.warning("access denied: account %s from %s to %s %s (%s)", account, request.remote_addr,
                             request.method, request.path, request.endpoint)
    else:
        security_log.warning("rate limit hit: account %s from %s to %s %s (%s)", account, request.remote_addr,
                             request.method, request.path, error.description)


def _database_unavailable(error):
    """The 503 page, rendered without the database: the session is thrown away (its connection is
    dead or its transaction failed, so nothing was written), the page stands alone (no menu, no
    office settings), and the user counts as anonymous for the rest of the request, since loading
    them (Flask-Login's template context, the locale) would ask the database again."""
    g._login_user = current_app.login_manager.anonymous_user()
    current_app.logger.error("database unavailable: %s", error)
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 (a dead connection may refuse even the rollback; the pool replaces it)
        current_app.logger.warning("rollback after the database error failed too", exc_info=True)
    db.session.remove()
    title, text = ERROR_TEXTS[503]
    own = _own_answer(ServiceUnavailable())
    if own is not None:
        return own
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"error": str(title), "message": str(text)}), 503
    return render_template("errors/unavailable.html", title=title, text=text), 503, {"Retry-After": "30"}


def register_errorhandlers(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        own = _own_answer(error)
        if own is not None:
            return own
        return render_error(400, str(_l("The form has expired or is not valid. Please reload the page and try again.")))

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code in (403, 429):
            _log_refusal(error)
        own = _own_answer(error)
        if own is not None:
            return own
        if error.code not in ERROR_TEXTS:
            return error
        return render_error(error.code)

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(error):
        return _database_unavailable(error)

    @app.errorhandler(DBAPIError)
    def database_error(error):
        if error.connection_invalidated:
            return _database_unavailable(error)
        return unexpected_error(error)

    @app.errorhandler(Exception)
    def unexpected_error(error):
        db.session.rollback()
        current_app.logger.exception("unhandled error")
        return _own_answer(error) or render_error(500)
