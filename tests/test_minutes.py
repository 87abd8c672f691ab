"""Minutes and follow-ups: speakers, notulen, a follow-up's due date not before the event, the
follow-ups due on the organiser's home and on the cooperative's page and inbox; photos resized
and without their GPS position (JPEG, PNG, HEIC)."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.errors import RuleViolation
from portal.extensions import db
from portal.files.models import StoredFile
from portal.minutes import queries, services
from portal.minutes.models import EventPhoto, FollowUp, FollowUpStatus
from tests.files_samples import PLAIN_TEXT

GPS = 0x8825


def photo_with_gps(fmt="JPEG", size=(3000, 2000)) -> bytes:
    image = Image.new("RGB", size, "navy")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS] = {1: "S", 2: (10.0, 10.0, 0.0), 3: "E", 4: (123.0, 40.0, 0.0)}
    output = io.BytesIO()
    image.save(output, fmt, exif=exif.tobytes())
    return output.getvalue()


@pytest.fixture
def event(make_event, organiser):
    from portal.events.models import EventStatus

    return make_event(title="Rapat Koordinasi Koperasi", status=EventStatus.PUBLISHED)


def follow_up(organiser, event, **values):
    return services.add_follow_up(organiser, event, {
        "decision": "Semua koperasi menyerahkan laporan RAT", "action": "Kirim laporan RAT ke dinas",
        "owner_kind": "office", "cooperative_id": None, "owner_name": None, "due_on": event.starts_on} | values)


def test_the_organiser_writes_the_minutes_on_the_events_page(client, login, organiser, event):
    login(client, organiser)
    base = f"/organiser/events/{event.id}/minutes"
    assert client.post(base + "/speakers", data={"role": "speaker", "name": "Dr. Maria Lona",
                                                 "institution": "Universitas Nusa Cendana"}).status_code == 302
    assert client.post(base + "/agenda", data={"title": "Laporan RAT",
                                               "notes": "Ketua menyampaikan 12 koperasi\nbelum RAT"}).status_code == 302
    page = client.get(base)
    assert "Universitas Nusa Cendana" in page.text and "Laporan RAT" in page.text
    assert client.post(base + "/speakers", data={"role": "speaker", "name": ""}).status_code == 400


def test_a_follow_up_due_before_the_event_is_refused_and_nothing_stored(client, login, organiser, event):
    with pytest.raises(RuleViolation) as refused:
        follow_up(organiser, event, due_on=event.starts_on - timedelta(days=1))
    assert refused.value.field == "due_on"
    db.session.rollback()
    login(client, organiser)
    early = (event.starts_on - timedelta(days=3)).isoformat()
    page = client.post(f"/organiser/events/{event.id}/minutes/follow-ups/new", data={
        "decision": "X", "action": "Y", "owner_kind": "office", "due_on": early})
    assert page.status_code == 400 and "is-invalid" in page.text
    assert db.session.scalar(select(func.count()).select_from(FollowUp)) == 0


def test_a_person_owner_needs_a_name_and_a_cooperative_owner_a_cooperative(organiser, event):
    with pytest.raises(RuleViolation):
        follow_up(organiser, event, owner_kind="person")
    with pytest.raises(RuleViolation):
        follow_up(organiser, event, owner_kind="cooperative")


def test_follow_ups_due_appear_on_the_organisers_home_and_go_when_done(client, login, organiser, event):
    soon = follow_up(organiser, event, due_on=max(event.starts_on, date.today()) + timedelta(days=2),
                     action="Rekap daftar hadir")
    later = follow_up(organiser, event, due_on=max(event.starts_on, date.today()) + timedelta(days=60),
                      action="Kunjungan lapangan")
    db.session.commit()
    assert [f.id for f in queries.followups_due(organiser, max(event.starts_on, date.today()))] == [soon.id]
    login(client, organiser)
    home = client.get("/")
    assert "Rekap daftar hadir" in home.text and "Kunjungan lapangan" not in home.text
    client.post(f"/organiser/minutes/follow-ups/{soon.id}/status", data={"status": "done"})
    assert db.session.get(FollowUp, soon.id).status == FollowUpStatus.DONE
    assert "Rekap daftar hadir" not in client.get("/").text
    assert later.status == FollowUpStatus.OPEN


def test_another_offices_organiser_sees_no_follow_up_due(organiser, event, make_user):
    from portal.offices.services import create_office

    follow_up(organiser, event, due_on=max(event.starts_on, date.today()))
    other = create_office(None, "Dinas Lain", [])
    db.session.commit()
    stranger = make_user(Role.ORGANISER, office=other)
    assert queries.followups_due(stranger, max(event.starts_on, date.today())) == []


def test_a_cooperatives_follow_ups_appear_on_its_page_and_its_boards_inbox(client, login, organiser, event, board_of):
    cooperative, board = board_of(name="KSP Sehati Oelamasi")
    follow_up(organiser, event, owner_kind="cooperative", cooperative_id=cooperative.id,
              action="Jadwalkan RAT tahun buku 2025")
    db.session.commit()
    login(client, board)
    inbox = client.get(f"/cooperatives/{cooperative.id}/inbox")
    assert inbox.status_code == 200 and "Jadwalkan RAT tahun buku 2025" in inbox.text
    page = client.get(f"/cooperatives/{cooperative.id}")
    assert "Jadwalkan RAT tahun buku 2025" in page.text


def test_the_photos_gps_exif_is_gone_after_upload_and_it_is_resized(organiser, event):
    original = photo_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get(GPS) is not None
    photo = services.add_photo(organiser, event, "IMG_0001.JPG", original, "Pembukaan rapat")
    kept = Image.open(io.BytesIO(photo.file.data))
    assert kept.format == "JPEG" and max(kept.size) == 1600
    assert not kept.getexif() and b"PhoneMaker" not in photo.file.data and "exif" not in kept.info


def test_a_heic_photo_from_an_iphone_is_kept_as_jpeg_without_gps(organiser, event):
    original = photo_with_gps("HEIF", size=(800, 600))
    photo = services.add_photo(organiser, event, "IMG_0002.HEIC", original, "Foto bersama")
    kept = Image.open(io.BytesIO(photo.file.data))
    assert kept.format == "JPEG" and kept.size == (800, 600) and not kept.getexif()
    assert photo.file.filename == "IMG_0002.jpg"


def test_a_file_that_is_not_a_photo_or_too_big_is_refused_and_nothing_stored(client, login, organiser, event, app):
    login(client, organiser)
    url = f"/organiser/events/{event.id}/minutes/photos"
    page = client.post(url, data={"caption": "Foto", "photo": (io.BytesIO(PLAIN_TEXT), "foto.jpg")},
                       content_type="multipart/form-data")
    assert page.status_code == 400 and "is-invalid" in page.text
    app.config["UPLOAD_MAX_BYTES"] = 1000
    big = client.post(url, data={"caption": "Foto", "photo": (io.BytesIO(photo_with_gps()), "besar.jpg")},
                      content_type="multipart/form-data")
    assert big.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(EventPhoto)) == 0
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_the_photo_is_shown_to_the_office_and_not_to_a_board_member(client, login, organiser, event, make_user):
    photo = services.add_photo(organiser, event, "a.png", photo_with_gps("PNG", (50, 40)), "Diskusi")
    db.session.commit()
    login(client, make_user(Role.BOARD))
    assert client.get(f"/organiser/minutes/photos/{photo.id}.jpg").status_code == 403
    client.post("/logout")
    login(client, organiser)
    shown = client.get(f"/organiser/minutes/photos/{photo.id}.jpg")
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"


def test_the_minutes_page_reads_a_fixed_number_of_queries(client, login, organiser, event, count_queries, board_of):
    cooperative, _board = board_of(name="KSP Sehati Oelamasi")
    login(client, organiser)
    url = f"/organiser/events/{event.id}/minutes"

    def add(n):
        for k in range(n):
            services.add_speaker(organiser, event, {"role": "speaker", "name": f"Narasumber {k}"})
            services.add_agenda_item(organiser, event, {"title": f"Agenda {k}", "notes": "..."})
            follow_up(organiser, event, owner_kind="cooperative", cooperative_id=cooperative.id, action=f"Aksi {k}")
            services.add_photo(organiser, event, "a.png", photo_with_gps("PNG", (50, 40)), f"Foto {k}")
        db.session.commit()

    add(1)
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    add(5)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_the_organiser_edits_a_follow_up_what_who_when_and_status(client, login, organiser, event, board_of):
    cooperative, _board = board_of(name="KSP Sehati Oelamasi")
    found = follow_up(organiser, event)
    db.session.commit()
    login(client, organiser)
    url = f"/organiser/minutes/follow-ups/{found.id}"
    form = client.get(url)
    assert form.status_code == 200 and "Kirim laporan RAT ke dinas" in form.text
    assert 'data-testid="edit-follow-up"' in client.get(f"/organiser/events/{event.id}/minutes").text
    search = client.get(url + "?q=Sehati")
    assert f"/organiser/minutes/follow-ups/{found.id}?cooperative_id={cooperative.id}" in search.text
    chosen = client.get(f"{url}?cooperative_id={cooperative.id}")
    assert 'data-testid="chosen-cooperative"' in chosen.text and "KSP Sehati Oelamasi" in chosen.text
    due = event.starts_on + timedelta(days=14)
    saved = client.post(url, data={"decision": "Laporan RAT diserahkan", "action": "Serahkan laporan RAT",
                                   "owner_kind": "cooperative", "cooperative_id": str(cooperative.id),
                                   "owner_name": "", "due_on": due.isoformat(), "status": "done"})
    assert saved.status_code == 302
    db.session.expire_all()
    edited = db.session.get(FollowUp, found.id)
    assert (edited.action, edited.cooperative_id, edited.due_on, edited.status) == (
        "Serahkan laporan RAT", cooperative.id, due, FollowUpStatus.DONE)
    assert edited.done_at is not None


def test_an_edit_due_before_the_event_is_refused_and_nothing_changes(client, login, organiser, event):
    found = follow_up(organiser, event, owner_kind="person", owner_name="Kabid Kelembagaan")
    db.session.commit()
    with pytest.raises(RuleViolation) as refused:
        services.update_follow_up(organiser, found, {
            "decision": "X", "action": "Y", "owner_kind": "office", "due_on": event.starts_on - timedelta(days=1)},
            datetime.now(UTC))
    assert refused.value.field == "due_on"
    db.session.rollback()
    login(client, organiser)
    page = client.post(f"/organiser/minutes/follow-ups/{found.id}", data={
        "decision": "Berubah", "action": "Berubah", "owner_kind": "office", "owner_name": "",
        "due_on": (event.starts_on - timedelta(days=3)).isoformat(), "status": "dropped"})
    assert page.status_code == 400 and "is-invalid" in page.text
    assert "Batas waktu tidak boleh sebelum kegiatan." in page.text
    db.session.expire_all()
    kept = db.session.get(FollowUp, found.id)
    assert (kept.action, kept.owner_name, kept.status, kept.due_on) == (
        "Kirim laporan RAT ke dinas", "Kabid Kelembagaan", FollowUpStatus.OPEN, event.starts_on)


def test_a_board_member_and_another_office_may_not_edit_a_follow_up(client, login, organiser, event, board_of,
                                                                   make_user):
    from portal.offices.services import create_office

    found = follow_up(organiser, event)
    _cooperative, board = board_of(name="KSP Sehati Oelamasi")
    other = create_office(None, "Dinas Lain", [])
    db.session.commit()
    stranger = make_user(Role.ORGANISER, office=other)
    data = {"decision": "X", "action": "Diubah", "owner_kind": "office", "due_on": event.starts_on.isoformat()}
    url = f"/organiser/minutes/follow-ups/{found.id}"
    login(client, board)
    assert client.get(url).status_code == 403 and client.post(url, data=data).status_code == 403
    client.post("/logout")
    login(client, stranger)
    assert client.get(url).status_code == 404 and client.post(url, data=data).status_code == 404
    db.session.expire_all()
    assert db.session.get(FollowUp, found.id).action == "Kirim laporan RAT ke dinas"
