"""A finished training for certificate tests: sessions in the past, people registered by an
organiser, attendance marked as given, the training marked as completed.

Listed in conftest's ``pytest_plugins``.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

import pytest

from portal.attendance import services as attendance
from portal.events import services as event_services
from portal.events.models import Event, EventStatus
from portal.extensions import db
from portal.registrations import participants
from portal.registrations import services as registrations

__all__ = ["finished_training", "Finished", "PAST_DAY"]

PAST_DAY = datetime.now(UTC).date() - timedelta(days=20)


@dataclass
class Finished:
    event: Event
    cooperative: object
    board: object
    registrations: list = field(default_factory=list)


@pytest.fixture
def finished_training(make_event, board_of, organiser):
    """``finished_training([["present", "late", None], ...], min_sessions=2)``: a completed training
    with one person per row (Peserta 1, 2 ...; email pesertaN@example.org unless ``emails`` is
    False) and their mark at each session (None: not marked). Sessions are 09.00–12.00 WITA on
    consecutive days from ``PAST_DAY``."""

    def factory(marks, min_sessions=2, complete=True, emails=True, title="Pelatihan Pembukuan Koperasi",
                cooperative_name="KSP Sehati Oelamasi", **details):
        days = len(marks[0]) if marks else 3
        sessions = tuple((PAST_DAY + timedelta(days=n), time(9), time(12)) for n in range(days))
        event = make_event(title=title, sessions=sessions, status=EventStatus.PUBLISHED,
                           min_sessions_for_certificate=min_sessions, **details)
        cooperative, board = board_of(name=cooperative_name)
        done = []
        for n, row in enumerate(marks, start=1):
            person = participants.find_or_create_participant(
                None, cooperative, f"Peserta {n}", "staff", email=f"peserta{n}@example.org" if emails else None)
            registration = registrations.register_guest(organiser, event.id, person)
            for session, mark in zip(event.sessions, row, strict=True):
                if mark:
                    attendance.mark_attendance(organiser, registration.id, session.id, mark,
                                               session.starts_at + timedelta(minutes=5))
            done.append(registration)
        if complete:
            event_services.complete_event(organiser, event)
        db.session.commit()
        return Finished(event, cooperative, board, done)

    return factory
