"""An event as plain JSON values, taken when a message about it is queued, and read back as an
object with the attributes templates and the calendar builder use. A message's attachments are
built from the snapshot its outbox row keeps, so they tell what its body tells even if the event
moved in between."""

from datetime import datetime
from types import SimpleNamespace

from portal.events.models import Event, EventKind, EventStatus


def event_snapshot(event: Event) -> dict:
    return {
        "id": event.id, "title": event.title, "description": event.description or "",
        "kind": event.kind.value, "status": event.status.value, "sequence": event.sequence,
        "contact_name": event.contact_name, "contact_phone": event.contact_phone,
        "contact_email": event.contact_email,
        "sessions": [{
            "uid": session.uid, "sequence": session.sequence,
            "starts_at": session.starts_at.isoformat(), "ends_at": session.ends_at.isoformat(),
            "venue": {"name": session.venue.name, "address": session.venue.address,
                      "district": session.venue.district.name if session.venue.district else None},
        } for session in event.sessions],
    }


def _session(data: dict) -> SimpleNamespace:
    venue = data["venue"]
    return SimpleNamespace(
        uid=data["uid"], sequence=data["sequence"], starts_at=datetime.fromisoformat(data["starts_at"]),
        ends_at=datetime.fromisoformat(data["ends_at"]),
        venue=SimpleNamespace(name=venue["name"], address=venue["address"],
                              district=SimpleNamespace(name=venue["district"]) if venue["district"] else None))


def event_from_snapshot(data: dict) -> SimpleNamespace:
    """The event as it was when the snapshot was taken (read-only)."""
    sessions = [_session(session) for session in data["sessions"]]
    return SimpleNamespace(
        id=data["id"], title=data["title"], description=data["description"], kind=EventKind(data["kind"]),
        status=EventStatus(data["status"]), sequence=data["sequence"], contact_name=data["contact_name"],
        contact_phone=data["contact_phone"], contact_email=data.get("contact_email"), sessions=sessions,
        first_session=sessions[0] if sessions else None)
