"""Demo data for a year of bringing cooperatives back: the registry's last RAT years as verified
records; this year twelve inactive cooperatives of Amarasi and Kupang Timur invited to a
pembinaan meeting, eight answered, five came, two held their RAT and were made active again;
officers' contacts with next steps, some done, some due; one board's RAT waiting for
verification. Safe to run again: it is written once."""

from datetime import date, time, timedelta

from sqlalchemy import select, text

from portal.attendance import services as attendance
from portal.cooperatives.models import Cooperative, CooperativeStatus, District
from portal.events import services as events
from portal.events.models import EventKind, Venue
from portal.extensions import db
from portal.invitations.models import Invitation, InvitationAnswer, InvitationRound, new_token, sort_key
from portal.registrations import participants, tickets
from portal.registrations.models import Registration, RegistrationStatus
from portal.revival import contacts, services
from portal.revival.models import RatSource

TITLE = "Pembinaan dan Persiapan RAT bagi Koperasi Tidak Aktif {year}"
ANSWERS = ["accepted"] * 6 + ["declined"] * 2
CAME = 5
REACTIVATED = 2


def seed_registry_rats() -> None:
    """Each cooperative's last RAT year as a verified record, as the migration does for data
    that was there before RAT records."""
    db.session.execute(text(
        "INSERT INTO rat_records (cooperative_id, book_year, is_held, is_reported_to_ods, status, source, recorded_at)"
        " SELECT id, last_rat_year, :yes, :no, 'verified', :source, CURRENT_TIMESTAMP FROM cooperatives c"
        " WHERE last_rat_year IS NOT NULL AND NOT EXISTS (SELECT 1 FROM rat_records r WHERE r.cooperative_id = c.id)"),
        {"yes": True, "no": False, "source": RatSource.REGISTRY.value})


def story_year(today: date) -> int:
    """This year, or last year in the first weeks of January, when this year has no story yet."""
    return today.year if today >= date(today.year, 1, 20) else today.year - 1


def seed_revival(actor, today: date) -> None:
    if actor is None:
        return
    seed_registry_rats()
    year = story_year(today)
    title = TITLE.format(year=year)
    venue = db.session.scalar(select(Venue).order_by(Venue.id).limit(1))
    if venue is None or db.session.scalar(select(events.Event.id).where(events.Event.title == title)):
        return
    day = max(date(year, 1, 10), today - timedelta(days=150))
    cohort = list(db.session.scalars(
        select(Cooperative).join(Cooperative.district)
        .where(Cooperative.status == CooperativeStatus.INACTIVE,
               District.name.in_(("Amarasi", "Kupang Timur", "Kupang Tengah", "Takari")))
        .order_by(Cooperative.id).limit(12)))
    meeting = _meeting(actor, venue, title, day)
    _invite(actor, meeting, cohort, day)
    came = _attend(actor, meeting, cohort[:CAME])
    _contacts(actor, cohort, came, day, today)
    for cooperative in came[:REACTIVATED]:
        held = min(day + timedelta(days=21), today)
        record = services.save_rat(actor, cooperative, {
            "book_year": year - 1, "is_held": True, "held_on": held, "members_present": 18,
            "members_total": max(cooperative.member_count or 30, 25), "place": f"Kantor {cooperative.name}",
            "is_reported_to_ods": True}, today)
        services.reactivate(actor, record, min(today, date(year, 12, 31)))  # within the story's year
    db.session.flush()


def _meeting(actor, venue, title, day):
    meeting = events.create_event(actor, events.EventDetails(
        kind=EventKind.MEETING, title=title, starts_on=day, ends_on=day, seats=40,
        description="Pembinaan koperasi tidak aktif: tata kelola, pembukuan sederhana, dan langkah menuju RAT.",
        contact_name="Maria Penyelenggara", contact_phone="081234567890"))
    events.add_session(actor, meeting, day, time(9), time(13), venue.id)
    events.publish_event(actor, meeting)
    return meeting


def _invite(actor, meeting, cohort, day) -> None:
    """Written as the invitations stood three weeks before the day (the meeting is past)."""
    sent = events.local_moment(day - timedelta(days=21), time(10))
    invitation_round = InvitationRound(event_id=meeting.id, sent_by_id=actor.id, selection={"mode": "demo"},
                                       cooperative_count=len(cohort), created_at=sent)
    db.session.add(invitation_round)
    db.session.flush()
    for n, cooperative in enumerate(cohort):
        answer = ANSWERS[n] if n < len(ANSWERS) else None
        db.session.add(Invitation(
            event_id=meeting.id, round_id=invitation_round.id, cooperative_id=cooperative.id,
            sort_name=sort_key(cooperative.name), token=new_token(),
            created_at=sent, answer=InvitationAnswer(answer) if answer else None,
            answered_at=sent + timedelta(days=3 + n) if answer else None))


def _attend(actor, meeting, cooperatives) -> list[Cooperative]:
    session = meeting.sessions[0]
    for n, cooperative in enumerate(cooperatives, start=1):
        chair = cooperative.board_members[0]
        person = participants.participants_from_board(actor, cooperative, [chair.id])[0]
        registration = Registration(event_id=meeting.id, participant=person, cooperative_id=cooperative.id,
                                    status=RegistrationStatus.CONFIRMED, queue_number=n, signed_up_by_id=actor.id,
                                    confirmed_at=session.starts_at - timedelta(days=10))
        tickets.assign_check_in_code(registration)
        db.session.add(registration)
        db.session.flush()
        attendance.mark_attendance(actor, registration.id, session.id, "present",
                                   session.starts_at - timedelta(minutes=10))
    events.complete_event(actor, meeting)
    return cooperatives


def _contacts(actor, cohort, came, day, today) -> None:
    for n, cooperative in enumerate(cohort):
        before = contacts.log_contact(actor, cooperative, {
            "channel": "phone", "contacted_on": day - timedelta(days=25),
            "person": cooperative.board_members[0].full_name,
            "outcome": "Ketua dihubungi tentang pertemuan pembinaan; koperasi belum RAT sejak lama.",
            "next_step": "Pastikan ketua hadir di pertemuan", "next_step_due": day - timedelta(days=2)}, today)
        if n % 3 != 2:
            contacts.mark_step_done(actor, before)
    for n, cooperative in enumerate(came):
        due = today + timedelta(days=7) if n >= REACTIVATED else day + timedelta(days=14)
        after = contacts.log_contact(actor, cooperative, {
            "channel": "visit", "contacted_on": min(day + timedelta(days=7), today),
            "person": cooperative.board_members[0].full_name,
            "outcome": "Kunjungan ke kantor koperasi: pembukuan dibantu, rencana RAT disusun bersama pengurus.",
            "next_step": "Periksa berita acara RAT", "next_step_due": min(due, today + timedelta(days=7))}, today)
        if n < REACTIVATED:
            contacts.mark_step_done(actor, after)
            contacts.log_contact(actor, cooperative, {
                "channel": "rat_attendance", "contacted_on": min(day + timedelta(days=21), today),
                "outcome": "Petugas menghadiri RAT; kuorum tercapai dan laporan pertanggungjawaban diterima."}, today)
