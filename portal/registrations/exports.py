"""The registrations of an event as a table for CSV and XLSX (``documents.spreadsheets`` writes
them): one row per person, the sign-up time in the office's zone, phones in one form."""

from flask_babel import gettext as _

from portal.accounts.services import display_phone
from portal.database import utcnow
from portal.i18n import zone_label


def header() -> list[str]:
    return [_("Name"), _("Position"), _("Cooperative or organisation"), _("District"), _("Email"), _("Phone"),
            _("State"), _("Waiting-list position"), _("Signed up at (%(zone)s)", zone=zone_label(utcnow()))]


def rows(registrations, positions: dict[int, int]) -> list[list]:
    result = []
    for registration in registrations:
        person = registration.participant
        cooperative = registration.cooperative
        result.append([person.full_name, str(person.position.label), person.affiliation,
                       cooperative.district.name if cooperative else None, person.email, display_phone(person.phone),
                       str(registration.status.label), positions.get(registration.id), registration.created_at])
    return result
