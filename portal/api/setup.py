"""How the JSON API plugs into the app: flask-smorest's ``Api`` writes the OpenAPI document at
/api/v1/openapi.json from the blueprints' schemas; the blueprints are exempt from CSRF (no
cookie authenticates them), share one rate limit per token, and answer errors as problem
documents through the portal's error handlers.

flask-smorest rather than APIFlask: APIFlask replaces ``Flask`` with its own app class (and its
own blueprint, auth and error classes), while flask-smorest is an extension that binds to the
app our ``create_app`` builds, as the others do, and adds blueprints beside the pages'.
"""

from flask_smorest import Api

from portal.accounts.access import declare_public
from portal.api.auth import rate_limit, rate_limit_key
from portal.api.docs import bp as docs_bp
from portal.api.events import bp as events_bp
from portal.api.idempotency import forget_old_keys
from portal.api.problems import answer_error
from portal.api.registry import bp as registry_bp
from portal.api.reports import bp as reports_bp
from portal.api.schemas import ProblemSchema
from portal.api.views import bp as tokens_bp
from portal.errors import answer_errors_with
from portal.extensions import csrf, limiter
from portal.seams import PERIODIC_JOBS, register

SPEC = {
    "info": {"description": "Portal Koperasi JSON API v1. Authenticate with a personal token: "
                            "`Authorization: Bearer pko_…`. Lists are paginated by cursor: pass a page's "
                            "`next_cursor` as `cursor`. Errors are `application/problem+json`; `detail` "
                            "follows `Accept-Language` (id, en)."},
    "components": {"securitySchemes": {"bearerToken": {"type": "http", "scheme": "bearer"}}},
    "security": [{"bearerToken": []}],
}


class PortalApi(Api):
    """flask-smorest's ``Api`` without its own error handlers: the portal's handle every error,
    and answer the API's as problem documents (``portal/api/problems.py``)."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        pass


def init_app(app) -> None:
    api = PortalApi(app, spec_kwargs=SPEC)
    for blueprint in (events_bp, registry_bp, reports_bp):
        csrf.exempt(blueprint)
        limiter.shared_limit(rate_limit, scope="api", key_func=rate_limit_key)(blueprint)
        api.register_blueprint(blueprint)
    app.register_blueprint(docs_bp)
    app.register_blueprint(tokens_bp)
    declare_public(app, "api-docs.openapi_json")
    answer_errors_with(app, answer_error)
    register(app, PERIODIC_JOBS, ("api.forget_old_keys", forget_old_keys))
