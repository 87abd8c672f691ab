"""The laporan kegiatan as an editable Word document (offices edit it before signing): the kop surat
(logo, parent body, office, address), the same sections and figures as the PDF in plain headings,
paragraphs and tables, the signatory's block, the certificates and the photos."""

import contextlib
import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.activityreport.content import gather
from portal.i18n import format_calendar_date, format_local_date, format_local_time
from portal.offices.context import in_office_of
from portal.settings.services import format_nip

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _table(document, header: list[str], rows: list[list]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = str(text)
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = str(text)


def _centred(document, text: str, size: float, bold: bool = False):
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.font.size, run.bold = Pt(size), bold
    return paragraph


def _rule_below(paragraph) -> None:
    """The kop surat's double rule under the office's address."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("val", "double"), ("sz", "6"), ("space", "4"), ("color", "000000")):
        bottom.set(qn(f"w:{name}"), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _letterhead(document, office) -> None:
    if office.logo and office.logo_mimetype in ("image/png", "image/jpeg"):
        document.add_picture(io.BytesIO(office.logo), height=Cm(2))
        document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    if office.parent_body:
        _centred(document, office.parent_body.upper(), 14, bold=True)
    _centred(document, (office.office_name or "").upper(), 15, bold=True)
    contact = [office.address or ""]
    if office.phone:
        contact.append(f"{_('Phone')} {office.phone}")
    if office.email:
        contact.append(f"{_('Email')} {office.email}")
    _rule_below(_centred(document, " · ".join(part for part in contact if part), 9.5))
    document.add_paragraph()


def _signature(document, office, day) -> None:
    for text, bold in ((f"{office.city}, {format_calendar_date(day)}", False), (f"{office.signatory_title},", False),
                       ("", False), ("", False), (office.signatory_name or "", True),
                       (f"{_('NIP')} {format_nip(office.signatory_nip)}" if office.signatory_nip else "", False)):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.left_indent, paragraph.paragraph_format.space_after = Cm(9), Pt(0)
        run = paragraph.add_run(text)
        run.bold = run.underline = bold


def _photos(document, photos) -> None:
    for photo in photos:
        document.add_picture(io.BytesIO(photo.file.data), width=Cm(14))
        document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption = document.add_paragraph(photo.caption)
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _text(document, text: str) -> None:
    document.add_paragraph(text or _("(not filled in)"))


@in_office_of(lambda event, **kwargs: event.office)
def report_docx(event, *, day=None, language: str = "id") -> bytes:
    request_context = contextlib.nullcontext() if has_request_context() else current_app.test_request_context()
    with request_context, force_locale(language):
        return _build(event, day or event.ends_on)


def _build(event, day) -> bytes:
    data = gather(event)
    texts, minutes = data["texts"], data["minutes"]
    document = Document()
    _letterhead(document, event.office)
    document.add_heading(_("Activity report").upper(), level=0)
    document.add_paragraph(event.title)
    document.add_paragraph(f"{format_calendar_date(event.starts_on)} – {format_calendar_date(event.ends_on)}")
    document.add_page_break()
    document.add_heading(_("I. Introduction"), level=1)
    for heading, text in ((_("A. Background"), texts.background), (_("B. Legal basis"), texts.legal_basis),
                          (_("C. Purpose and objectives"), texts.purpose)):
        document.add_heading(heading, level=2)
        _text(document, text)
    document.add_heading(_("II. Implementation"), level=1)
    document.add_heading(_("A. Time and place"), level=2)
    _table(document, [_("No."), _("Day and date"), _("Time"), _("Place")],
           [[n, format_local_date(s.starts_at), f"{format_local_time(s.starts_at)} – {format_local_time(s.ends_at)}",
             s.venue.name] for n, (s, _counts) in enumerate(data["sessions"], start=1)])
    document.add_heading(_("B. Speakers"), level=2)
    _table(document, [_("Name"), _("Role"), _("Institution"), _("Topic")],
           [[s.name, s.role.label, s.institution or "", s.topic or ""] for s in minutes.speakers])
    document.add_heading(_("C. Participants"), level=2)
    document.add_paragraph(_("Participants who attended: %(number)d people.", number=data["total"]))
    for breakdown in data["breakdowns"]:
        _table(document, [breakdown.title, _("People")], [list(row) for row in breakdown.rows])
    document.add_heading(_("D. Attendance per session"), level=2)
    _table(document, [_("Session"), _("Present"), _("Late"), _("Excused"), _("Absent"), _("Not marked")],
           [[n, c.present, c.late, c.excused, c.absent, c.unmarked]
            for n, (_s, c) in enumerate(data["sessions"], start=1)])
    document.add_heading(_("III. Results"), level=1)
    document.add_heading(_("A. Minutes"), level=2)
    for item in minutes.agenda:
        document.add_paragraph(item.title, style="List Number")
        if item.notes:
            document.add_paragraph(item.notes)
    document.add_heading(_("B. Decisions and follow-ups"), level=2)
    _table(document, [_("Decision"), _("Follow-up action"), _("Who follows it up"), _("Due date")],
           [[f.decision, f.action, f.owner_label, format_calendar_date(f.due_on)] for f in minutes.follow_ups])
    document.add_heading(_("C. Evaluation"), level=2)
    evaluation = data["evaluation"]
    if evaluation and evaluation.responses:
        _table(document, [_("Question"), _("Answers"), _("Average")],
               [[r.question, r.answers, f"{r.average:.2f}" if r.average is not None else "–"]
                for r in evaluation.ratings])
    document.add_heading(_("IV. Closing"), level=1)
    document.add_heading(_("Conclusions and recommendations"), level=2)
    _text(document, texts.conclusion)
    _signature(document, event.office, day)
    document.add_page_break()
    document.add_heading(_("Attachment 1: List of certificates"), level=1)
    _table(document, [_("Name"), _("Affiliation"), _("Certificate number")],
           [[c.full_name, c.affiliation, c.code] for c in data["certificates"]])
    document.add_heading(_("Attachment 2: Photos"), level=1)
    if minutes.photos:
        _photos(document, minutes.photos)
    else:
        document.add_paragraph(_("No photos."))
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()
