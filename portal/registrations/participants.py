"""Participants: the people cooperatives send and the guests organisers add. A person is
matched on email or normalised phone within their cooperative, so nobody is created twice."""

import re

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.cooperatives.models import BoardMember, Cooperative
from portal.errors import RuleViolation
from portal.extensions import db
from portal.registrations.models import Participant, ParticipantPosition

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
                               same_name: bool = False) -> Participant:
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
            return existing
    participant = Participant(
        cooperative_id=cooperative.id if cooperative is not None else None,
        organisation_name=None if cooperative is not None else organisation_name.strip(),
        full_name=full_name, position=ParticipantPosition(position), email=email,
        phone=(phone or "").strip() or None, phone_key=key, created_by_id=actor.id if actor else None)
    db.session.add(participant)
    db.session.flush()
    return participant


def cooperative_participants(cooperative_id: int) -> list[Participant]:
    return list(db.session.scalars(select(Participant).where(Participant.cooperative_id == cooperative_id)
                                   .order_by(Participant.full_name, Participant.id)))


def participants_from_board(actor, cooperative: Cooperative, board_member_ids: list[int]) -> list[Participant]:
    """The board members chosen on the sign-up form, as participants."""
    members = list(db.session.scalars(select(BoardMember).where(
        BoardMember.id.in_(board_member_ids), BoardMember.cooperative_id == cooperative.id).order_by(BoardMember.id)))
    if len(members) != len(set(board_member_ids)):
        raise RuleViolation("participants", _("Choose people of your own cooperative."))
    return [find_or_create_participant(actor, cooperative, m.full_name, ParticipantPosition.BOARD, m.email, m.phone)
            for m in members]
