"""Factories for registration tests: an open event and people of a cooperative.

Listed in conftest's ``pytest_plugins``.
"""

import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest

from portal.events.models import EventStatus
from portal.extensions import db
from portal.registrations import participants
from portal.registrations.models import ParticipantPosition

__all__ = ["open_event", "make_people", "board_of", "NEXT_MONTH"]

NEXT_MONTH = datetime.now(UTC).date() + timedelta(days=30)


@pytest.fixture
def open_event(make_event):
    """A published training next month, open for registration, with ``seats`` seats."""

    def factory(seats=10, day: date = NEXT_MONTH, **details):
        return make_event(sessions=((day, time(9), time(12)),), status=EventStatus.PUBLISHED, seats=seats, **details)

    return factory


@pytest.fixture
def make_people(app):
    counter = itertools.count(1)

    def factory(cooperative, count=1, **kwargs):
        people = []
        for _ in range(count):
            n = next(counter)
            people.append(participants.find_or_create_participant(
                None, cooperative, kwargs.get("full_name", f"Peserta {n}"), ParticipantPosition.STAFF,
                email=kwargs.get("email", f"peserta{n}@example.org"), phone=kwargs.get("phone")))
        db.session.commit()
        return people

    return factory


@pytest.fixture
def board_of(make_cooperative, make_board_user):
    """A cooperative and its approved board member."""

    def factory(**kwargs):
        cooperative = make_cooperative(**kwargs)
        return cooperative, make_board_user(cooperative)

    return factory
