"""Substitutes ("Ganti peserta"): a cooperative sends someone else in a person's place. The
registration stays (its seat, its place in the queue, its state); only the person changes, with
a new ticket. Under the event's lock, like every change of its registrations."""

import secrets

from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit.services import record_change
from portal.cooperatives.models import Cooperative
from portal.cooperatives.policies import may_act_for
from portal.errors import RuleViolation
from portal.events.models import EventStatus
from portal.extensions import db
from portal.registrations import emails, participants, tickets
from portal.registrations.models import ACTIVE_STATUSES, Participant, Registration, RegistrationStatus
from portal.registrations.seats import lock_event

# What is left of a registration that never took part and can give its row to the substitute.
_GONE = (RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED)


def _substitute(actor, cooperative: Cooperative, participant_id: int | None, board_member_id: int | None,
                new_person: dict | None) -> Participant:
    if participant_id:
        person = db.session.get(Participant, participant_id)
        if person is None or person.cooperative_id != cooperative.id:
            raise RuleViolation("participants", _("A substitute must be a person of the same cooperative."))
        return person
    if board_member_id:
        return participants.participants_from_board(actor, cooperative, [board_member_id])[0]
    if new_person and (new_person.get("full_name") or "").strip():
        return participants.find_or_create_participant(actor, cooperative, **new_person)
    raise RuleViolation("participants", _("Choose the person who comes instead."))


def substitute_participant(actor, registration: Registration, participant_id: int | None = None,
                           board_member_id: int | None = None, new_person: dict | None = None,
                           vouched: bool = False) -> Participant:
    """Put another person of the same cooperative in ``registration``'s place: a board member of
    that cooperative or an organiser (``vouched``: the caller has checked, as attendance at the
    door). The seat, the queue number and the state stay; the ticket's token and code are new, so
    the old ticket no longer opens anything. The substitute gets the ticket, the person replaced a
    short notice. Returns the person replaced."""
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if not (vouched or may_act_for(actor, registration.cooperative_id)):
        raise RuleViolation(None, _("Only the cooperative's board or the organisers can name a substitute."))
    if registration.cooperative_id is None:
        raise RuleViolation(None, _("Only a cooperative's participant can be replaced by a substitute."))
    if registration.status not in ACTIVE_STATUSES:
        raise RuleViolation(None, _("This registration is no longer active, so nobody can take its place."))
    if event.status != EventStatus.PUBLISHED:
        raise RuleViolation(None, _("A cancelled or completed event can no longer be changed."))
    replaced = registration.participant
    person = _substitute(actor, registration.cooperative, participant_id, board_member_id, new_person)
    if person.id == replaced.id:
        raise RuleViolation("participants", _("Choose someone other than %(name)s.", name=replaced.full_name))
    earlier = db.session.scalar(select(Registration).where(
        Registration.event_id == event.id, Registration.participant_id == person.id))
    if earlier is not None and earlier.status not in _GONE:
        raise RuleViolation("participants", _("%(name)s is already registered for this event.",
                                              name=person.full_name))
    if earlier is not None:  # their own cancelled sign-up makes way: the row is the substitute's now
        record_change(actor, "registration.substituted", earlier, before={"status": earlier.status.value},
                      after={"removed_for": registration.id})
        db.session.delete(earlier)
        db.session.flush()
    registration.participant = person
    registration.token = secrets.token_urlsafe(32)
    tickets.assign_check_in_code(registration)
    db.session.flush()
    record_change(actor, "registration.substituted", registration, before={"participant": replaced.full_name},
                  after={"participant": person.full_name, "status": registration.status.value,
                         "cooperative": registration.cooperative.name})
    emails.send_statuses([registration], new_ticket=True)
    emails.send_substituted(registration, replaced)
    return replaced
