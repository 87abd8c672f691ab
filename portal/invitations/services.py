"""The rules of invitations: sending a round, answering through the link, naming participants,
sending a failed invitation again, and telling invitees when their event changes.

Sending writes everything in a fixed number of statements, whatever the number of
cooperatives: the invitations (one executemany, ``ON CONFLICT DO NOTHING`` on the
one-per-cooperative constraint, so two organisers sending at once still invite each cooperative
once), the guest list (one ``INSERT ... SELECT``), the outbox rows (one executemany). Anything
slow, the .ics today and the PDF letter later, is built by the mail worker.
"""

import enum
from dataclasses import replace
from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, literal, select

from portal.accounts.policies import require_staff
from portal.audit.services import record_change
from portal.cooperatives.models import Cooperative
from portal.database import UTCDateTime, insert_ignoring_duplicates, utcnow
from portal.errors import RuleViolation
from portal.events.models import Event, EventKind, EventStatus, GuestListEntry
from portal.events.services import local_moment
from portal.extensions import db
from portal.invitations import emails
from portal.invitations.models import (
    AnswerChannel,
    Invitation,
    InvitationAnswer,
    InvitationRound,
    new_token,
    sort_key,
)
from portal.invitations.recipients import addressees, usable_address
from portal.invitations.reminder_runs import count_invitations_as_reminders
from portal.invitations.selection import Selection, chosen_cooperatives
from portal.mail import queries as mail
from portal.mail.models import MessageStatus
from portal.mail.services import retry_message, supersede_pending
from portal.registrations import participants
from portal.registrations import services as registrations
from portal.registrations.models import ACTIVE_STATUSES, Participant, Registration
from portal.registrations.seats import lock_event
from portal.settings.services import take_letter_number

MAX_ATTENDEES = 50
# One request writes a round: 10,000 cooperatives (some 20,000 messages) take a few seconds.
# A province or the whole country is invited in several rounds, by district for example.
MAX_COOPERATIVES_PER_ROUND = 10_000


def valid_until(event: Event) -> datetime:
    """Links work until the event ends: its last session's end (or the end of its last day)."""
    if event.sessions:
        return max(session.ends_at for session in event.sessions)
    return local_moment(event.ends_on + timedelta(days=1), time(0, 0))


def has_ended(event: Event, now: datetime | None = None) -> bool:
    return (now or utcnow()) >= valid_until(event)


def _require_open(event: Event, now: datetime | None = None) -> None:
    if event.status == EventStatus.CANCELLED:
        raise RuleViolation(None, _("This event has been cancelled."))
    if event.status != EventStatus.PUBLISHED or has_ended(event, now):
        raise RuleViolation(None, _("This event has ended."))


# -- sending ------------------------------------------------------------------------------------


def send_invitations(actor, event: Event, selection: Selection, organisations=(),
                     what_to_bring: str | None = None) -> InvitationRound:
    """Invite the chosen cooperatives that are not invited yet, and ``organisations`` (pairs of
    name and address), as one round; they join the guest list and their mail is queued.
    Returns the round, with how many invitations and messages it made; a round that would
    invite nobody new is refused (the caller rolls back)."""
    require_staff(actor)
    if event.status == EventStatus.DRAFT:
        raise RuleViolation(None, _("Publish the event before sending invitations."))
    _require_open(event)
    organisations = _clean_organisations(organisations)
    now = utcnow()
    invitation_round = InvitationRound(
        event_id=event.id, sent_by_id=actor.id, what_to_bring=(what_to_bring or "").strip() or None,
        selection={**selection.as_record(), "organisations": [email for _name, email in organisations]},
        created_at=now)
    db.session.add(invitation_round)
    db.session.flush()
    # In id order, so two concurrent sends take the unique index's locks in the same order.
    chosen = db.session.execute(chosen_cooperatives(event.id, selection).add_columns(Cooperative.name)
                                .order_by(Cooperative.id).limit(MAX_COOPERATIVES_PER_ROUND + 1)).all()
    if len(chosen) > MAX_COOPERATIVES_PER_ROUND:
        raise RuleViolation(None, _("At most %(count)d cooperatives can be invited in one round; narrow the "
                                    "choice, by district for example.", count=MAX_COOPERATIVES_PER_ROUND))
    rows = [{"event_id": event.id, "round_id": invitation_round.id, "cooperative_id": cooperative_id,
             "organisation_name": None, "sort_name": sort_key(name), "email": None, "token": new_token(),
             "created_at": now}
            for cooperative_id, name in chosen]
    if rows:
        db.session.execute(insert_ignoring_duplicates(db.session, Invitation.__table__, "event_id",
                                                      "cooperative_id"), rows)
        _add_cooperatives_to_guest_list(actor, event, invitation_round, now)
    if organisations:
        db.session.execute(insert_ignoring_duplicates(db.session, Invitation.__table__, "event_id", "email"), [
            {"event_id": event.id, "round_id": invitation_round.id, "cooperative_id": None, "organisation_name": name,
             "sort_name": sort_key(name), "email": email, "token": new_token(), "created_at": now}
            for name, email in organisations])
        _add_organisations_to_guest_list(actor, event, organisations, now)
    found = addressees(Invitation.round_id == invitation_round.id)
    if not found:
        raise RuleViolation(None, _("Everyone chosen is invited already (or nobody was chosen); nothing was sent."))
    invitation_round.letter_number = take_letter_number(invitation_round.letter_dated, event.office)
    for addressee in found:
        addressee.letter_number = invitation_round.letter_number
    invitation_round.cooperative_count = sum(1 for a in found if a.cooperative_id is not None)
    invitation_round.organisation_count = len(found) - invitation_round.cooperative_count
    invitation_round.message_count = emails.queue_invitations(event, found)
    count_invitations_as_reminders(event, now)
    record_change(actor, "invitations.sent", invitation_round, after={
        "cooperatives": invitation_round.cooperative_count, "organisations": invitation_round.organisation_count,
        "messages": invitation_round.message_count, "selection": invitation_round.selection})
    return invitation_round


def _clean_organisations(organisations) -> list[tuple[str, str]]:
    cleaned = {}
    for name, email in organisations:
        name, address = " ".join((name or "").split())[:200], usable_address(email)
        if not name or not address:
            raise RuleViolation("organisations", _("Give each organisation a name and an email address."))
        cleaned.setdefault(address, name)
    return [(name, email) for email, name in cleaned.items()]


def _add_cooperatives_to_guest_list(actor, event: Event, invitation_round: InvitationRound, now: datetime) -> None:
    """Every cooperative of the round joins the guest list, in one INSERT ... SELECT."""
    invited = select(literal(event.id), Invitation.cooperative_id, literal(actor.id), literal(now, UTCDateTime())
                     ).where(Invitation.round_id == invitation_round.id, Invitation.cooperative_id.is_not(None)
                             ).order_by(Invitation.cooperative_id)
    insert = insert_ignoring_duplicates(db.session, GuestListEntry.__table__, "event_id", "cooperative_id")
    db.session.execute(insert.from_select(["event_id", "cooperative_id", "added_by_id", "created_at"], invited))


def _add_organisations_to_guest_list(actor, event: Event, organisations, now: datetime) -> None:
    listed = db.session.execute(select(func.lower(GuestListEntry.organisation_name), GuestListEntry.email).where(
        GuestListEntry.event_id == event.id, GuestListEntry.organisation_name.is_not(None))).all()
    names, addresses = {name for name, _email in listed}, {email for _name, email in listed if email}
    for name, email in organisations:
        if name.lower() not in names and email not in addresses:
            db.session.add(GuestListEntry(event_id=event.id, organisation_name=name, email=email,
                                          added_by_id=actor.id, created_at=now))
            names.add(name.lower())


def resend_invitation(actor, invitation: Invitation) -> int:
    """Queue a failed invitation again: its failed messages, and any address the cooperative
    has gained since. Returns how many messages will go."""
    require_staff(actor)
    _require_open(invitation.event)
    failed = list(db.session.scalars(mail.messages_concerning(
        "invitation", [invitation.id], template=emails.INVITATION_TEMPLATE, statuses=[MessageStatus.FAILED])))
    for message in failed:
        retry_message(actor, message)
    mailed = mail.recipients_concerning("invitation", invitation.id, template=emails.INVITATION_TEMPLATE)
    found = addressees(Invitation.id == invitation.id)
    for addressee in found:
        addressee.recipients = [r for r in addressee.recipients if r.email not in mailed]
    added = emails.queue_invitations(invitation.event, found)
    if not failed and not added:
        raise RuleViolation(None, _("Nothing to send again: no message of this invitation failed."))
    record_change(actor, "invitation.resent", invitation, after={"retried": len(failed), "new_addresses": added})
    return len(failed) + added


# -- the answer link ----------------------------------------------------------------------------


class LinkProblem(enum.StrEnum):
    UNKNOWN = "unknown"  # no such token: mistyped, cut off, or tampered with
    OTHER_EVENT = "other_event"  # a real token, but of an invitation to another event
    EXPIRED = "expired"  # the event has ended


class LinkRefused(Exception):
    def __init__(self, problem: LinkProblem, invitation: Invitation | None = None):
        super().__init__(problem.value)
        self.problem, self.invitation = problem, invitation


def open_invitation(event_id: int, token: str, now: datetime | None = None) -> Invitation:
    """The invitation an answer link names, or ``LinkRefused`` saying why not."""
    invitation = None
    if token and len(token) <= 64:
        invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
    if invitation is None:
        raise LinkRefused(LinkProblem.UNKNOWN)
    if invitation.event_id != event_id:
        raise LinkRefused(LinkProblem.OTHER_EVENT, invitation)
    if has_ended(invitation.event, now):
        raise LinkRefused(LinkProblem.EXPIRED, invitation)
    return invitation


def _attendee_names(event: Event, text: str | None, count: int | None) -> tuple[list[str], int]:
    """The names an acceptance gives and how many will come: names, or a count alone when the
    names are not known yet (they are owed, and may follow until registration closes)."""
    names = list(dict.fromkeys(" ".join(line.split())[:120] for line in (text or "").splitlines() if line.strip()))
    if count is not None and not 1 <= count <= MAX_ATTENDEES:
        raise RuleViolation("attendee_count", _("Give a number from 1 to %(count)d.", count=MAX_ATTENDEES))
    if not names and count is None:
        raise RuleViolation("attendee_names", _("Write the name of each person who will come, one per line, "
                                                "or at least how many will come."))
    if len(names) > MAX_ATTENDEES:
        raise RuleViolation("attendee_names", _("At most %(count)d names can be given.", count=MAX_ATTENDEES))
    return names, max(len(names), count or 0)


def answer_invitation(actor, invitation: Invitation, answer: InvitationAnswer, reason: str | None = None,
                      attendee_names: str | None = None, now: datetime | None = None,
                      attendee_count: int | None = None, channel: AnswerChannel = AnswerChannel.LINK,
                      answered_by_name: str | None = None, answered_at: datetime | None = None
                      ) -> InvitationAnswer | None:
    """Record the invitee's answer; a later answer replaces the earlier one. A decline may give a
    reason and cancels the invitee's registrations. Accepting a coordination meeting names who
    will come: the names become the invitee's registrations, under the rules of a sign-up (names
    beyond the seats or the cooperative's limit join the waiting list), and someone no longer
    named is cancelled (the seat goes to the waiting list). A count without names holds no seat.
    The caller vouches for the invitee (its link) or is an organiser (``channel`` other than the
    link, with who answered). Returns the answer replaced; on a refusal the caller rolls back, so
    an answer never stands without its registrations."""
    event = lock_event(invitation.event_id)  # first: two answers at once change registrations in turn
    db.session.refresh(invitation)
    _require_open(event, now)
    answer, channel = InvitationAnswer(answer), AnswerChannel(channel)
    if channel != AnswerChannel.LINK:
        _check_office_answer(actor, answered_by_name, answered_at, now)
    previous = invitation.answer
    names, count = ([], None)
    if answer == InvitationAnswer.ACCEPTED and event.kind == EventKind.MEETING:
        names, count = _attendee_names(event, attendee_names, attendee_count)
    invitation.answer, invitation.answered_at = answer, answered_at or now or utcnow()
    invitation.answered_by_id = actor.id if actor is not None else None
    invitation.answer_channel = channel
    invitation.answered_by_name = (" ".join((answered_by_name or "").split())[:120] or None
                                   if channel != AnswerChannel.LINK else None)
    invitation.decline_reason = ((reason or "").strip()[:500] or None) if answer == InvitationAnswer.DECLINED else None
    invitation.attendee_count = count
    db.session.flush()
    if answer == InvitationAnswer.DECLINED:
        _cancel_registrations(actor, invitation, keep=())
    elif names:
        _register_names(actor, invitation, names)
    if channel != AnswerChannel.LINK:
        record_change(actor, "invitation.answered_for", invitation, before={"answer": previous and previous.value},
                      after={"answer": answer.value, "channel": channel.value, "by": invitation.answered_by_name,
                             "names": names, "count": count})
    return previous


def _check_office_answer(actor, answered_by_name: str | None, answered_at: datetime | None,
                         now: datetime | None) -> None:
    """An organiser records an answer given by phone, WhatsApp, letter or in person: who gave it, and
    when (not in the future)."""
    require_staff(actor, _("Only organisers can record an answer on an invitee's behalf."))
    if not " ".join((answered_by_name or "").split()):
        raise RuleViolation("answered_by_name", _("Write who gave the answer."))
    if answered_at is not None and answered_at > (now or utcnow()) + timedelta(minutes=5):
        raise RuleViolation("answered_on", _("The answer cannot have been given in the future."))


def _invitees_registrations(invitation: Invitation) -> list[Registration]:
    """The invitee's active registrations for the event: its cooperative's, or its organisation's people's."""
    query = select(Registration).where(Registration.event_id == invitation.event_id,
                                       Registration.status.in_(ACTIVE_STATUSES)).order_by(Registration.id)
    if invitation.cooperative_id is not None:
        query = query.where(Registration.cooperative_id == invitation.cooperative_id)
    else:
        query = query.join(Participant, Registration.participant_id == Participant.id).where(
            Registration.cooperative_id.is_(None),
            func.lower(Participant.organisation_name) == invitation.organisation_name.lower())
    return list(db.session.scalars(query))


def _cancel_registrations(actor, invitation: Invitation, keep) -> None:
    """Give back the seats of the invitee's people not in ``keep`` (each is told, the waiting list
    moves up); past the cancellation deadline the link's answer is refused, an organiser's is not."""
    for registration in _invitees_registrations(invitation):
        if registration.participant_id not in keep:
            registrations.cancel_registration(actor, registration, cooperative_id=invitation.cooperative_id,
                                              vouched=True)


def _register_names(actor, invitation: Invitation, names: list[str]) -> None:
    people = participants.named_people(actor, invitation.cooperative, names, invitation.organisation_name)
    keep = {person.id for person in people}
    _cancel_registrations(actor, invitation, keep)
    active = {r.participant_id for r in _invitees_registrations(invitation)}
    registrations.sign_up_named(actor, invitation.event_id, [p for p in people if p.id not in active],
                                invitation.cooperative, vouched=True)


def names_owed(invitation: Invitation, coming: int) -> int:
    """How many people an accepted meeting's invitee still has to name: announced minus signed up."""
    if invitation.answer != InvitationAnswer.ACCEPTED or invitation.event.kind != EventKind.MEETING:
        return 0
    return max((invitation.attendee_count or 0) - coming, 0)


def names_participants(invitation: Invitation) -> bool:
    """A cooperative invited to a training names its participants once it accepts."""
    return invitation.event.kind == EventKind.TRAINING and invitation.cooperative_id is not None


def name_participants(actor, invitation: Invitation, participant_ids: list[int], board_member_ids: list[int],
                      new_person: dict | None = None, now: datetime | None = None):
    """An accepted training: the board names who will take part, through the link, with or
    without an account. Every registration rule applies (window, seats, the cooperative's limit)."""
    _require_open(invitation.event, now)
    if not names_participants(invitation):
        raise RuleViolation(None, _("Participants are named for a cooperative invited to a training."))
    if invitation.answer != InvitationAnswer.ACCEPTED:
        raise RuleViolation(None, _("Accept the invitation first."))
    return registrations.sign_up_people(actor, invitation.event_id, participant_ids, board_member_ids, new_person,
                                        cooperative_id=invitation.cooperative_id)


# -- what the events capability tells us --------------------------------------------------------


def _supersede_pending(found) -> set[tuple[str, str]]:
    """Cancel what is still queued for these invitations (the invitation, a change notice, a
    reminder): it describes the event as it was. Returns ``(invitation id, address)`` of the
    invitations among them: those recipients have not had their invitation yet."""
    superseded = supersede_pending("invitation", [a.invitation_id for a in found],
                                   [emails.INVITATION_TEMPLATE, emails.CHANGED_TEMPLATE,
                                    emails.GUEST_REMINDER_TEMPLATE])
    return {(s.concerns_id, s.recipient_email) for s in superseded if s.template == emails.INVITATION_TEMPLATE}


def _split(found, uninvited: set[tuple[str, str]]):
    """The addressees' recipients who have not had their invitation yet, and the others."""
    fresh, told = [], []
    for addressee in found:
        pending = [r for r in addressee.recipients if (str(addressee.invitation_id), r.email) in uninvited]
        fresh.append(replace(addressee, recipients=pending))
        told.append(replace(addressee, recipients=[r for r in addressee.recipients if r not in pending]))
    return [a for a in fresh if a.recipients], [a for a in told if a.recipients]


def on_event_rescheduled(event: Event, session=None, before=None, **_kwargs) -> None:
    """Who has had the invitation gets the change notice; an invitation still queued is replaced by
    one written from the new schedule, so nobody receives an outdated invitation and its correction."""
    found = addressees(Invitation.event_id == event.id)
    if not found or session is None:
        return
    fresh, told = _split(found, _supersede_pending(found))
    if fresh:
        emails.queue_invitations(event, fresh)
    if told:
        emails.queue_rescheduled(event, told, session)


def on_event_cancelled(event: Event, reason=None, **_kwargs) -> None:
    """Every invitee is told of the cancellation; what was still queued for them is replaced by it."""
    found = addressees(Invitation.event_id == event.id)
    if found:
        _supersede_pending(found)
        emails.queue_cancelled(event, found, reason)


def on_cooperatives_renamed(_actor, cooperative_ids=(), **_kwargs) -> None:
    """The renamed cooperatives' invitations keep their new name as their sort key (one
    statement, run for each cooperative)."""
    renamed = db.session.execute(select(Cooperative.id, Cooperative.name).where(
        Cooperative.id.in_(list(cooperative_ids)))).all()
    table = Invitation.__table__
    if renamed:
        db.session.execute(table.update().where(table.c.cooperative_id == bindparam("renamed_id"))
                           .values(sort_name=bindparam("new_key")),
                           [{"renamed_id": id_, "new_key": sort_key(name)} for id_, name in renamed])
