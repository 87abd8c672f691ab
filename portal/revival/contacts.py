"""The contact log (pembinaan): each call, WhatsApp, letter, visit or RAT the office attended,
with the next step it left; a next step stays on the "tindak lanjut" list until marked done."""

from datetime import date

from flask_babel import gettext as _

from portal.accounts.policies import is_staff
from portal.audit.services import record_change, snapshot
from portal.cooperatives.models import Cooperative
from portal.database import utcnow
from portal.errors import RuleViolation
from portal.extensions import db
from portal.revival.models import Contact, ContactChannel

CONTACT_FIELDS = ["channel", "contacted_on", "person", "outcome", "next_step", "next_step_due", "letter_number"]


def _require_staff(actor) -> None:
    if not is_staff(actor):
        raise RuleViolation(None, _("Only the office keeps the contact log."))


def log_contact(actor, cooperative: Cooperative, values: dict, today: date, *, letter_number: str | None = None,
                campaign_year: int | None = None) -> Contact:
    """One contact, by ``actor`` (the officer). A next step needs its due date, and the reverse."""
    _require_staff(actor)
    contacted_on = values.get("contacted_on")
    if contacted_on is None:
        raise RuleViolation("contacted_on", _("Enter the date of the contact."))
    if contacted_on > today:
        raise RuleViolation("contacted_on", _("The date of a contact cannot be in the future."))
    outcome = (values.get("outcome") or "").strip()
    if not outcome:
        raise RuleViolation("outcome", _("Say what came of the contact."))
    next_step = " ".join((values.get("next_step") or "").split()) or None
    due = values.get("next_step_due")
    if next_step and due is None:
        raise RuleViolation("next_step_due", _("Give the next step a due date."))
    if due is not None and not next_step:
        raise RuleViolation("next_step", _("Say what the next step is."))
    if due is not None and due < contacted_on:
        raise RuleViolation("next_step_due", _("The next step cannot be due before the contact."))
    contact = Contact(cooperative=cooperative, channel=ContactChannel(values.get("channel")),
                      contacted_on=contacted_on, officer_id=actor.id,
                      person=" ".join((values.get("person") or "").split())[:120] or None, outcome=outcome,
                      next_step=next_step, next_step_due=due, letter_number=letter_number,
                      campaign_year=campaign_year)
    db.session.add(contact)
    db.session.flush()
    record_change(actor, "contact.log", contact, None, snapshot(contact, CONTACT_FIELDS))
    return contact


def mark_step_done(actor, contact: Contact) -> Contact:
    _require_staff(actor)
    if contact.next_step is None or contact.next_step_done_at is not None:
        raise RuleViolation(None, _("This next step is already done."))
    contact.next_step_done_at = utcnow()
    record_change(actor, "contact.step_done", contact, {"next_step_done_at": None},
                  {"next_step_done_at": contact.next_step_done_at.isoformat()})
    return contact
