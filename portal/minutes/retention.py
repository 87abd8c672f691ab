"""Event photos past the office's period (``PrivacySettings.photo_days``, counted from the event's
last day): the photo and its stored file are deleted (a face is personal data; the minutes stay)."""

from datetime import datetime, timedelta

from sqlalchemy import delete, select

from portal.events.models import Event
from portal.extensions import db
from portal.files.models import StoredFile
from portal.minutes.models import EventPhoto
from portal.offices.models import Office


def forget_photos(now: datetime, office: Office, days: int, dry_run: bool) -> int:
    cutoff = (now - timedelta(days=days)).date()
    photos = list(db.session.execute(select(EventPhoto.id, EventPhoto.file_id).join(
        Event, Event.id == EventPhoto.event_id).where(Event.office_id == office.id, Event.ends_on < cutoff)))
    if dry_run or not photos:
        return len(photos)
    db.session.execute(delete(EventPhoto).where(EventPhoto.id.in_([p.id for p in photos]))
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(StoredFile).where(StoredFile.id.in_([p.file_id for p in photos]))
                       .execution_options(synchronize_session=False))
    return len(photos)
