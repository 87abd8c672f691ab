"""Locale choice and the Indonesian way of showing dates and times in the office's zone."""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import current_app, g, has_request_context, request, session
from flask_babel import format_decimal, get_locale
from flask_login import current_user

from portal.pagination import format_count

# Indonesia names its zones; elsewhere the zone's own abbreviation serves.
INDONESIAN_ZONE_NAMES = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def select_locale() -> str:
    supported = current_app.config["PORTAL_LOCALES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if g.get("locale_from_header"):  # the JSON API: no session, the client's Accept-Language
        return request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.preferred_language in supported:
        return current_user.preferred_language
    chosen = session.get("lang")
    if chosen in supported:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


# The zone of the office whose event, letter or mail is being shown: set around that work by
# ``zone_in_use`` (offices.context.office_in_use); a request's own office sets ``g.office_zone``.
_ZONE_IN_USE: ContextVar[str | None] = ContextVar("portal_zone_in_use", default=None)


@contextmanager
def zone_in_use(name: str | None):
    """Show times in the zone ``name`` (an IANA name) while the block runs."""
    token = _ZONE_IN_USE.set(name)
    try:
        yield
    finally:
        _ZONE_IN_USE.reset(token)


ZONE_OF_REQUEST = "portal_zone_of_request"


def zone_name() -> str:
    """The zone times are shown in: the office in use, the request's office (asked once a request
    of what ``app.extensions[ZONE_OF_REQUEST]`` returns), or PORTAL_TIMEZONE."""
    name = _ZONE_IN_USE.get()
    if name is None and has_request_context():
        if "office_zone" not in g:
            resolver = current_app.extensions.get(ZONE_OF_REQUEST)
            g.office_zone = resolver() if resolver else None
        name = g.office_zone
    return name or current_app.config["PORTAL_TIMEZONE"]


def office_zone() -> ZoneInfo:
    return ZoneInfo(zone_name())


def to_local(value: datetime) -> datetime:
    return value.astimezone(office_zone())


def zone_label(value: datetime) -> str:
    name = zone_name()
    return INDONESIAN_ZONE_NAMES.get(name) or value.astimezone(office_zone()).tzname() or name


def _locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def format_local_date(value: datetime | None) -> str:
    """'Kamis, 1 Desember 2022' in the office's zone."""
    if value is None:
        return ""
    return format_date(to_local(value), "EEEE, d MMMM y", locale=_locale())


def format_local_time(value: datetime | None) -> str:
    """'09.00 WITA': Indonesian writes hours and minutes with a dot."""
    if value is None:
        return ""
    pattern = "HH.mm" if _locale() == "id" else "HH:mm"
    return f"{format_time(to_local(value), pattern, locale=_locale())} {zone_label(value)}"


def format_local_datetime(value: datetime | None) -> str:
    """'Kamis, 1 Desember 2022, 09.00 WITA'."""
    if value is None:
        return ""
    return f"{format_local_date(value)}, {format_local_time(value)}"


def format_calendar_date(value) -> str:
    """A date without a time: '1 Desember 2022'."""
    if value is None:
        return ""
    return format_date(value, "d MMMM y", locale=_locale())


def format_short_datetime(value: datetime | None) -> str:
    """'1 Des 2022 09.00 WITA', for tables."""
    if value is None:
        return ""
    return f"{format_date(to_local(value), 'd MMM y', locale=_locale())} {format_local_time(value)}"


def register_template_helpers(app) -> None:
    app.jinja_env.filters["local_date"] = format_local_date
    app.jinja_env.filters["local_time"] = format_local_time
    app.jinja_env.filters["local_datetime"] = format_local_datetime
    app.jinja_env.filters["short_datetime"] = format_short_datetime
    app.jinja_env.filters["format_date"] = format_calendar_date
    app.jinja_env.filters["count"] = format_count  # a bounded count: "more than 1.000" past the limit
    app.jinja_env.filters["number"] = format_decimal  # an exact number: "6.501"
    app.jinja_env.filters["zone_display"] = zone_display

    @app.context_processor
    def inject_locale():
        return {"current_locale": _locale(), "office_zone_label": zone_display()}


def zone_display(name: str | None = None) -> str:
    """'WITA (Asia/Makassar)': the zone ``name`` (the one in use by default), as pages name it."""
    name = name or zone_name()
    label = INDONESIAN_ZONE_NAMES.get(name)
    return f"{label} ({name})" if label else name
