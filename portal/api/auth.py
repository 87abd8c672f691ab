"""Who calls the API: the owner of the Bearer token, never a browser's session.

``authenticate_api_request`` runs before the access hook on every request under ``/api/``: it
sets the request's user to the token's owner, or to an anonymous user when there is no usable
token, so a login cookie sent along is never read. The access declarations then apply as on the
pages (``portal/accounts/access.py``), plus the token's scope and event.
"""

from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from portal.api import services
from portal.api.problems import is_api_request
from portal.database import begin_write, clock_now
from portal.extensions import db, login_manager


def authenticate_api_request() -> None:
    if not is_api_request():
        return
    g.locale_from_header = True
    g._login_user = login_manager.anonymous_user()
    now = clock_now()
    token = services.authenticate(request.headers.get("Authorization"), now)
    if token is None:
        return
    if services.touch(token, now):
        token_id = token.id
        begin_write(db.session)
        services.record_use(token_id, now)
        db.session.commit()
        token = db.session.get(services.ApiToken, token_id)
    g.api_token = token
    g._login_user = token.user


def rate_limit_key() -> str:
    """Per token (by its public prefix, no database needed), else per address."""
    parsed = services.parse_bearer(request.headers.get("Authorization"))
    return f"api-token:{parsed[0]}" if parsed else f"api-address:{get_remote_address()}"


def rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]
