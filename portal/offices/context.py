"""Which office a piece of work speaks for: its letterhead on letters and mail, its zone on
times. Work for one event or letter runs inside ``office_in_use(office)``; otherwise it is the
logged-in staff member's office, and for anyone else the portal's first office (a Kupang-only
portal has only that one)."""

import functools
from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_request_context
from sqlalchemy import inspect, select
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.i18n import ZONE_OF_REQUEST, zone_in_use
from portal.offices.models import DEFAULT_LETTER_PATTERN, Office, Regency, office_regencies

_IN_USE: ContextVar[int | None] = ContextVar("portal_office_in_use", default=None)
_HELD = "offices"
DEFAULT_REGENCY = "Kabupaten Kupang"


@contextmanager
def office_in_use(office: Office | None):
    """Letterhead, numbering and zone of ``office`` while the block runs (None: no change)."""
    if office is None:
        yield
        return
    token = _IN_USE.set(getattr(office, "id", None))
    try:
        with zone_in_use(getattr(office, "zone", None)):
            yield
    finally:
        _IN_USE.reset(token)


def in_office_of(locate):
    """Decorate a function that writes mail or documents for one office: it runs with the office
    ``locate(*args, **kwargs)`` returns in use (its letterhead, numbering and zone)."""
    def decorate(function):
        @functools.wraps(function)
        def run(*args, **kwargs):
            with office_in_use(locate(*args, **kwargs)):
                return function(*args, **kwargs)
        return run
    return decorate


def _held(session) -> dict:
    return session.info.setdefault(_HELD, {})


def get_office(office_id: int) -> Office | None:
    """An office by id, held by the session that loaded it (templates ask for it many times a
    page). Never on ``flask.g`` or anywhere that outlives the session, so a long-running process
    (the mail worker) never reaches a row its session has let go of."""
    session = db.session()
    held = _held(session)
    office = held.get(office_id)
    if office is not None and inspect(office).session is session:
        return office
    office = session.get(Office, office_id)
    if office is not None:
        held[office_id] = office
    return office


def default_office() -> Office:
    """The portal's first office, created with the Kupang defaults the first time it is asked for
    (covering Kabupaten Kupang when that regency is known)."""
    session = db.session()
    held = _held(session)
    first = held.get("default")
    if first is not None and inspect(first).session is session:
        return first
    first = session.scalar(select(Office).order_by(Office.id).limit(1))
    if first is None:
        first = create_default_office()
    held["default"] = first
    held[first.id] = first
    return first


def create_default_office() -> Office:
    office = Office(
        office_name="Dinas Perindustrian, Perdagangan, Koperasi dan UKM",
        parent_body="Pemerintah Kabupaten Kupang",
        address="Jl. Timor Raya, Oelamasi, Kecamatan Kupang Timur, Kabupaten Kupang, Nusa Tenggara Timur",
        city="Oelamasi",
        signatory_name="Kepala Dinas",
        signatory_title="Kepala Dinas Perindustrian, Perdagangan, Koperasi dan UKM Kabupaten Kupang",
        letter_number_pattern=DEFAULT_LETTER_PATTERN,
    )
    db.session.add(office)
    db.session.flush()
    kupang = db.session.scalar(select(Regency.id).where(Regency.name == DEFAULT_REGENCY))
    covered = db.session.scalar(select(office_regencies.c.office_id).where(office_regencies.c.regency_id == kupang))
    if kupang is not None and covered is None:
        db.session.execute(office_regencies.insert().values(office_id=office.id, regency_id=kupang))
    return office


def _request_office_id() -> int | None:
    """The logged-in staff member's office, in a request."""
    if not has_request_context():
        return None
    from flask_login import current_user

    return getattr(current_user, "office_id", None) if current_user and current_user.is_authenticated else None


def current_office(actor=None) -> Office:
    """The office in use, else ``actor``'s office, else (in a request) the logged-in staff
    member's office, else the first office."""
    office_id = _IN_USE.get() or getattr(actor, "office_id", None) or _request_office_id()
    office = get_office(office_id) if office_id else None
    return office or default_office()


def request_zone() -> str | None:
    """The zone of the request's office, for ``portal.i18n``: a staff member's pages show their
    office's zone; everyone else's PORTAL_TIMEZONE, unless an event's office is in use. Asked
    of the database only for staff, and not at all when it cannot answer (the 503 page)."""
    office_id = _request_office_id()
    if not office_id:
        return None
    try:
        office = get_office(office_id)
    except SQLAlchemyError:
        return None
    return office.zone if office is not None else None


def init_app(app) -> None:
    app.extensions[ZONE_OF_REQUEST] = request_zone
