"""Attendance on paper and in spreadsheets: the daftar hadir of a session as PDF, and the event's
attendance as a table for CSV and XLSX (one row per person, one column per session), written by
``documents.spreadsheets``."""

from babel.dates import format_date
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.accounts.services import display_phone
from portal.attendance import queries, services
from portal.documents.pdf import render_pdf
from portal.events.models import Event, EventSession
from portal.i18n import to_local

# Empty numbered rows after the list, where people who came without a seat sign.
BLANK_ROWS = 10


def attendance_sheet_pdf(event: Event, session: EventSession, language: str = "id") -> bytes:
    """The daftar hadir: letterhead, event, day, time and place, then numbered rows (name,
    cooperative, position, signature) for everyone expected, then blank rows for walk-ins."""
    registrations = queries.attending(event.id)
    number = sorted(event.sessions, key=lambda s: s.starts_at).index(session) + 1
    return render_pdf("attendance/daftar_hadir.html", language=language, event=event, session=session,
                      session_number=number, registrations=registrations, blank_rows=BLANK_ROWS,
                      day=to_local(session.starts_at).date())


def ticket_qr_pdf(registration) -> bytes:
    """A participant's check-in QR code on one page, to keep on a phone for a door without signal:
    the event, the person, the sessions, the code and the short code to type."""
    return render_pdf("attendance/ticket_qr.html", registration=registration, event=registration.event,
                      check_in_url=services.check_in_url(registration))


def _session_header(number: int, session: EventSession) -> str:
    day = format_date(to_local(session.starts_at).date(), "d MMM y", locale=str(get_locale()))
    return _("Session %(number)d (%(day)s)", number=number, day=day)


def table(event: Event) -> tuple[list[str], list[list]]:
    """The header and rows of the event's attendance export."""
    sessions = sorted(event.sessions, key=lambda s: s.starts_at)
    marks = queries.marks_by_registration(event.id)
    header = [_("Name"), _("Cooperative or organisation"), _("Position"), _("Phone"), _("State"),
              *(_session_header(n, s) for n, s in enumerate(sessions, start=1)), _("Sessions attended")]
    rows = []
    for registration in queries.attending(event.id):
        person = registration.participant
        own = marks.get(registration.id, {})
        rows.append([person.full_name, person.affiliation, str(person.position.label), display_phone(person.phone),
                     str(registration.status.label), *(str(own[s.id].label) if s.id in own else None for s in sessions),
                     queries.attended_count(own)])
    return header, rows
