"""The minutes' rules: speakers, agenda points, follow-ups (a due date not before the event, a
cooperative the organiser may see) and photos, each change audited; flush, never commit."""

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.audit.services import record_change, snapshot
from portal.cooperatives.models import Cooperative
from portal.errors import RuleViolation
from portal.events.models import Event
from portal.extensions import db
from portal.files.services import store_photo
from portal.minutes.models import AgendaItem, EventPhoto, FollowUp, FollowUpOwner, FollowUpStatus, Speaker, SpeakerRole
from portal.offices.scope import load_or_404, may_change


def _check_writable(actor, event: Event) -> None:
    if not may_change(actor, event.office_id):
        raise RuleViolation(None, _("You may not change this event's minutes."))


def add_speaker(actor, event: Event, values: dict) -> Speaker:
    _check_writable(actor, event)
    speaker = Speaker(event_id=event.id, role=SpeakerRole(values["role"]), name=values["name"].strip(),
                      institution=(values.get("institution") or "").strip() or None,
                      topic=(values.get("topic") or "").strip() or None)
    db.session.add(speaker)
    db.session.flush()
    record_change(actor, "minutes.speaker_add", speaker, office_id=event.office_id)
    return speaker


def remove_speaker(actor, speaker: Speaker) -> None:
    record_change(actor, "minutes.speaker_remove", speaker)
    db.session.delete(speaker)
    db.session.flush()


def add_agenda_item(actor, event: Event, values: dict) -> AgendaItem:
    """A point of the notulen, after the others."""
    _check_writable(actor, event)
    last = db.session.scalar(select(func.max(AgendaItem.position)).where(AgendaItem.event_id == event.id)) or 0
    item = AgendaItem(event_id=event.id, position=last + 1, title=values["title"].strip(),
                      notes=(values.get("notes") or "").strip())
    db.session.add(item)
    db.session.flush()
    record_change(actor, "minutes.agenda_add", item, office_id=event.office_id)
    return item


def update_agenda_item(actor, item: AgendaItem, values: dict) -> AgendaItem:
    before = {"title": item.title, "notes": item.notes}
    item.title, item.notes = values["title"].strip(), (values.get("notes") or "").strip()
    db.session.flush()
    record_change(actor, "minutes.agenda_update", item, before, {"title": item.title, "notes": item.notes})
    return item


def remove_agenda_item(actor, item: AgendaItem) -> None:
    record_change(actor, "minutes.agenda_remove", item)
    db.session.delete(item)
    db.session.flush()


FOLLOW_UP_FIELDS = ["decision", "action", "owner_kind", "cooperative_id", "owner_name", "due_on", "status"]


def _follow_up_fields(actor, event: Event, values: dict) -> dict:
    """The checked columns of a follow-up: due not before the event's first day; a cooperative
    owner must be one the organiser's office reads; a person owner needs a name."""
    owner = FollowUpOwner(values["owner_kind"])
    due_on: date = values["due_on"]
    if due_on < event.starts_on:
        raise RuleViolation("due_on", _("The due date cannot be before the event."))
    cooperative_id = None
    if owner.is_cooperative:
        if not values.get("cooperative_id"):
            raise RuleViolation("cooperative_id", _("Choose the cooperative that follows it up."))
        cooperative_id = load_or_404(Cooperative, values["cooperative_id"], actor, write=False).id
    owner_name = (values.get("owner_name") or "").strip() or None
    if owner.is_person and not owner_name:
        raise RuleViolation("owner_name", _("Name the person who follows it up."))
    return {"decision": values["decision"].strip(), "action": values["action"].strip(), "owner_kind": owner,
            "cooperative_id": cooperative_id, "owner_name": owner_name, "due_on": due_on}


def add_follow_up(actor, event: Event, values: dict) -> FollowUp:
    """A decision and its follow-up action, checked as ``_follow_up_fields`` says."""
    _check_writable(actor, event)
    follow_up = FollowUp(event_id=event.id, created_by_id=actor.id if actor else None,
                         **_follow_up_fields(actor, event, values))
    db.session.add(follow_up)
    db.session.flush()
    record_change(actor, "minutes.follow_up_add", follow_up, office_id=event.office_id)
    return follow_up


def update_follow_up(actor, follow_up: FollowUp, values: dict, now: datetime) -> FollowUp:
    """Change what, who, by when and where it stands, with the rules of a new one; a refused
    change leaves the follow-up as it was."""
    event = follow_up.event
    _check_writable(actor, event)
    fields = _follow_up_fields(actor, event, values)
    status = FollowUpStatus(values.get("status") or follow_up.status.value)
    before = snapshot(follow_up, FOLLOW_UP_FIELDS)
    for name, value in fields.items():
        setattr(follow_up, name, value)
    if status != follow_up.status:
        follow_up.status = status
        follow_up.done_at = now if status.is_done else None
    db.session.flush()
    record_change(actor, "minutes.follow_up_update", follow_up, before, snapshot(follow_up, FOLLOW_UP_FIELDS),
                  office_id=event.office_id)
    return follow_up


def set_follow_up_status(actor, follow_up: FollowUp, status: FollowUpStatus, now: datetime) -> FollowUp:
    before = {"status": follow_up.status.value}
    follow_up.status = status
    follow_up.done_at = now if status.is_done else None
    db.session.flush()
    record_change(actor, "minutes.follow_up_status", follow_up, before, {"status": status.value})
    return follow_up


def add_photo(actor, event: Event, filename: str | None, data: bytes, caption: str) -> EventPhoto:
    """Keep the photo resized, without its location and other metadata, with its caption."""
    _check_writable(actor, event)
    stored = store_photo(actor, filename, data, "photo")
    photo = EventPhoto(event_id=event.id, file_id=stored.id, caption=caption.strip(),
                       uploaded_by_id=actor.id if actor else None)
    db.session.add(photo)
    db.session.flush()
    record_change(actor, "minutes.photo_add", photo, office_id=event.office_id)
    return photo


def remove_photo(actor, photo: EventPhoto) -> None:
    record_change(actor, "minutes.photo_remove", photo)
    stored = photo.file
    db.session.delete(photo)
    db.session.delete(stored)
    db.session.flush()
