"""The RAT season campaign for book year N: the cooperatives without a verified RAT of that year
(filtered by district, type and status) each get a reminder letter with its own number from the
office's numbering, on the letterhead; it is emailed as a PDF built by the mail worker where the
cooperative has an address, and all the letters print as one PDF with an address list for the
post or the officers' rounds. WhatsApp texts go out by hand from wa.me links. Each letter and text
is a line in the contact log."""

from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.cooperatives.models import Cooperative
from portal.documents.pdf import PDF_MIMETYPE, render_pdf
from portal.extensions import db
from portal.invitations.letters import addressee_line
from portal.invitations.whatsapp import whatsapp_link
from portal.mail.services import queue_email
from portal.offices.context import current_office, office_in_use
from portal.offices.models import Office
from portal.offices.scope import scoped
from portal.pagination import bounded_count
from portal.revival.contacts import log_contact
from portal.revival.models import Contact, ContactChannel
from portal.revival.queries import without_verified_rat_query
from portal.settings.services import office_from_snapshot, office_snapshot, take_letter_number

RENDERER = "revival.rat_letter"
ATTACHMENT_NAME = _l("RAT reminder letter (PDF)")
SUBJECT = _l("Reminder: the annual members meeting (RAT) for book year %(year)d")
MAX_LETTERS_PER_RUN = 2000


@dataclass
class SentLetters:
    letters: int
    emailed: int
    already: int


def letter_subject(book_year: int) -> str:
    with force_locale("id"):
        return _("Reminder to hold the RAT for book year %(year)d", year=book_year)


def letter_snapshot(contact: Contact, cooperative: Cooperative, book_year: int) -> dict:
    return {"number": contact.letter_number, "dated": contact.contacted_on.isoformat(), "book_year": book_year,
            "addressee": addressee_line(cooperative.name), "cooperative": cooperative.name,
            "address": cooperative.address, "village": cooperative.village, "district": cooperative.district.name,
            "phone": cooperative.phone}


def _written(book_year: int):
    """The cooperatives that have this campaign's letter already (a subquery)."""
    return select(Contact.cooperative_id).where(Contact.campaign_year == book_year,
                                                Contact.channel == ContactChannel.LETTER)


def _one_send_at_a_time(actor) -> None:
    """Two sends at once (a double click, two officers) would both find the same cooperatives
    without a letter: the second waits for the first on the sending office's row (PostgreSQL;
    SQLite writes one transaction at a time), then finds their letters written."""
    office = current_office(actor)
    if office is not None:
        db.session.execute(select(Office.id).where(Office.id == office.id).with_for_update())


def send_reminder_letters(actor, book_year: int, today: date, district_ids=None, type=None,
                          status=None) -> SentLetters:
    """A numbered letter for every cooperative of the list that has none for this campaign yet
    (sending again adds only the new ones), logged as a contact, and emailed where it can be."""
    _one_send_at_a_time(actor)
    listed = without_verified_rat_query(book_year, district_ids, type, status, actor=actor, write=True)
    written = _written(book_year)
    cooperatives = list(db.session.scalars(listed.where(Cooperative.id.not_in(written)).limit(MAX_LETTERS_PER_RUN)))
    already = db.session.scalar(select(bounded_count(listed.where(Cooperative.id.in_(written)))))
    letters = emailed = 0
    with force_locale("id"):
        for cooperative in cooperatives:
            with office_in_use(cooperative.office):  # its office's numbering and letterhead
                number = take_letter_number(today)
                how = _("by email and post") if cooperative.email else _("for the post or a visit")
                contact = log_contact(actor, cooperative, {
                    "channel": ContactChannel.LETTER.value, "contacted_on": today,
                    "outcome": _("RAT reminder letter %(number)s for book year %(year)d, %(how)s.", number=number,
                                 year=book_year, how=how)}, today, letter_number=number, campaign_year=book_year)
                letters += 1
                if cooperative.email:
                    _queue_letter(contact, cooperative, book_year)
                    emailed += 1
    return SentLetters(letters, emailed, already)


def _queue_letter(contact: Contact, cooperative: Cooperative, book_year: int) -> None:
    queue_email(cooperative.email, "revival/email/rat_reminder_to_cooperative", SUBJECT,
                subject_values={"year": book_year}, to_name=cooperative.name, language="id",
                key=f"rat-reminder:{contact.id}", concerns=("cooperative", cooperative.id),
                deferred_attachments=[(RENDERER, {"contact_id": contact.id})],
                snapshot={"office": office_snapshot(), "letter": letter_snapshot(contact, cooperative, book_year)},
                cooperative=cooperative, book_year=book_year, number=contact.letter_number)


def _letter_filename(number: str, cooperative: str) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in f"{number} {cooperative}").strip("-")
    return f"surat-pengingat-rat-{safe[:80].lower()}.pdf"


def render_rat_letter(contact_id: int, snapshot: dict | None = None) -> tuple[str, str, bytes] | None:
    """The mail worker's renderer: one cooperative's letter, from the message's snapshot."""
    if snapshot is None:
        contact = db.session.get(Contact, contact_id)
        if contact is None or contact.letter_number is None:
            return None
        with office_in_use(contact.cooperative.office):
            letter = letter_snapshot(contact, contact.cooperative, contact.campaign_year)
        office = contact.cooperative.office
    else:
        letter, office = snapshot["letter"], office_from_snapshot(snapshot["office"])
    extra = {"office": lambda: office} if office is not None else {}
    data = render_pdf("revival/rat_letter.html", language="id", letters=[_letter_values(letter)], addresses=None,
                      **extra)
    return _letter_filename(letter["number"], letter["cooperative"]), PDF_MIMETYPE, data


def _letter_values(letter: dict) -> dict:
    return letter | {"dated": date.fromisoformat(letter["dated"]) if isinstance(letter["dated"], str)
                     else letter["dated"], "subject": letter_subject(letter["book_year"])}


def campaign_letters(book_year: int, district_ids=None, type=None, status=None, actor=None) -> list[dict]:
    """Every letter of the campaign to the cooperatives of the offices ``actor`` reads, for the
    one printable PDF, by district and name."""
    query = (scoped(select(Contact).join(Contact.cooperative), Cooperative, actor)
             .options(joinedload(Contact.cooperative).joinedload(Cooperative.district))
             .where(Contact.campaign_year == book_year, Contact.channel == ContactChannel.LETTER)
             .order_by(Cooperative.district_id, Cooperative.name, Contact.id))
    if district_ids is not None:
        query = query.where(Cooperative.district_id.in_(district_ids))
    if type:
        query = query.where(Cooperative.type == type)
    if status:
        query = query.where(Cooperative.status == status)
    return [_letter_values(letter_snapshot(contact, contact.cooperative, book_year))
            for contact in db.session.scalars(query.limit(MAX_LETTERS_PER_RUN))]


def render_all_letters(book_year: int, actor=None, **filters) -> bytes:
    letters = campaign_letters(book_year, actor=actor, **filters)
    return render_pdf("revival/rat_letter.html", language="id", letters=letters, addresses=letters,
                      book_year=book_year)


def whatsapp_text(cooperative: Cooperative, book_year: int) -> str:
    with force_locale("id"):
        return _("Good day, board of %(name)s. The cooperatives office reminds you to hold the annual members "
                 "meeting (RAT) for book year %(year)d by the end of March %(next)d and to report it to ODS. "
                 "Please send the berita acara through the Portal Koperasi or contact the office.",
                 name=cooperative.name, year=book_year, next=book_year + 1)


def whatsapp_texts(cooperatives, book_year: int) -> dict[int, tuple[str, str | None]]:
    """For each cooperative with a phone: its text and wa.me link (None for a landline)."""
    texts = {}
    for cooperative in cooperatives:
        if cooperative.phone:
            text = whatsapp_text(cooperative, book_year)
            texts[cooperative.id] = (text, whatsapp_link(text, cooperative.phone))
    return texts


def record_whatsapp(actor, cooperative: Cooperative, book_year: int, today: date) -> Contact:
    with force_locale("id"):
        outcome = _("RAT reminder for book year %(year)d sent by WhatsApp.", year=book_year)
    return log_contact(actor, cooperative, {"channel": ContactChannel.WHATSAPP.value, "contacted_on": today,
                                            "outcome": outcome}, today, campaign_year=book_year)
