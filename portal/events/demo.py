"""Demo events for Kupang: a past coordination meeting, upcoming trainings, an invited-only
meeting and a draft. Safe to run again: venues and events already there are left alone."""

from datetime import date, time, timedelta

from sqlalchemy import select

from portal.cooperatives.models import Cooperative, CooperativeType, District
from portal.events import guest_lists, services, venues
from portal.events.models import Audience, AudienceStatus, Event, EventKind, ProgramArea, Venue
from portal.extensions import db

VENUES = [
    ("Aula Kantor Bupati Kupang, Oelamasi", "Jl. Timor Raya, Oelamasi", "Kupang Timur", 150),
    ("Aula Kantor Camat Kupang Tengah, Tarus", "Jl. Timor Raya, Tarus", "Kupang Tengah", 80),
    ("Gedung Serbaguna Oekabiti", "Oekabiti, Amarasi", "Amarasi", 100),
    ("Aula Kantor Camat Takari", "Takari", "Takari", 60),
    ("Balai Pertemuan Uitao", "Uitao, Pulau Semau", "Semau", 50),
    ("Aula Kantor Camat Fatuleu, Camplong", "Camplong", "Fatuleu", 70),
]


def _venues() -> dict[str, Venue]:
    found = {venue.name: venue for venue in db.session.scalars(select(Venue))}
    districts = {district.name: district.id for district in db.session.scalars(select(District))}
    for name, address, district, capacity in VENUES:
        if name not in found and district in districts:
            found[name] = venues.create_venue(None, name, address, districts[district], capacity)
    return found


def _event(actor, venue: Venue, sessions: list[tuple[date, time, time]], **values) -> Event | None:
    if db.session.scalar(select(Event.id).where(Event.title == values["title"])):
        return None
    days = [day for day, _start, _end in sessions]
    event = services.create_event(actor, services.EventDetails(starts_on=min(days), ends_on=max(days), **values))
    for day, start, end in sessions:
        services.add_session(actor, event, day, start, end, venue.id)
    return event


def seed_events(actor=None) -> None:
    venues = _venues()
    if len(venues) < len(VENUES):
        return  # the districts are missing: the migrations have not run
    oelamasi, tarus, oekabiti, takari, uitao, camplong = (venues[name] for name, *_rest in VENUES)
    today = services.local_today()
    districts = {d.name: d.id for d in db.session.scalars(select(District))}
    contact = {"contact_name": "Maria Penyelenggara", "contact_phone": "081234567890"}

    meeting = _event(actor, oelamasi, [(date(2022, 12, 1), time(9), time(12))], kind=EventKind.MEETING,
                     title="Rapat Koordinasi Pengurus Koperasi se-Kabupaten Kupang 2022", seats=120,
                     description="Evaluasi kinerja koperasi tahun 2022 dan rencana pembinaan 2023.\n"
                                 "Peserta: ketua atau pengurus yang ditunjuk.", **contact)
    if meeting:
        services.publish_event(actor, meeting)
        services.complete_event(actor, meeting)

    closes = today + timedelta(days=12)
    training = _event(actor, tarus, [(today + timedelta(days=14 + n), time(9), time(15)) for n in range(3)],
                      kind=EventKind.TRAINING, program_area=ProgramArea.HR_TRAINING, seats=40,
                      title="Pelatihan Manajemen dan Pembukuan Koperasi (3 hari)", seats_per_cooperative=2,
                      description="Tiga hari: tata kelola, pembukuan sederhana, dan persiapan RAT.",
                      facilitator="Balai Pelatihan Koperasi NTT", requires_approval=True,
                      min_sessions_for_certificate=2, registration_closes_on=closes,
                      registration_closes_time=time(16), **contact)
    promotion = _event(actor, oekabiti, [(today + timedelta(days=21), time(9), time(13))], kind=EventKind.TRAINING,
                       program_area=ProgramArea.PROMOTION, seats=35,
                       district_ids=[districts[n] for n in ("Amarasi", "Amarasi Barat", "Amarasi Selatan",
                                                            "Amarasi Timur")],
                       title="Pelatihan Promosi Produk dan Pemasaran Digital", **contact)
    capital = _event(actor, takari, [(today + timedelta(days=30), time(9), time(12))], kind=EventKind.TRAINING,
                     program_area=ProgramArea.CAPITAL, seats=50, audience_status=AudienceStatus.ACTIVE,
                     title="Sosialisasi Akses Permodalan dan KUR bagi Koperasi", facilitator="Bank NTT", **contact)
    technology = _event(actor, uitao, [(today + timedelta(days=35), time(10), time(14))], kind=EventKind.TRAINING,
                        program_area=ProgramArea.TECHNOLOGY, seats=25,
                        cooperative_types=[CooperativeType.SAVINGS_AND_LOAN, CooperativeType.MULTI_PURPOSE],
                        title="Pelatihan Aplikasi Akuntansi Koperasi", **contact)
    invited = _event(actor, oelamasi, [(today + timedelta(days=10), time(13), time(16))], kind=EventKind.MEETING,
                     seats=30, audience=Audience.GUEST_LIST, title="Rapat Koordinasi Koperasi Simpan Pinjam",
                     description="Khusus koperasi yang diundang.", **contact)
    revival = _event(actor, oekabiti, [(today + timedelta(days=25), time(9), time(12))], kind=EventKind.MEETING,
                     seats=30, audience_status=AudienceStatus.INACTIVE, district_ids=[districts["Amarasi"]],
                     cooperative_types=[CooperativeType.SAVINGS_AND_LOAN],
                     title="Pembinaan KSP Tidak Aktif se-Kecamatan Amarasi",
                     description="Persiapan RAT dan pengaktifan kembali koperasi simpan pinjam.", **contact)
    _event(actor, camplong, [(today + timedelta(days=45), time(9), time(12))], kind=EventKind.TRAINING,
           program_area=ProgramArea.BUSINESS_NETWORK, seats=40, title="Temu Bisnis Koperasi dan Mitra Swasta",
           **contact)
    for event in (training, promotion, capital, technology, invited, revival):
        if event:
            services.publish_event(actor, event)
    if invited:
        savings = db.session.scalars(select(Cooperative.id).where(
            Cooperative.type == CooperativeType.SAVINGS_AND_LOAN).order_by(Cooperative.id).limit(10))
        guest_lists.add_guest_cooperatives(actor, invited, list(savings))
        guest_lists.add_guest_organisation(actor, invited, "Bank NTT Cabang Oelamasi", None)
    db.session.flush()
