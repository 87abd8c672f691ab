"""One line per log record on stderr, each carrying the id of the request it belongs to."""

import logging
import re
import sys
import uuid

from flask import g, has_request_context, request

LOG_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        if record.exc_info and record.levelno >= logging.ERROR:
            # Keep a traceback on one line so a log line is one record.
            record.msg = f"{record.getMessage()} | {logging.Formatter().formatException(record.exc_info)!r}"
            record.args = ()
            record.exc_info = None
        return True


def configure_logging(app) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(RequestIdFilter())
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(logging.INFO)
    app.logger.propagate = False

    @app.before_request
    def assign_request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex[:16]

    @app.after_request
    def expose_request_id(response):
        response.headers["X-Request-ID"] = g.get("request_id", "-")
        return response
