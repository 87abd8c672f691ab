"""Factories for attendance tests: a published training with people signed up, an organiser, and
a clock the views read (``PORTAL_CLOCK``) set in the office's zone.

Listed in conftest's ``pytest_plugins``.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.accounts.models import Role
from portal.events.models import Event, EventStatus
from portal.extensions import db
from portal.registrations import services as registrations

__all__ = ["training", "organiser", "clock", "wita", "FIRST_DAY", "Training"]

WITA = ZoneInfo("Asia/Makassar")
FIRST_DAY = datetime.now(UTC).date() + timedelta(days=40)


def wita(day: date, hour: int, minute: int = 0) -> datetime:
    """An aware moment on the office's wall clock."""
    return datetime.combine(day, time(hour, minute), tzinfo=WITA)


@dataclass
class Training:
    event: Event
    cooperative: object
    board: object
    registrations: list = field(default_factory=list)

    @property
    def sessions(self):
        return self.event.sessions

    def day(self, n: int) -> date:
        return FIRST_DAY + timedelta(days=n - 1)


@pytest.fixture
def training(make_event, board_of, make_people):
    """``training(people=3, days=3, seats=30, **details)``: a published training, 09.00–12.00 WITA
    each day from ``FIRST_DAY``, with ``people`` of one cooperative signed up (names Peserta N)."""

    def factory(people=3, days=3, seats=30, cooperative_name=None, **details):
        sessions = tuple((FIRST_DAY + timedelta(days=n), time(9), time(12)) for n in range(days))
        event = make_event(sessions=sessions, status=EventStatus.PUBLISHED, seats=seats, **details)
        cooperative, board = board_of(**({"name": cooperative_name} if cooperative_name else {}))
        signed = registrations.sign_up(board, event.id, [p.id for p in make_people(cooperative, people)]) if people \
            else []
        db.session.commit()
        return Training(event, cooperative, board, signed)

    return factory


@pytest.fixture
def organiser(make_user):
    return make_user(Role.ORGANISER)


@pytest.fixture
def clock(app):
    """The views' clock: ``clock.set(day, 9, 3)`` stands at 09.03 WITA on ``day``."""

    class Clock:
        now = datetime.now(UTC)

        def __call__(self) -> datetime:
            return self.now

        def set(self, day: date, hour: int, minute: int = 0) -> datetime:
            self.now = wita(day, hour, minute)
            return self.now

    ticking = Clock()
    app.config["PORTAL_CLOCK"] = ticking
    return ticking
