"""Two offices in two regencies of Nusa Tenggara Timur, each with an "Amarasi" district, each
holding one row of every kind a route can name; and a province office above them."""

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.activityreport import services as activity_report
from portal.activityreport import transport
from portal.activityreport.models import JobState, ReportJob
from portal.api.services import mint_token
from portal.attendance.models import AttendanceMark, AttendanceRecord, DoorPass, MarkSource
from portal.certificates.data_requests import request_about
from portal.certificates.models import Certificate
from portal.cooperatives import services as cooperatives
from portal.cooperatives.models import (
    BoardAccount,
    BoardAccountStatus,
    BoardPosition,
    CooperativeImport,
    District,
)
from portal.cooperatives.reference import KUPANG_PROVINCE, add_districts, regency_named
from portal.events import guest_lists, venues
from portal.events import services as events
from portal.extensions import db
from portal.files.models import StoredFile
from portal.invitations.models import Invitation, InvitationRound, sort_key
from portal.mail.models import MessageStatus, OutboxMessage
from portal.minutes import services as minutes
from portal.offices.context import default_office
from portal.offices.models import Province
from portal.offices.services import create_office
from portal.privacy.models import DataRequestKind
from portal.registrations import services as registrations
from portal.revival import contacts
from portal.revival import services as rat_records
from tests.files_samples import pdf_bytes, png_bytes

SOUTH = "Kabupaten Timor Tengah Selatan"


@dataclass
class OfficeRows:
    """One office's staff and one row of each kind, by the name a route's argument has."""

    office: object
    organiser: object
    admin: object
    ids: dict
    marker: str


def _district(regency_name: str, name: str) -> District:
    return db.session.scalar(select(District).join(District.regency).where(
        District.name == name, District.regency.has(name=regency_name)))


def populate(office, regency_name: str, marker: str, make_user) -> OfficeRows:
    organiser = make_user(Role.ORGANISER, email=f"penyelenggara.{marker.lower()}@example.org",
                          full_name=f"Penyelenggara {marker}", office=office)
    admin = make_user(Role.ADMIN, email=f"admin.{marker.lower()}@example.org", full_name=f"Admin {marker}",
                      office=office)
    amarasi = _district(regency_name, "Amarasi")
    venue = venues.create_venue(organiser, f"Aula {marker}", "Jalan Raya", amarasi.id, 80)
    cooperative = cooperatives.create_cooperative(organiser, {
        "name": f"Koperasi {marker}", "legal_number": f"{marker}/BH/2010", "type": "savings_and_loan",
        "district_id": amarasi.id}, today=date(2022, 12, 1))
    member = cooperatives.save_board_member(organiser, cooperative, {
        "full_name": f"Ketua {marker}", "position": "chair", "email": None, "phone": None})
    # Created as from the command line, before any claim: no office can be named for its audit entry
    # (the first office's), so its address does not carry the marker; a sign-up names its office.
    board_user = make_user(Role.BOARD)
    account = BoardAccount(user_id=board_user.id, cooperative_id=cooperative.id, position=BoardPosition.CHAIR,
                           status=BoardAccountStatus.PENDING)
    db.session.add(account)
    day = date.today() + timedelta(days=40)
    event = events.create_event(organiser, events.EventDetails(
        kind=events.EventKind.TRAINING, program_area=events.ProgramArea.HR_TRAINING, title=f"Pelatihan {marker}",
        seats=30, starts_on=day, ends_on=day))
    session = events.add_session(organiser, event, day, time(9), time(12), venue.id)
    events.publish_event(organiser, event)
    entry = guest_lists.add_guest_organisation(organiser, event, f"Bank {marker}", f"bank.{marker.lower()}@example.org")
    registration = registrations.add_guest(organiser, event.id, f"Tamu {marker}", f"Mitra {marker}")
    round_ = InvitationRound(event_id=event.id, sent_by_id=organiser.id, letter_number=f"001/{marker}/2026")
    db.session.add(round_)
    db.session.flush()
    invitation = Invitation(event_id=event.id, round_id=round_.id, cooperative_id=cooperative.id,
                            sort_name=sort_key(cooperative.name))
    db.session.add(invitation)
    record = AttendanceRecord(registration_id=registration.id, session_id=session.id,
                              mark=AttendanceMark.PRESENT, source=MarkSource.SHEET,
                              arrived_at=datetime.now(UTC), marked_by_id=organiser.id)
    db.session.add(record)
    certificate = Certificate(registration_id=registration.id, event_id=event.id, full_name=f"Tamu {marker}",
                              affiliation=f"Mitra {marker}", sessions_attended=1, minutes_attended=180)
    db.session.add(certificate)
    message = OutboxMessage(message_id=f"<{marker}@example.org>", recipient_email=f"tamu.{marker.lower()}@example.org",
                            subject=f"Undangan {marker}", body_text="isi", template="t", status=MessageStatus.FAILED,
                            office_id=office.id)
    db.session.add(message)
    upload = CooperativeImport(token=secrets.token_urlsafe(24), filename=f"{marker}.csv", data=b"x",
                               uploaded_by_id=organiser.id, summary={"counts": {}, "line": "", "rows": []})
    db.session.add(upload)
    today = date.today()
    rat = rat_records.save_rat(organiser, cooperative, {
        "book_year": today.year - 2, "is_held": True, "held_on": date(today.year - 1, 3, 14), "members_present": 40,
        "members_total": 55, "place": f"Aula {marker}", "is_reported_to_ods": True}, today,
        document=("berita-acara.pdf", pdf_bytes()))
    contact = contacts.log_contact(organiser, cooperative, {
        "channel": "phone", "contacted_on": today, "person": f"Ketua {marker}", "outcome": f"RAT {marker}",
        "next_step": f"Kunjungan {marker}", "next_step_due": today + timedelta(days=7)}, today)
    door_pass = DoorPass(event_id=event.id, name=f"Relawan {marker}", created_by_id=organiser.id,
                         expires_at=datetime.now(UTC) + timedelta(days=30))
    db.session.add(door_pass)
    token = mint_token(organiser, f"Dasbor {marker}", ["events:read"], datetime.now(UTC)).token
    speaker = minutes.add_speaker(organiser, event, {"role": "speaker", "name": f"Narasumber {marker}"})
    item = minutes.add_agenda_item(organiser, event, {"title": f"Agenda {marker}", "notes": ""})
    follow_up = minutes.add_follow_up(organiser, event, {
        "decision": f"Keputusan {marker}", "action": f"Tindak lanjut {marker}", "owner_kind": "cooperative",
        "cooperative_id": cooperative.id, "owner_name": None, "due_on": day})
    photo = minutes.add_photo(organiser, event, "foto.png", png_bytes(), f"Foto {marker}")
    data_request = request_about(None, registration.participant, DataRequestKind.CORRECTION, f"Ejaan {marker}",
                                 datetime.now(UTC))
    report_file = StoredFile(filename="laporan.pdf", content_type="application/pdf", size=len(pdf_bytes()),
                             sha256="0" * 64, data=pdf_bytes())
    db.session.add(report_file)
    db.session.flush()
    report_job = ReportJob(event_id=event.id, requested_by_id=organiser.id, state=JobState.READY,
                           file_id=report_file.id)
    db.session.add(report_job)
    transport.set_amount(organiser, event, "50.000")
    activity_report.upload_scan(organiser, session, "daftar-hadir.pdf", pdf_bytes())
    db.session.commit()
    ids = {"event_id": event.id, "token_id": token.id,
           "session_id": session.id, "cooperative_id": cooperative.id, "member_id": member.id,
           "account_id": account.id, "registration_id": registration.id, "invitation_id": invitation.id,
           "certificate_id": certificate.id, "entry_id": entry.id, "venue_id": venue.id, "user_id": organiser.id,
           "message_id": message.id, "token": upload.token,
           "office_id": office.id, "rat_id": rat.id, "contact_id": contact.id, "record_id": record.id,
           "pass_id": door_pass.id,
           "speaker_id": speaker.id, "item_id": item.id, "follow_up_id": follow_up.id, "photo_id": photo.id,
           "request_id": data_request.id, "participant_id": registration.participant_id,
           "job_id": report_job.id}
    return OfficeRows(office, organiser, admin, ids, marker)


@pytest.fixture
def south_regency(app):
    """A second regency of the province with its own "Amarasi", beside Kupang's."""
    regency = regency_named(KUPANG_PROVINCE, SOUTH)
    add_districts(regency, ["Amarasi", "Amanuban Barat", "Mollo Utara"])
    db.session.commit()
    return regency


@pytest.fixture
def two_offices(app, make_user, south_regency):
    kupang = default_office()
    south = create_office(None, "Dinas Koperasi Timor Tengah Selatan", [south_regency.id],
                          parent_body="Pemerintah Kabupaten Timor Tengah Selatan", address="Jl. Gajah Mada, SoE",
                          city="SoE", signatory_name="Kepala Dinas TTS", signatory_title="Kepala Dinas Koperasi TTS",
                          letter_number_pattern="{seq:03d}/KOP-TTS/{roman_month}/{year}")
    db.session.commit()
    first = populate(kupang, "Kabupaten Kupang", "Kupangrahasia", make_user)
    second = populate(south, SOUTH, "Soerahasia", make_user)
    return first, second


@pytest.fixture
def province_office(app, make_user):
    province = db.session.scalar(select(Province).where(Province.name == KUPANG_PROVINCE))
    office = create_office(None, "Dinas Koperasi Provinsi NTT", [], province_id=province.id,
                           parent_body="Pemerintah Provinsi Nusa Tenggara Timur", city="Kupang")
    db.session.commit()
    organiser = make_user(Role.ORGANISER, email="provinsi@example.org", office=office)
    admin = make_user(Role.ADMIN, email="admin.provinsi@example.org", office=office)
    return office, organiser, admin
