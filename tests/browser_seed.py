"""Seed data for browser journeys: an organiser, an approved board member of KSP Sehati Oelamasi,
and a published one-day training at which the board has signed people up."""

from dataclasses import dataclass
from datetime import date, time

PASSWORD = "correct-horse-42"


@dataclass(frozen=True)
class SeededTraining:
    event_id: int
    cooperative_id: int
    organiser_id: int


def seed_training(app, day: date, seats: int, people: tuple[tuple[str, str | None], ...],
                  with_admin: bool = False) -> SeededTraining:
    """``people`` are (name, email or None), signed up by the board in this order."""
    from sqlalchemy import select

    from portal.accounts.models import Role
    from portal.accounts.services import create_user
    from portal.cooperatives.models import (
        BoardAccount,
        BoardAccountStatus,
        BoardPosition,
        Cooperative,
        CooperativeStatus,
        CooperativeType,
        District,
    )
    from portal.database import utcnow
    from portal.events import services as events
    from portal.events import venues
    from portal.events.models import EventKind, ProgramArea
    from portal.extensions import db
    from portal.registrations import participants, services

    with app.app_context():
        if with_admin:
            create_user(None, "admin@example.org", "Admin Dinas", Role.ADMIN, PASSWORD)
        organiser = create_user(None, "panitia@example.org", "Maria Penyelenggara", Role.ORGANISER, PASSWORD)
        district = db.session.scalar(select(District).where(District.name == "Kupang Timur"))
        cooperative = Cooperative(name="KSP Sehati Oelamasi", legal_number="B-1", legal_number_key="B-1",
                                  type=CooperativeType.SAVINGS_AND_LOAN, district=district,
                                  status=CooperativeStatus.ACTIVE)
        board = create_user(None, "ketua@example.org", "Ketua Sehati", Role.BOARD, PASSWORD)
        board.email_verified_at = utcnow()
        db.session.add_all([cooperative, BoardAccount(user=board, cooperative=cooperative, position=BoardPosition.CHAIR,
                                                      status=BoardAccountStatus.APPROVED)])
        venue = venues.create_venue(None, "Aula Kantor Bupati Kupang", "Oelamasi", district.id, 80)
        event = events.create_event(None, events.EventDetails(
            kind=EventKind.TRAINING, program_area=ProgramArea.HR_TRAINING, title="Pelatihan Pembukuan Koperasi",
            seats=seats, starts_on=day, ends_on=day))
        events.add_session(None, event, day, time(9), time(12), venue.id)
        events.publish_event(None, event)
        signed_up = [participants.find_or_create_participant(board, cooperative, name, "staff", email=email)
                     for name, email in people]
        services.sign_up(board, event.id, [p.id for p in signed_up])
        db.session.commit()
        return SeededTraining(event.id, cooperative.id, organiser.id)
