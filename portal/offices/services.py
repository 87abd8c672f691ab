"""Offices: creating one and choosing what it covers. Its letterhead, signatory and numbering are
changed through ``portal/settings/services.py`` (the office's settings page)."""

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.services import record_change, snapshot
from portal.errors import RuleViolation
from portal.extensions import db
from portal.offices.models import DEFAULT_LETTER_PATTERN, OFFICE_ZONES, Office, Province, Regency, office_regencies

COVER_FIELDS = ["office_name", "timezone", "province_id"]


def may_manage_offices(actor) -> bool:
    """An administrator without an office, or of a province office."""
    if actor is None or actor.role != Role.ADMIN:
        return False
    return actor.office_id is None or (actor.office is not None and actor.office.is_province_office)


def require_office_manager(actor) -> None:
    if not may_manage_offices(actor):
        raise RuleViolation(None, _("Only an administrator of the province or of every office can do this."))


def _check_zone(zone: str | None) -> str | None:
    if zone and zone not in OFFICE_ZONES:
        raise RuleViolation("timezone", _("Choose WIB, WITA or WIT."))
    return zone or None


def _cover(office: Office, regency_ids: list[int]) -> None:
    """The office covers these regencies; a regency another office covers is refused."""
    regency_ids = sorted(set(regency_ids))
    taken = db.session.scalar(select(Regency.name).join(office_regencies, office_regencies.c.regency_id == Regency.id)
                              .where(Regency.id.in_(regency_ids), office_regencies.c.office_id != office.id))
    if taken:
        raise RuleViolation("regency_ids", _("%(regency)s is covered by another office.", regency=taken))
    office.regencies = list(db.session.scalars(select(Regency).where(Regency.id.in_(regency_ids))))


def create_office(actor, office_name: str, regency_ids: list[int] = (), *, timezone: str | None = None,
                  province_id: int | None = None, **settings) -> Office:
    """A new office covering ``regency_ids`` (or, with ``province_id``, the province's office);
    its time zone is PORTAL_TIMEZONE unless another is chosen."""
    if actor is not None:
        require_office_manager(actor)
    if not (office_name or "").strip():
        raise RuleViolation("office_name", _("Enter the office's name."))
    if province_id is not None and db.session.get(Province, province_id) is None:
        raise RuleViolation("province_id", _("Choose a province from the list."))
    office = Office(office_name=office_name.strip(), timezone=_check_zone(timezone) or current_app.config[
        "PORTAL_TIMEZONE"], province_id=province_id, parent_body=settings.pop("parent_body", "") or office_name.strip(),
        address=settings.pop("address", "") or "", city=settings.pop("city", "") or "",
        signatory_name=settings.pop("signatory_name", "") or _("Head of office"),
        signatory_title=settings.pop("signatory_title", "") or office_name.strip(),
        letter_number_pattern=settings.pop("letter_number_pattern", None) or DEFAULT_LETTER_PATTERN, **settings)
    db.session.add(office)
    db.session.flush()
    _cover(office, list(regency_ids))
    record_change(actor, "office.create", office, None, {**snapshot(office, COVER_FIELDS),
                                                         "regencies": [r.name for r in office.regencies]})
    return office


def update_office_cover(actor, office: Office, office_name: str, regency_ids: list[int], timezone: str | None,
                        province_id: int | None) -> Office:
    """An office's name, what it covers and its time zone, changed by an administrator of offices."""
    require_office_manager(actor)
    if not (office_name or "").strip():
        raise RuleViolation("office_name", _("Enter the office's name."))
    if province_id is not None and db.session.get(Province, province_id) is None:
        raise RuleViolation("province_id", _("Choose a province from the list."))
    before = {**snapshot(office, COVER_FIELDS), "regencies": [r.name for r in office.regencies]}
    office.office_name = office_name.strip()
    office.timezone = _check_zone(timezone)
    office.province_id = province_id
    _cover(office, regency_ids)
    record_change(actor, "office.update", office, before, {**snapshot(office, COVER_FIELDS),
                                                           "regencies": [r.name for r in office.regencies]})
    return office


def regencies() -> list[Regency]:
    return list(db.session.scalars(select(Regency).order_by(Regency.name)))


def provinces() -> list[Province]:
    return list(db.session.scalars(select(Province).order_by(Province.name)))
