"""The guest list: the cooperatives and outside organisations an event is meant for. Organisers
edit it on the event; the invitations capability adds to it when it sends."""

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.audit.services import record_change
from portal.cooperatives.models import Cooperative
from portal.errors import RuleViolation
from portal.events.models import Event, GuestListEntry
from portal.events.services import require_editable
from portal.extensions import db
from portal.offices.scope import offices_read_by


def add_guest_cooperatives(actor, event: Event, cooperative_ids: list[int]) -> int:
    """Put cooperatives on the guest list; those already on it are skipped. Returns how many."""
    require_editable(event)
    present = set(db.session.scalars(select(GuestListEntry.cooperative_id).where(
        GuestListEntry.event_id == event.id, GuestListEntry.cooperative_id.is_not(None))))
    wanted = set(db.session.scalars(select(Cooperative.id).where(
        Cooperative.id.in_(cooperative_ids), Cooperative.office_id.in_(sorted(offices_read_by(event.office_id)))))
    ) - present
    for cooperative_id in sorted(wanted):
        db.session.add(GuestListEntry(event_id=event.id, cooperative_id=cooperative_id,
                                      added_by_id=actor.id if actor else None))
    db.session.flush()
    if wanted:
        record_change(actor, "event.guests_added", event, after={"cooperative_ids": sorted(wanted)})
    return len(wanted)


def add_guest_organisation(actor, event: Event, name: str, email: str | None) -> GuestListEntry:
    require_editable(event)
    name = (name or "").strip()
    if not name:
        raise RuleViolation("organisation_name", _("Enter the organisation's name."))
    exists = db.session.scalar(select(GuestListEntry.id).where(
        GuestListEntry.event_id == event.id, func.lower(GuestListEntry.organisation_name) == name.lower()))
    if exists:
        raise RuleViolation("organisation_name", _("This organisation is already on the guest list."))
    entry = GuestListEntry(event_id=event.id, organisation_name=name, email=(email or "").strip().lower() or None,
                           added_by_id=actor.id if actor else None)
    db.session.add(entry)
    db.session.flush()
    record_change(actor, "event.guest_added", event, after={"organisation_name": name, "email": entry.email})
    return entry


def remove_guest(actor, event: Event, entry: GuestListEntry) -> None:
    require_editable(event)
    label = entry.name
    db.session.delete(entry)
    db.session.flush()
    record_change(actor, "event.guest_removed", event, before={"guest": label})
