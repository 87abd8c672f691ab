"""Who may use each endpoint. Every view declares it; a hook enforces it, denying by default."""

import functools

from flask import abort, current_app, g, request
from flask_login import current_user

from portal.accounts.models import Role
from portal.extensions import login_manager

PUBLIC = "public"
AUTHENTICATED = "authenticated"
ROLES = "roles"
OWNER = "owner"
READING_METHODS = ("GET", "HEAD")


def _declare(view, kind: str, roles: tuple = ()):
    view.access = (kind, tuple(roles))
    return view


def public(view):
    """Anyone, logged in or not."""
    return _declare(view, PUBLIC)


def authenticated(view):
    """Any logged-in user."""
    return _declare(view, AUTHENTICATED)


def roles(*allowed):
    """A logged-in user with one of ``allowed``."""
    return lambda view: _declare(view, ROLES, allowed)


def owner(*allowed):
    """A logged-in user with one of ``allowed`` who owns the object; the view checks ownership."""
    return lambda view: _declare(view, OWNER, allowed)


def token_scope(scope: str):
    """An API view: a token must carry ``scope`` (on top of the view's access declaration, which
    applies to the token's owner as on the pages). Anonymous callers are answered 401, not sent to
    the login page."""
    def decorate(view):
        view.token_scope = str(scope)
        return view

    return decorate


def declare_public(app, endpoint: str) -> None:
    """Mark a view that a library registered (static files) as public."""
    view = app.view_functions[endpoint]

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        return view(*args, **kwargs)

    app.view_functions[endpoint] = public(wrapped)


def enforce_access():
    if request.endpoint is None:
        return None
    view = current_app.view_functions.get(request.endpoint)
    declaration = getattr(view, "access", None)
    if declaration is None:
        current_app.logger.error("endpoint %s declares no access rule", request.endpoint)
        abort(403)
    kind, allowed = declaration
    if kind == PUBLIC:
        return None
    if not current_user.is_authenticated:
        if hasattr(view, "token_scope"):
            abort(401)
        return login_manager.unauthorized()
    if current_user.role == Role.LEADER and kind in (ROLES, OWNER):
        _leader_may(allowed)
    elif allowed and current_user.role not in allowed:
        abort(403)
    token = g.get("api_token")
    if token is not None and not token.permits(getattr(view, "token_scope", None), request.view_args):
        abort(403)
    return None


def _leader_may(allowed: tuple) -> None:
    """The one read-only rule: a leader (pimpinan) opens what organisers may open, by GET or HEAD,
    and is refused every other method (a form it cannot send, an action it cannot take). The
    administrator's own pages (accounts, settings, audit) stay the administrator's."""
    readable = Role.LEADER in allowed or Role.ORGANISER in allowed
    if not readable or request.method not in READING_METHODS:
        abort(403)


def safe_next_url(target: str | None) -> str | None:
    """Only a path on this site; a scheme, another host or a backslash trick is dropped."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    return target


def current_actor():
    """The logged-in user as services take their actor: None for someone who is not logged in."""
    return current_user._get_current_object() if current_user.is_authenticated else None
