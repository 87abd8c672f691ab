"""The laporan kegiatan as an editable Word document (offices edit it before signing): the same
sections and figures as the PDF, in plain headings, paragraphs and tables."""

import contextlib
import io

from docx import Document
from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.activityreport.content import gather
from portal.i18n import format_calendar_date, format_local_date, format_local_time
from portal.offices.context import in_office_of

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _table(document, header: list[str], rows: list[list]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = str(text)
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = str(text)


def _text(document, text: str) -> None:
    document.add_paragraph(text or _("(not filled in)"))


@in_office_of(lambda event, **kwargs: event.office)
def report_docx(event, *, language: str = "id") -> bytes:
    request_context = contextlib.nullcontext() if has_request_context() else current_app.test_request_context()
    with request_context, force_locale(language):
        return _build(event)


def _build(event) -> bytes:
    data = gather(event)
    texts, minutes = data["texts"], data["minutes"]
    document = Document()
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
    document.add_page_break()
    document.add_heading(_("Attachment 1: List of certificates"), level=1)
    _table(document, [_("Name"), _("Affiliation"), _("Certificate number")],
           [[c.full_name, c.affiliation, c.code] for c in data["certificates"]])
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()
