"""Who may sign up for an event and who may still cancel: the audience, the registration
window and the cancellation deadline."""

from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.policies import is_staff
from portal.cooperatives.models import Cooperative, CooperativeStatus
from portal.cooperatives.policies import is_board_of
from portal.database import utcnow
from portal.errors import RuleViolation
from portal.events.models import Audience, AudienceStatus, Event, EventStatus, GuestListEntry
from portal.extensions import db
from portal.offices.scope import offices_read_by
from portal.registrations.models import ACTIVE_STATUSES, Registration


def is_in_audience(event: Event, cooperative: Cooperative) -> bool:
    """The event's audience rule; a cooperative on the guest list is always in."""
    on_guest_list = db.session.scalar(select(GuestListEntry.id).where(
        GuestListEntry.event_id == event.id, GuestListEntry.cooperative_id == cooperative.id)) is not None
    return on_guest_list or audience_admits(event, cooperative)


def audience_admits(event: Event, cooperative: Cooperative) -> bool:
    """The event's audience rule alone, without its guest list: its status, districts and
    types all hold (an empty list of districts or types leaves that one open), and the cooperative
    is within the reach of the event's office (its own, or under a province's office)."""
    if event.audience != Audience.ALL:
        return False
    if cooperative.office_id != event.office_id and cooperative.office_id not in offices_read_by(event.office_id):
        return False
    wanted_status = {AudienceStatus.ACTIVE: CooperativeStatus.ACTIVE,
                     AudienceStatus.INACTIVE: CooperativeStatus.INACTIVE}.get(event.audience_status)
    if wanted_status is not None and cooperative.status != wanted_status:
        return False
    if event.audience_districts and cooperative.district_id not in {d.id for d in event.audience_districts}:
        return False
    return not event.audience_types or cooperative.type in event.audience_types


def registration_closes_at(event: Event):
    return event.registration_closes_at or (event.first_session.starts_at if event.first_session else None)


def is_open_for_registration(event: Event, now=None) -> bool:
    now = now or utcnow()
    closes = registration_closes_at(event)
    return (event.status == EventStatus.PUBLISHED
            and (event.registration_opens_at is None or event.registration_opens_at <= now)
            and (closes is None or now < closes))


def check_can_sign_up(event: Event, cooperative: Cooperative) -> None:
    check_window(event)
    if not is_in_audience(event, cooperative):
        raise RuleViolation(None, _("This event is not open to your cooperative."))


def check_window(event: Event) -> None:
    """Published, and within its registration window."""
    if event.status != EventStatus.PUBLISHED:
        raise RuleViolation(None, _("This event is not open for registration."))
    now = utcnow()
    if event.registration_opens_at and now < event.registration_opens_at:
        raise RuleViolation(None, _("Registration has not opened yet."))
    closes = registration_closes_at(event)
    if closes and now >= closes:
        raise RuleViolation(None, _("Registration has closed."))


def cancellation_deadline(event: Event):
    return event.cancellation_deadline_at or (event.first_session.starts_at if event.first_session else None)


def can_cancel(user, registration: Registration) -> bool:
    if registration.status not in ACTIVE_STATUSES:
        return False
    if is_staff(user):
        return True
    return is_board_of(user, registration.cooperative_id) and is_cancellable_by_board(registration)


def is_cancellable_by_board(registration: Registration) -> bool:
    """Still active and before the event's cancellation deadline; whose it is, is checked apart."""
    deadline = cancellation_deadline(registration.event)
    return registration.status in ACTIVE_STATUSES and (deadline is None or utcnow() < deadline)
