"""The laporan kegiatan's attachments that are documents of their own, appended to its PDF: the
surat undangan (the event's first numbered invitation round, drawn by the letter renderer of the
invitations) and the daftar hadir of each session, the signed sheet the office scanned where it
uploaded one (a PDF's pages as they are, an image on a page of its own), otherwise the printed one."""

import base64
import io
from dataclasses import dataclass

from flask_babel import gettext as _
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select

from portal.activityreport.models import SessionSheetScan
from portal.attendance.exports import attendance_sheet_pdf
from portal.documents.pdf import PDF_MIMETYPE, render_pdf
from portal.events.models import Event
from portal.extensions import db
from portal.invitations.letters import render_letter
from portal.invitations.models import InvitationRound


@dataclass(frozen=True)
class Appended:
    title: str
    pdf: bytes


def invitation_letter(event: Event) -> bytes | None:
    """The surat undangan as the office sent it first, addressed to the invited cooperatives as a whole."""
    first = db.session.scalar(select(InvitationRound).where(
        InvitationRound.event_id == event.id, InvitationRound.letter_number.is_not(None))
        .order_by(InvitationRound.id).limit(1))
    if first is None:
        return None
    return render_letter(event, number=first.letter_number, dated=first.letter_dated,
                         addressee=_("The chairs of the invited cooperatives"), what_to_bring=first.what_to_bring)[2]


def _scan_pdf(event: Event, number: int, scan: SessionSheetScan) -> bytes:
    stored = scan.file
    if stored.content_type == PDF_MIMETYPE:
        return stored.data
    src = f"data:{stored.content_type};base64,{base64.b64encode(stored.data).decode()}"
    return render_pdf("activityreport/scan_page.html", event=event, session=scan.session, number=number, src=src)


def attendance_sheets(event: Event) -> list[Appended]:
    sessions = sorted(event.sessions, key=lambda s: s.starts_at)
    scans = {scan.session_id: scan for scan in db.session.scalars(select(SessionSheetScan).where(
        SessionSheetScan.session_id.in_([s.id for s in sessions])))}
    sheets = []
    for number, session in enumerate(sessions, start=1):
        if (scan := scans.get(session.id)) is not None:
            sheets.append(Appended(_("Attendance sheet of session %(number)d (signed, scanned)", number=number),
                                   _scan_pdf(event, number, scan)))
        else:
            sheets.append(Appended(_("Attendance sheet of session %(number)d (printed)", number=number),
                                   attendance_sheet_pdf(event, session)))
    return sheets


def appended(event: Event) -> list[Appended]:
    letter = invitation_letter(event)
    return [*([Appended(_("Invitation letter"), letter)] if letter else []), *attendance_sheets(event)]


def joined(report: bytes, parts: list[Appended]) -> bytes:
    """The report's pages, then each part's pages, as one PDF."""
    writer = PdfWriter()
    for data in (report, *(part.pdf for part in parts)):
        writer.append(PdfReader(io.BytesIO(data)))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
