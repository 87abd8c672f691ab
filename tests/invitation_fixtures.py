"""Factories for invitation tests: an event to invite to, cooperatives with addresses, and a
helper that sends a round as an organiser. Listed in conftest's ``pytest_plugins``.
"""

import itertools
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.cooperatives.models import BoardMember, BoardPosition, Cooperative, CooperativeStatus, CooperativeType
from portal.cooperatives.services import legal_number_key
from portal.events.models import EventKind, EventStatus
from portal.extensions import db
from portal.invitations import services
from portal.invitations.models import Invitation
from portal.invitations.selection import BY_HAND, Selection
from tests.event_fixtures import district

IN_THREE_WEEKS = datetime.now(UTC).date() + timedelta(days=21)

__all__ = ["IN_THREE_WEEKS", "invitations_of"]


def invitations_of(event) -> list[Invitation]:
    return list(db.session.scalars(select(Invitation).where(Invitation.event_id == event.id).order_by(Invitation.id)))


@pytest.fixture
def invitable_event(make_event):
    """A published event in three weeks (a training unless ``kind`` says otherwise), 09.00-12.00 WITA."""

    def factory(kind=EventKind.TRAINING, days=1, **details):
        sessions = tuple((IN_THREE_WEEKS + timedelta(days=n), time(9), time(12)) for n in range(days))
        if kind == EventKind.MEETING:
            details.setdefault("program_area", None)
        details.setdefault("contact_name", "Maria Penyelenggara")
        details.setdefault("contact_phone", "+6281234567890")
        return make_event(kind=kind, sessions=sessions, status=EventStatus.PUBLISHED, **details)

    return factory


@pytest.fixture
def organiser(make_user):
    return make_user(Role.ORGANISER)


@pytest.fixture
def make_invitee(app):
    """A cooperative with a contact address and a board whose members have addresses."""
    counter = itertools.count(1)

    def factory(name=None, district_name="Kupang Timur", status=CooperativeStatus.ACTIVE,
                type=CooperativeType.SAVINGS_AND_LOAN, email="auto", board=(("Yohanes Bani", "auto"),), commit=True):
        n = next(counter)
        cooperative = Cooperative(
            name=name or f"KSP Undangan {n:04d}", legal_number=f"U-{n}", legal_number_key=legal_number_key(f"U-{n}"),
            type=type, status=status, district_id=district(district_name).id,
            email=f"koperasi{n}@example.org" if email == "auto" else email)
        cooperative.board_members = [
            BoardMember(full_name=person, position=BoardPosition.CHAIR,
                        email=f"pengurus{n}.{i}@example.org" if address == "auto" else address)
            for i, (person, address) in enumerate(board)]
        db.session.add(cooperative)
        if commit:
            db.session.commit()
        return cooperative

    return factory


@pytest.fixture
def invite(organiser):
    """Send a round to the given cooperatives (by hand) as an organiser, and commit."""

    def send(event, cooperatives=(), organisations=(), what_to_bring=None, selection=None, actor=None):
        selection = selection or Selection(mode=BY_HAND, cooperative_ids=[c.id for c in cooperatives])
        sent = services.send_invitations(actor or organiser, event, selection, organisations, what_to_bring)
        db.session.commit()
        return sent

    return send
