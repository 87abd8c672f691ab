"""The registrations of an event as a table for CSV and XLSX (``documents.spreadsheets`` writes
them): one row per person, the sign-up time in the office's zone, phones in one form. The rows are
made as they are read (``queries.export_query`` through ``database.streamed``), after the request:
what needs the request's language is looked up before."""

from flask_babel import gettext as _

from portal.accounts.services import display_phone
from portal.database import utcnow
from portal.i18n import zone_label
from portal.registrations.models import ParticipantPosition, RegistrationStatus


def header() -> list[str]:
    return [_("Name"), _("Position"), _("Cooperative or organisation"), _("District"), _("Email"), _("Phone"),
            _("State"), _("Waiting-list position"), _("Signed up at (%(zone)s)", zone=zone_label(utcnow()))]


def rows(records, positions: dict[int, int]):
    """Export rows from ``queries.export_query``'s rows, with each waiting registration's place."""
    position_labels = {position: str(position.label) for position in ParticipantPosition}
    status_labels = {status: str(status.label) for status in RegistrationStatus}
    return _rows(records, positions, position_labels, status_labels)


def _rows(records, positions, position_labels, status_labels):
    for (full_name, position, cooperative, organisation, district, email, phone, status, registration_id,
         created_at) in records:
        yield [full_name, position_labels[position], cooperative if cooperative is not None else organisation,
               district, email, display_phone(phone), status_labels[status], positions.get(registration_id),
               created_at]
