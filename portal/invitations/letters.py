"""The formal invitation letter (surat undangan), as offices here expect it with an invitation."""

import json
import logging
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _

from portal.documents.pdf import PDF_MIMETYPE, Blank, fill_blank, kept_blank, render_blank, render_pdf
from portal.events.models import Event, EventKind
from portal.events.snapshots import event_from_snapshot
from portal.extensions import db
from portal.invitations.models import Invitation
from portal.offices.context import office_in_use
from portal.settings.services import office_from_snapshot

log = logging.getLogger(__name__)


def letter_subject(event: Event) -> str:
    with force_locale("id"):
        if event.kind == EventKind.TRAINING:
            return _("Invitation to a training")
        return _("Invitation to a coordination meeting")


# How cooperatives' names begin when they already say what they are (Koperasi, Kop., KSP, KSU,
# Kopdit ...): the addressee line then adds no "Koperasi" of its own.
COOPERATIVE_WORDS = {"koperasi", "kop", "kopdit", "kopwan", "kopkar", "koppas", "kopontren", "kopti", "primkop",
                     "puskop", "inkop", "ksp", "kspps", "ksu", "kud", "kpri", "kpn", "usp", "cu"}


def names_itself_a_cooperative(name: str) -> bool:
    """"KSP Sehati", "Kop. Wanita Sehati", "Koperasi Konsumen ..." say so; "Sehati Oelamasi" does not."""
    words = name.split()
    return bool(words) and words[0].rstrip(".,").lower() in COOPERATIVE_WORDS


def addressee_line(cooperative_name: str | None, organisation_name: str | None = None) -> str:
    """"Ketua KSP Sehati" or "Ketua Koperasi Sehati" for a cooperative, "Pimpinan Bank NTT" for an
    organisation."""
    with force_locale("id"):
        if cooperative_name:
            if names_itself_a_cooperative(cooperative_name):
                return _("Chair of %(cooperative)s", cooperative=cooperative_name)
            return _("Chair of Cooperative %(cooperative)s", cooperative=cooperative_name)
        return _("Head of %(organisation)s", organisation=organisation_name)


def letter_filename(number: str, addressee: str) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in f"{number} {addressee}").strip("-")
    return f"surat-undangan-{safe[:80].lower()}.pdf"


LETTER_TEMPLATE = "invitations/letter.html"
ADDRESSEE_TEMPLATE = "invitations/letter_addressee.html"


def _letter(render, event: Event, *, office=None, **values):
    extra = {"office": lambda: office} if office is not None else {}
    with office_in_use(office if office is not None else getattr(event, "office", None)):
        return render(LETTER_TEMPLATE, language="id", event=event, subject=letter_subject(event), **values, **extra)


def render_letter(event: Event, *, number: str, dated: date, addressee: str, what_to_bring: str | None = None,
                  office=None) -> tuple[str, str, bytes]:
    """``(filename, content type, PDF bytes)`` of one addressee's copy of a round's letter; with
    ``office`` (settings as they were) instead of today's settings."""
    data = _letter(render_pdf, event, office=office, number=number, dated=dated, addressee=addressee,
                   what_to_bring=what_to_bring)
    return letter_filename(number, addressee), PDF_MIMETYPE, data


def render_letter_blank(event: Event, *, number: str, dated: date, what_to_bring: str | None = None,
                        office=None) -> Blank:
    """A round's letter laid out with its addressee slot empty, for ``fill_blank``."""
    return _letter(render_blank, event, office=office, number=number, dated=dated, addressee=None,
                   what_to_bring=what_to_bring)


def invitation_letter(invitation: Invitation) -> tuple[str, str, bytes] | None:
    """The invitee's copy of its round's letter; None for a round sent before letters had numbers."""
    invitation_round = invitation.round
    if invitation_round.letter_number is None:
        return None
    cooperative = invitation.cooperative
    addressee = addressee_line(cooperative.name if cooperative else None, invitation.organisation_name)
    return render_letter(invitation.event, number=invitation_round.letter_number, dated=invitation_round.letter_dated,
                         addressee=addressee, what_to_bring=invitation_round.what_to_bring)


def letter_snapshot(number: str | None, dated: date, addressee: str, what_to_bring: str | None) -> dict | None:
    """What the letter of one invitation says besides the event and the office."""
    if number is None:
        return None
    return {"number": number, "dated": dated.isoformat(), "addressee": addressee, "what_to_bring": what_to_bring}


def render_invitation_letter(invitation_id: int, snapshot: dict | None = None) -> tuple[str, str, bytes] | None:
    """The mail worker's renderer for an invitation's letter attachment: from the message's
    snapshot (the event, letter and signatory as the body was written), or, for a message queued
    before snapshots, from the live rows. Within a pass that keeps blanks (``pdf.keeping_blanks``)
    a round's letter is laid out once and each copy gets its addressee drawn in; an addressee that
    does not fit the slot's four lines (a name that wraps, a script whose fallback font sets taller
    lines) gets its copy laid out in full."""
    if snapshot is None:
        return invitation_letter(db.session.get(Invitation, invitation_id))
    letter = snapshot.get("letter")
    if letter is None:
        return None
    event, office = event_from_snapshot(snapshot["event"]), office_from_snapshot(snapshot["office"])
    values = {"number": letter["number"], "dated": date.fromisoformat(letter["dated"]),
              "what_to_bring": letter["what_to_bring"], "office": office}
    same_for_the_round = json.dumps([snapshot["event"], snapshot["office"], letter | {"addressee": None}],
                                    sort_keys=True, default=str)
    data = None
    if (blank := kept_blank(same_for_the_round, lambda: render_letter_blank(event, **values))) is not None:
        try:
            data = fill_blank(blank, ADDRESSEE_TEMPLATE, addressee=letter["addressee"])
        except Exception:  # noqa: BLE001 - the copy laid out in full still reaches the cooperative
            log.exception("drawing the addressee into invitation %s's letter failed; laid out in full", invitation_id)
    if data is None:
        return render_letter(event, addressee=letter["addressee"], **values)
    return letter_filename(letter["number"], letter["addressee"]), PDF_MIMETYPE, data
