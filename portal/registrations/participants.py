"""Participants: the people cooperatives send and the guests organisers add. A person is
matched on email or normalised phone within their cooperative, so nobody is created twice."""

import re

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.cooperatives.models import BoardMember, Cooperative
from portal.errors import RuleViolation
from portal.extensions import db
from portal.registrations.models import Participant, ParticipantPosition, Sex

_NON_DIGITS = re.compile(r"\D")


def phone_key(phone: str | None) -> str | None:
    """A phone number as 62xxx digits: 0812-3456 and +62 812 3456 are the same number."""
    digits = _NON_DIGITS.sub("", phone or "")
    if not digits:
        return None
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return digits


# -- participants -------------------------------------------------------------------------------


def find_or_create_participant(actor, cooperative: Cooperative | None, full_name: str,
                               position: ParticipantPosition | str, email: str | None = None,
                               phone: str | None = None, organisation_name: str | None = None,
                               same_name: bool = False, sex: str | None = None) -> Participant:
    """The cooperative's person with this email or phone, or a new one: nobody is created twice.
    ``same_name`` also asks for the name (at the door, colleagues often give the office's phone)."""
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise RuleViolation("full_name", _("Enter the person's name."))
    email = (email or "").strip().lower() or None
    key = phone_key(phone)
    if cooperative is None and not (organisation_name or "").strip():
        raise RuleViolation("organisation_name", _("Enter the guest's organisation."))
    owner = (Participant.cooperative_id == cooperative.id if cooperative is not None
             else func.lower(Participant.organisation_name) == organisation_name.strip().lower())
    matches = []
    if email:
        matches.append(Participant.email == email)
    if key:
        matches.append(Participant.phone_key == key)
    if matches:
        query = select(Participant).where(owner, db.or_(*matches)).order_by(Participant.id)
        if same_name:
            query = query.where(func.lower(Participant.full_name) == full_name.lower())
        existing = db.session.scalar(query)
        if existing is not None:
            if sex and existing.sex is None:
                existing.sex = Sex(sex)
            return existing
    participant = Participant(
        cooperative_id=cooperative.id if cooperative is not None else None,
        organisation_name=None if cooperative is not None else organisation_name.strip(),
        full_name=full_name, position=ParticipantPosition(position), sex=Sex(sex) if sex else None, email=email,
        phone=(phone or "").strip() or None, phone_key=key, created_by_id=actor.id if actor else None)
    db.session.add(participant)
    db.session.flush()
    return participant


def correct_participant(actor, participant: Participant, full_name: str, position: ParticipantPosition | str,
                        email: str | None = None, phone: str | None = None, sex: str | None = None) -> dict:
    """Replace the person's details (a correction the person asked for): a name is required, and
    the email or phone may not be another person's of the same cooperative or organisation, as
    nobody is two people. Returns what the details were, for the audit entry."""
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise RuleViolation("full_name", _("Enter the person's name."))
    email = (email or "").strip().lower() or None
    phone = (phone or "").strip() or None
    key = phone_key(phone)
    owner = (Participant.cooperative_id == participant.cooperative_id if participant.cooperative_id is not None
             else func.lower(Participant.organisation_name) == (participant.organisation_name or "").lower())
    others = select(Participant.id).where(owner, Participant.id != participant.id).limit(1)
    if email and db.session.scalar(others.where(Participant.email == email)) is not None:
        raise RuleViolation("email", _("Another person of the same cooperative or organisation has this email."))
    if key and db.session.scalar(others.where(Participant.phone_key == key)) is not None:
        raise RuleViolation("phone", _("Another person of the same cooperative or organisation has this phone."))
    before = person_details(participant)
    participant.full_name, participant.position = full_name, ParticipantPosition(position)
    participant.sex = Sex(sex) if sex else None
    participant.email, participant.phone, participant.phone_key = email, phone, key
    db.session.flush()
    return before


def person_details(participant: Participant) -> dict:
    """The details a correction may change, as the audit log records them."""
    return {"full_name": participant.full_name, "position": participant.position.value,
            "sex": participant.sex.value if participant.sex else None, "email": participant.email,
            "phone": participant.phone}


def cooperative_participants(cooperative_id: int) -> list[Participant]:
    return list(db.session.scalars(select(Participant).where(Participant.cooperative_id == cooperative_id)
                                   .order_by(Participant.full_name, Participant.id)))


def _person_keys(full_name: str, email: str | None, phone: str | None) -> set[tuple[str, str]]:
    """What makes two records the same person: the email, the phone, or, with neither, the name."""
    keys = {("email", email.strip().lower())} if email and email.strip() else set()
    if phone_key(phone):
        keys.add(("phone", phone_key(phone)))
    return keys or {("name", " ".join(full_name.split()).lower())}


def others_than_board(cooperative: Cooperative, people: list[Participant] | None = None) -> list[Participant]:
    """The people a cooperative signed up before, each once, leaving out its board members (the
    sign-up form lists those with their positions): a board member signed up for three events
    is still one person."""
    seen = set()
    for member in cooperative.board_members:
        seen |= _person_keys(member.full_name, member.email, member.phone)
    others = []
    for person in cooperative_participants(cooperative.id) if people is None else people:
        keys = _person_keys(person.full_name, person.email, person.phone)
        if not keys & seen:
            others.append(person)
        seen |= keys
    return others


def participants_from_board(actor, cooperative: Cooperative, board_member_ids: list[int]) -> list[Participant]:
    """The board members chosen on the sign-up form, as participants."""
    members = list(db.session.scalars(select(BoardMember).where(
        BoardMember.id.in_(board_member_ids), BoardMember.cooperative_id == cooperative.id).order_by(BoardMember.id)))
    if len(members) != len(set(board_member_ids)):
        raise RuleViolation("participants", _("Choose people of your own cooperative."))
    return [_board_participant(actor, cooperative, m) for m in members]


def _board_participant(actor, cooperative: Cooperative, member: BoardMember) -> Participant:
    """A board member as a participant; one with neither email nor phone is found by name, so
    signing them up again does not make them a second person."""
    if not member.email and not phone_key(member.phone):
        same = db.session.scalar(select(Participant).where(
            Participant.cooperative_id == cooperative.id, Participant.position == ParticipantPosition.BOARD,
            func.lower(Participant.full_name) == " ".join(member.full_name.split()).lower(),
            Participant.email.is_(None), Participant.phone_key.is_(None)).order_by(Participant.id))
        if same is not None:
            return same
    return find_or_create_participant(actor, cooperative, member.full_name, ParticipantPosition.BOARD,
                                      member.email, member.phone)


def normalised_name(name: str) -> str:
    """A name as names are compared: single spaces, case folded ("  maria  TEFA" is Maria Tefa)."""
    return " ".join((name or "").split()).casefold()


def named_people(actor, cooperative: Cooperative | None, names: list[str],
                 organisation_name: str | None = None) -> list[Participant]:
    """The people an answer names, in its order: a board member of the cooperative or a person it
    sent before with the same normalised name, otherwise a new person of the cooperative (or of
    the outside organisation)."""
    if cooperative is not None:
        known = cooperative_participants(cooperative.id)
        members = {normalised_name(m.full_name): m for m in cooperative.board_members}
    else:
        known = list(db.session.scalars(select(Participant).where(
            Participant.cooperative_id.is_(None),
            func.lower(Participant.organisation_name) == organisation_name.strip().lower()).order_by(Participant.id)))
        members = {}
    by_name = {}
    for person in sorted(known, key=lambda p: p.id):
        by_name.setdefault(normalised_name(person.full_name), person)
    people = []
    for name in names:
        key = normalised_name(name)
        person = by_name.get(key)
        if person is None and key in members:
            person = _board_participant(actor, cooperative, members[key])
        if person is None:
            person = Participant(cooperative_id=cooperative.id if cooperative else None,
                                 organisation_name=None if cooperative else organisation_name.strip(),
                                 full_name=" ".join(name.split()), position=ParticipantPosition.STAFF,
                                 created_by_id=actor.id if actor else None)
            db.session.add(person)
            db.session.flush()
        by_name[key] = person
        people.append(person)
    return people
