"""Attendance on paper and in spreadsheets: the daftar hadir of a session as PDF, and the event's
attendance as a table for CSV and XLSX (one row per person, one column per session), written by
``documents.spreadsheets``."""

from babel.dates import format_date
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.accounts.services import display_phone
from portal.attendance import queries, services
from portal.attendance.models import ATTENDED_MARKS, AttendanceMark
from portal.database import streamed
from portal.documents.pdf import render_pdf
from portal.events.models import Event, EventSession
from portal.extensions import db
from portal.i18n import to_local
from portal.offices.context import in_office_of
from portal.registrations.models import ParticipantPosition, RegistrationStatus

# Empty numbered rows after the list, where people who came without a seat sign.
BLANK_ROWS = 10


@in_office_of(lambda event, *args, **kwargs: event.office)
def attendance_sheet_pdf(event: Event, session: EventSession, language: str = "id") -> bytes:
    """The daftar hadir: letterhead, event, day, time and place, then numbered rows (name,
    cooperative, position, signature) for everyone expected, then blank rows for walk-ins."""
    registrations = queries.attending(event.id)
    number = sorted(event.sessions, key=lambda s: s.starts_at).index(session) + 1
    return render_pdf("attendance/daftar_hadir.html", language=language, event=event, session=session,
                      session_number=number, registrations=registrations, blank_rows=BLANK_ROWS,
                      day=to_local(session.starts_at).date())


@in_office_of(lambda registration: registration.event.office)
def ticket_qr_pdf(registration) -> bytes:
    """A participant's check-in QR code on one page, to keep on a phone for a door without signal:
    the event, the person, the sessions, the code and the short code to type."""
    return render_pdf("attendance/ticket_qr.html", registration=registration, event=registration.event,
                      check_in_url=services.check_in_url(registration))


def _session_header(number: int, session: EventSession) -> str:
    day = format_date(to_local(session.starts_at).date(), "d MMM y", locale=str(get_locale()))
    return _("Session %(number)d (%(day)s)", number=number, day=day)


def table(event: Event):
    """The header and rows of the event's attendance export; the rows are made as they are read,
    after the request (``database.streamed``): what needs its language is looked up before."""
    sessions = sorted(event.sessions, key=lambda s: s.starts_at)
    header = [_("Name"), _("Cooperative or organisation"), _("Position"), _("Phone"), _("State"),
              *(_session_header(n, s) for n, s in enumerate(sessions, start=1)), _("Sessions attended")]
    labels = [{member: str(member.label) for member in enum}
              for enum in (ParticipantPosition, RegistrationStatus, AttendanceMark)]
    records = streamed(db.engine, queries.export_query(event.id, [s.id for s in sessions]))
    return header, _rows(records, labels)


def _rows(records, labels):
    positions, statuses, mark_labels = labels
    for full_name, cooperative, organisation, position, phone, status, *marks in records:
        yield [full_name, cooperative if cooperative is not None else organisation, positions[position],
               display_phone(phone), statuses[status], *(mark_labels[mark] if mark else None for mark in marks),
               sum(1 for mark in marks if mark in ATTENDED_MARKS)]
