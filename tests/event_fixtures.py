"""Fixtures for events: venues, events with sessions in the office's zone (in any state), and
cooperatives for guest lists.

Loaded for every test by ``pytest_plugins`` in conftest.py: name ``make_venue``, ``make_event`` or
``make_guest_cooperative`` as a test's argument, import nothing. (The query counter is conftest's
``count_queries``.)
"""

import itertools
from datetime import date, time

import pytest
from sqlalchemy import select

from portal.cooperatives.models import Cooperative, CooperativeStatus, CooperativeType, District
from portal.events import services, venues
from portal.events.models import EventKind, EventStatus, ProgramArea
from portal.extensions import db

DECEMBER_FIRST = date(2022, 12, 1)


def district(name: str = "Kupang Timur") -> District:
    return db.session.scalar(select(District).where(District.name == name))


@pytest.fixture
def make_venue(app):
    counter = itertools.count(1)

    def factory(name=None, district_name="Kupang Timur", **kwargs):
        venue = venues.create_venue(None, name or f"Aula {next(counter)}", kwargs.get("address", "Oelamasi"),
                                      district(district_name).id, kwargs.get("capacity", 80))
        db.session.commit()
        return venue

    return factory


@pytest.fixture
def make_event(app, make_venue):
    """An event with one session per (day, start, end) in ``sessions``, in the office's zone."""

    def factory(title="Pelatihan Pembukuan Koperasi", sessions=((DECEMBER_FIRST, time(9), time(12)),),
                status=EventStatus.DRAFT, venue=None, actor=None, **details):
        venue = venue or make_venue()
        days = [day for day, _start, _end in sessions] or [DECEMBER_FIRST]
        values = {"kind": EventKind.TRAINING, "program_area": ProgramArea.HR_TRAINING, "title": title, "seats": 30,
                  "starts_on": min(days), "ends_on": max(days), **details}
        event = services.create_event(actor, services.EventDetails(**values))
        for day, start, end in sessions:
            services.add_session(actor, event, day, start, end, venue.id)
        if status in (EventStatus.PUBLISHED, EventStatus.COMPLETED, EventStatus.CANCELLED):
            services.publish_event(actor, event)
        if status == EventStatus.COMPLETED:
            services.complete_event(actor, event)
        if status == EventStatus.CANCELLED:
            services.cancel_event(actor, event, "Hujan deras")
        db.session.commit()
        return event

    return factory


@pytest.fixture
def make_guest_cooperative(app):
    counter = itertools.count(1)

    def factory(name=None, district_name="Kupang Timur", status=CooperativeStatus.ACTIVE):
        n = next(counter)
        cooperative = Cooperative(name=name or f"Koperasi Uji {n}", legal_number=f"BH-{n}", legal_number_key=f"BH-{n}",
                                  type=CooperativeType.MULTI_PURPOSE, district_id=district(district_name).id,
                                  status=status)
        db.session.add(cooperative)
        db.session.commit()
        return cooperative

    return factory
