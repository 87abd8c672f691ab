"""Reach without email: the messages a participant without an email address would have received
(the confirmation with the ticket link, whose page holds the QR code; reminders; schedule changes;
the certificate link), offered as WhatsApp texts with wa.me links (mobile numbers only, as for
invitations). Sending one is recorded (``Reach``), so the office sees who was reached and how."""

from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.accounts.policies import require_staff
from portal.certificates.models import Certificate
from portal.cooperatives.models import Cooperative
from portal.events.models import Event
from portal.extensions import db
from portal.i18n import format_local_datetime
from portal.invitations.models import Invitation, InvitationAnswer
from portal.invitations.whatsapp import invitation_text, whatsapp_link
from portal.mail.services import external_url
from portal.registrations.models import (
    ACTIVE_STATUSES,
    ATTENDING_STATUSES,
    Participant,
    Registration,
    RegistrationStatus,
)
from portal.reports.models import Reach, ReachKind

# The people still expected (or waiting), who are sent what the others get by email.
REACHED_STATUSES = (*ATTENDING_STATUSES, RegistrationStatus.WAITLISTED)


@dataclass
class Offer:
    kind: ReachKind
    text: str
    link: str | None  # the wa.me link; None for a landline or no phone: the text can still be copied


@dataclass
class WithoutEmail:
    registration: Registration
    offers: list[Offer] = field(default_factory=list)
    sent: list[Reach] = field(default_factory=list)


def without_email_query(event_id: int):
    """The event's people without an email address, by name; the caller paginates."""
    return (select(Registration).join(Participant, Participant.id == Registration.participant_id)
            .where(Registration.event_id == event_id, Registration.status.in_(REACHED_STATUSES),
                   (Participant.email.is_(None)) | (Participant.email == ""))
            .options(selectinload(Registration.participant), selectinload(Registration.cooperative))
            .order_by(Participant.full_name, Registration.id))


def message_text(kind: ReachKind, registration: Registration, certificate: Certificate | None = None) -> str:
    """The Indonesian WhatsApp text of one message to the participant."""
    event: Event = registration.event
    ticket = external_url("registrations.ticket", token=registration.token)
    first = event.first_session
    with force_locale("id"):
        when = format_local_datetime(first.starts_at) if first else ""
        name = registration.participant.full_name
        if kind == ReachKind.CONFIRMATION:
            return _("Hello %(name)s, your registration for %(title)s (%(when)s) is recorded: %(status)s. "
                     "Your ticket, with the QR code to show at the door: %(link)s",
                     name=name, title=event.title, when=when, status=registration.status.label, link=ticket)
        if kind == ReachKind.REMINDER:
            return _("Reminder, %(name)s: %(title)s starts on %(when)s. Your ticket: %(link)s",
                     name=name, title=event.title, when=when, link=ticket)
        if kind == ReachKind.SCHEDULE_CHANGE:
            return _("%(name)s, the schedule of %(title)s has changed. The times and places now: %(link)s",
                     name=name, title=event.title, link=ticket)
        return _("Congratulations %(name)s: your certificate of %(title)s (code %(code)s): %(link)s",
                 name=name, title=event.title, code=certificate.display_code if certificate else "",
                 link=external_url("certificates.ticket_download", token=registration.token))


def fill(event: Event, registrations: list[Registration]) -> list[WithoutEmail]:
    """Each person's offers and what was sent already: two statements for the page."""
    ids = [r.id for r in registrations]
    certificates = {c.registration_id: c for c in db.session.scalars(
        select(Certificate).where(Certificate.registration_id.in_(ids), Certificate.revoked_at.is_(None)))} \
        if ids else {}
    sent: dict[int, list[Reach]] = {}
    if ids:
        for reach in db.session.scalars(select(Reach).where(Reach.registration_id.in_(ids)).order_by(Reach.sent_at)):
            sent.setdefault(reach.registration_id, []).append(reach)
    rows = []
    for registration in registrations:
        kinds = [ReachKind.CONFIRMATION]
        if not event.has_started:
            kinds += [ReachKind.REMINDER, ReachKind.SCHEDULE_CHANGE]
        if registration.id in certificates:
            kinds.append(ReachKind.CERTIFICATE)
        offers = []
        for kind in kinds:
            text = message_text(kind, registration, certificates.get(registration.id))
            phone = registration.participant.phone
            offers.append(Offer(kind, text, whatsapp_link(text, phone) if phone else None))
        rows.append(WithoutEmail(registration, offers, sent.get(registration.id, [])))
    return rows


def _recorded(actor, kind: ReachKind, **about) -> Reach:
    """A message of ``kind`` sent by WhatsApp by ``actor`` (staff only), about a registration or an invitation."""
    require_staff(actor, _("Only organisers can record a message sent by WhatsApp."))
    reach = Reach(kind=kind, channel="whatsapp", sent_by_id=actor.id, **about)
    db.session.add(reach)
    db.session.flush()
    return reach


def record_reach(actor, registration: Registration, kind: ReachKind) -> tuple[Reach, str | None]:
    """Record that ``kind`` was sent to the participant by WhatsApp; the wa.me link to open."""
    reach = _recorded(actor, kind, event_id=registration.event_id, registration_id=registration.id)
    certificate = None
    if kind == ReachKind.CERTIFICATE:
        certificate = db.session.scalar(select(Certificate).where(
            Certificate.registration_id == registration.id, Certificate.revoked_at.is_(None)))
    text = message_text(kind, registration, certificate)
    phone = registration.participant.phone
    return reach, whatsapp_link(text, phone) if phone else None


# -- cooperatives without an address --------------------------------------------------------------


@dataclass
class CooperativeWithoutEmail:
    invitation: Invitation
    offers: list[Offer] = field(default_factory=list)
    sent: list[Reach] = field(default_factory=list)


def cooperatives_without_email_query(event_id: int):
    """The event's invited cooperatives without an email address, by name; the caller paginates."""
    return (select(Invitation).join(Cooperative, Cooperative.id == Invitation.cooperative_id)
            .where(Invitation.event_id == event_id, (Cooperative.email.is_(None)) | (Cooperative.email == ""))
            .options(selectinload(Invitation.cooperative))
            .order_by(Cooperative.name, Invitation.id))


def cooperative_text(kind: ReachKind, invitation: Invitation, owed: int = 0) -> str:
    event = invitation.event
    link = external_url("invitations.rsvp", event_id=event.id, token=invitation.token)
    if kind == ReachKind.INVITATION:
        return invitation_text(event, link, addressee=invitation.cooperative.name)
    with force_locale("id"):
        return _("Good day, board of %(name)s: please still give the names of the %(count)d people coming to "
                 "%(title)s, so that each has a seat and a ticket: %(link)s",
                 name=invitation.cooperative.name, count=owed, title=event.title, link=link)


def _names_owed(event_id: int, invitations: list[Invitation]) -> dict[int, int]:
    """For each accepted invitation on the page that announced people: how many are not named yet."""
    accepted = {i.cooperative_id: i for i in invitations
                if i.answer == InvitationAnswer.ACCEPTED and i.attendee_count}
    if not accepted:
        return {}
    named = dict(db.session.execute(
        select(Registration.cooperative_id, func.count()).where(
            Registration.event_id == event_id, Registration.cooperative_id.in_(list(accepted)),
            Registration.status.in_(ACTIVE_STATUSES)).group_by(Registration.cooperative_id)).all())
    return {i.id: max(i.attendee_count - named.get(cooperative_id, 0), 0) for cooperative_id, i in accepted.items()}


def fill_cooperatives(event: Event, invitations: list[Invitation]) -> list[CooperativeWithoutEmail]:
    """Each cooperative's offers (the invitation while unanswered, the names while owed) and what
    was sent already: two statements for the page."""
    owed = _names_owed(event.id, invitations)
    ids = [i.id for i in invitations]
    sent: dict[int, list[Reach]] = {}
    if ids:
        for reach in db.session.scalars(select(Reach).where(Reach.invitation_id.in_(ids)).order_by(Reach.sent_at)):
            sent.setdefault(reach.invitation_id, []).append(reach)
    rows = []
    for invitation in invitations:
        kinds = [ReachKind.INVITATION] if invitation.answer is None else []
        if owed.get(invitation.id):
            kinds.append(ReachKind.NAMES_OWED)
        phone = invitation.cooperative.phone
        offers = [Offer(kind, text, whatsapp_link(text, phone) if phone else None)
                  for kind in kinds for text in [cooperative_text(kind, invitation, owed.get(invitation.id, 0))]]
        rows.append(CooperativeWithoutEmail(invitation, offers, sent.get(invitation.id, [])))
    return rows


def record_cooperative_reach(actor, invitation: Invitation, kind: ReachKind) -> tuple[Reach, str | None]:
    """Record that ``kind`` was sent to the cooperative's board by WhatsApp; the wa.me link to open."""
    reach = _recorded(actor, kind, event_id=invitation.event_id, invitation_id=invitation.id)
    owed = _names_owed(invitation.event_id, [invitation]).get(invitation.id, 0)
    text = cooperative_text(kind, invitation, owed)
    phone = invitation.cooperative.phone
    return reach, whatsapp_link(text, phone) if phone else None
