"""Demo minutes: the past coordination meeting of December 2022 with its speakers, the notulen,
and decisions with their follow-ups (the office's, a cooperative's, a person's; one done). Safe
to run again: a meeting with minutes is left alone."""

from datetime import date

from sqlalchemy import select

from portal.attendance.demo import MEETING_TITLE
from portal.database import utcnow
from portal.events.models import Event
from portal.extensions import db
from portal.minutes import services
from portal.minutes.models import AgendaItem, FollowUpStatus
from portal.registrations.models import Registration

SPEAKERS = [
    {"role": "speaker", "name": "Kepala Dinas Koperasi Kabupaten Kupang", "institution": "Pemerintah Kabupaten Kupang",
     "topic": "Evaluasi kinerja koperasi tahun 2022"},
    {"role": "speaker", "name": "Dr. Maria Lona", "institution": "Universitas Nusa Cendana",
     "topic": "Tata kelola koperasi dan RAT tepat waktu"},
    {"role": "moderator", "name": "Maria Penyelenggara", "institution": "Dinas Koperasi Kabupaten Kupang"},
]
AGENDA = [
    ("Pembukaan dan laporan panitia", "Rapat dibuka pukul 09.10 WITA oleh Kepala Dinas.\n"
                                      "Hadir 11 ketua koperasi dan 1 mitra dari Bank NTT."),
    ("Evaluasi kinerja koperasi 2022", "Dari 401 koperasi, 157 aktif. Banyak koperasi belum menyelenggarakan RAT "
                                       "lebih dari dua tahun.\nPeserta meminta pendampingan penyusunan laporan."),
    ("Rencana pembinaan 2023", "Dinas akan mengadakan pelatihan pembukuan dan pendampingan RAT per kecamatan."),
]


def seed_minutes(actor) -> None:
    meeting = db.session.scalar(select(Event).where(Event.title == MEETING_TITLE))
    if actor is None or meeting is None or db.session.scalar(
            select(AgendaItem.id).where(AgendaItem.event_id == meeting.id).limit(1)) is not None:
        return
    for speaker in SPEAKERS:
        services.add_speaker(actor, meeting, speaker)
    for title, notes in AGENDA:
        services.add_agenda_item(actor, meeting, {"title": title, "notes": notes})
    services.add_follow_up(actor, meeting, {
        "decision": "Dinas mengadakan pelatihan pembukuan bagi pengurus koperasi pada triwulan pertama 2023.",
        "action": "Susun jadwal dan undangan pelatihan pembukuan", "owner_kind": "office",
        "due_on": date(2023, 2, 28)})
    cooperative_id = db.session.scalar(select(Registration.cooperative_id).where(
        Registration.event_id == meeting.id, Registration.cooperative_id.is_not(None))
        .order_by(Registration.id).limit(1))
    if cooperative_id is not None:
        services.add_follow_up(actor, meeting, {
            "decision": "Koperasi yang belum RAT menjadwalkan RAT tahun buku 2022.",
            "action": "Jadwalkan RAT tahun buku 2022 dan kirim undangannya ke dinas", "owner_kind": "cooperative",
            "cooperative_id": cooperative_id, "due_on": date(2023, 3, 31)})
    done = services.add_follow_up(actor, meeting, {
        "decision": "Daftar koperasi aktif dan tidak aktif dibagikan kepada camat.",
        "action": "Kirim daftar koperasi per kecamatan", "owner_kind": "person",
        "owner_name": "Kabid Kelembagaan Koperasi", "due_on": date(2022, 12, 15)})
    services.set_follow_up_status(actor, done, FollowUpStatus.DONE, utcnow())
