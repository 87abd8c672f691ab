"""The laporan kegiatan: refused (saying what is missing) for an event nobody attended; queued by
the organiser and built by the worker's pass, never in the request; a job left building by a
worker that died is taken again once its lease has passed; the PDF holds each section with the
figures of the event; the office's staff only."""

import io
from datetime import UTC, datetime, timedelta

import pytest

from portal.accounts.models import Role
from portal.activityreport import services
from portal.activityreport.models import JobState, ReportJob
from portal.errors import RuleViolation
from portal.extensions import db
from portal.minutes import services as minutes
from portal.surveys import services as surveys
from tests.certificate_fixtures import PAST_DAY
from tests.pdfs import pdf_text, save_pdf_page

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


@pytest.fixture
def training(finished_training, organiser):
    t = finished_training([["present", "present"], ["present", "late"], ["absent", None]])
    minutes.add_speaker(organiser, t.event, {"role": "speaker", "name": "Dr. Maria Lona",
                                             "institution": "Universitas Nusa Cendana", "topic": "Pembukuan"})
    minutes.add_agenda_item(organiser, t.event, {"title": "Pembukaan", "notes": "Dibuka oleh Kepala Dinas"})
    minutes.add_follow_up(organiser, t.event, {
        "decision": "Koperasi menyusun neraca", "action": "Kirim neraca ke dinas", "owner_kind": "office",
        "cooperative_id": None, "owner_name": "Bidang Kelembagaan", "due_on": t.event.ends_on})
    for registration, rating in zip(t.registrations[:2], (4, 5), strict=True):
        surveys.submit_answer(registration, {"ratings": [rating] * 4}, PAST_DAY)
    services.save_texts(organiser, t.event, {"background": "Banyak koperasi belum tertib pembukuan.",
                                             "legal_basis": "Undang-Undang Nomor 25 Tahun 1992",
                                             "purpose": "Meningkatkan kemampuan pengurus.",
                                             "conclusion": "Pelatihan lanjutan disarankan."})
    db.session.commit()
    return t


def test_an_event_nobody_attended_says_what_is_missing_and_queues_nothing(make_event, organiser):
    event = make_event()
    assert services.missing(event)
    with pytest.raises(RuleViolation):
        services.request_report(organiser, event)
    assert db.session.query(ReportJob).count() == 0


def test_queued_then_built_by_the_workers_pass(training, organiser):
    job = services.request_report(organiser, training.event)
    db.session.commit()
    assert job.state == JobState.QUEUED
    assert services.request_report(organiser, training.event).id == job.id  # one at a time
    assert services.build_pending(NOW) == 1
    db.session.refresh(job)
    assert job.state == JobState.READY and job.attempts == 1 and job.file.content_type == "application/pdf"
    assert services.build_pending(NOW) == 0


def test_a_job_left_building_is_taken_again_after_the_lease(training, organiser):
    job = services.request_report(organiser, training.event)
    job.state, job.taken_at, job.attempts = JobState.BUILDING, NOW, 1  # a worker took it, then died
    db.session.commit()
    assert services.build_pending(NOW + timedelta(minutes=1)) == 0  # still within its lease
    assert services.build_pending(NOW + services.LEASE + timedelta(seconds=1)) == 1
    db.session.refresh(job)
    assert job.state == JobState.READY and job.attempts == 2


def test_the_pdf_holds_each_section_with_the_events_figures(training, organiser):
    job = services.request_report(organiser, training.event)
    db.session.commit()
    services.build_pending(NOW)
    db.session.refresh(job)
    text = " ".join(pdf_text(job.file.data).split())
    save_pdf_page(job.file.data, "laporan-kegiatan-cover")
    save_pdf_page(job.file.data, "laporan-kegiatan-page2", page=1)
    (save_pdf_page(job.file.data, "laporan-kegiatan-cover").parent / "laporan-kegiatan.pdf").write_bytes(job.file.data)
    for heading in ("LAPORAN KEGIATAN", "Pendahuluan", "Latar Belakang", "Dasar Hukum", "Maksud dan Tujuan",
                    "Pelaksanaan", "Waktu dan Tempat", "Narasumber", "Peserta", "Kehadiran per Sesi",
                    "Hasil", "Notulen", "Keputusan dan Tindak Lanjut", "Evaluasi", "Penutup",
                    "Kesimpulan dan Saran", "Daftar Sertifikat", "Foto"):
        assert heading.lower() in text.lower(), heading
    assert "Undang-Undang Nomor 25 Tahun 1992" in text and "Dr. Maria Lona" in text
    assert "Peserta yang hadir: 2 orang" in text  # the absent third person is not counted
    assert "KSP Sehati Oelamasi 2" in text
    assert "Dibuka oleh Kepala Dinas" in text and "Kirim neraca ke dinas" in text
    assert "4.50" in text  # the evaluation's average of 4 and 5


def test_the_page_queues_and_then_offers_the_download(client, login, organiser, training):
    login(client, organiser)
    base = f"/organiser/events/{training.event.id}/activity-report"
    assert client.post(base, data={}).status_code == 302
    assert "sedang dibuat" in client.get(base).text.lower()
    services.build_pending(datetime.now(UTC))
    page = client.get(base).text
    job = services.latest_job(training.event.id)
    assert f"/organiser/activity-reports/{job.id}.pdf" in page and f"/organiser/activity-reports/{job.id}.docx" in page
    download = client.get(f"/organiser/activity-reports/{job.id}.pdf")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")


def test_the_page_says_what_is_missing(client, login, organiser, make_event):
    event = make_event()
    login(client, organiser)
    page = client.get(f"/organiser/events/{event.id}/activity-report").text
    assert "Belum ada kehadiran" in page
    assert client.post(f"/organiser/events/{event.id}/activity-report", data={}).status_code == 302
    assert db.session.query(ReportJob).count() == 0


def test_a_board_member_is_refused(client, login, make_user, training, organiser):
    job = services.request_report(organiser, training.event)
    db.session.commit()
    login(client, make_user(Role.BOARD))
    assert client.get(f"/organiser/events/{training.event.id}/activity-report").status_code == 403
    assert client.get(f"/organiser/activity-reports/{job.id}.pdf").status_code == 403


def test_the_mail_workers_pass_builds_it(app, training, organiser):
    from portal.mail.delivery import run_periodic_jobs

    job = services.request_report(organiser, training.event)
    db.session.commit()
    run_periodic_jobs(NOW)
    db.session.refresh(job)
    assert job.state == JobState.READY


def test_the_docx_opens_with_python_docx_and_holds_the_same_headings(training, organiser):
    import io

    import docx

    job = services.request_report(organiser, training.event)
    db.session.commit()
    services.build_pending(NOW)
    db.session.refresh(job)
    document = docx.Document(io.BytesIO(job.docx_file.data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    for heading in ("LAPORAN KEGIATAN", "I. Pendahuluan", "A. Latar Belakang", "B. Dasar Hukum",
                    "C. Maksud dan Tujuan", "II. Pelaksanaan", "A. Waktu dan Tempat", "B. Narasumber", "C. Peserta",
                    "D. Kehadiran per Sesi", "III. Hasil", "A. Notulen", "B. Keputusan dan Tindak Lanjut",
                    "C. Evaluasi", "IV. Penutup", "Kesimpulan dan saran", "Lampiran 1: Daftar Sertifikat"):
        assert heading in headings, heading
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "KSP Sehati Oelamasi" in cells and "4.50" in cells and "Dr. Maria Lona" in cells


def _built(organiser, event):
    job = services.request_report(organiser, event)
    db.session.commit()
    services.build_pending(NOW)
    db.session.refresh(job)
    return job


def _scanned_pdf(words: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<p>{words}</p>").write_pdf()


def test_the_report_appends_the_letter_and_each_sessions_printed_daftar_hadir(training, organiser):
    from portal.invitations.models import InvitationRound

    db.session.add(InvitationRound(event_id=training.event.id, sent_by_id=organiser.id,
                                   letter_number="005/UND/DKUKM/2026", what_to_bring="Buku kas"))
    db.session.commit()
    data = _built(organiser, training.event).file.data
    text = " ".join(pdf_text(data).split())
    assert "Lampiran 3: Surat Undangan dan Daftar Hadir".upper() in text.upper()
    assert "005/UND/DKUKM/2026" in text and "Para Ketua Koperasi yang diundang" in text
    assert text.upper().count("DAFTAR HADIR") >= 3  # the index, then one printed sheet per session
    assert "Daftar hadir sesi 1 (cetakan portal)" in text and "Daftar hadir sesi 2 (cetakan portal)" in text
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    last_pages = " ".join(page.extract_text() for page in reader.pages[-2:])
    assert "Peserta 1" in last_pages and "Tanda tangan" in last_pages.title().replace("Tangan", "tangan")
    for page in range(len(reader.pages)):
        save_pdf_page(data, f"laporan-kegiatan-p{page + 1}", page=page)


def test_an_uploaded_scan_takes_the_place_of_the_printed_sheet(training, organiser):
    first, second = sorted(training.event.sessions, key=lambda s: s.starts_at)
    services.upload_scan(organiser, first, "dh.pdf", _scanned_pdf("PINDAIAN DAFTAR HADIR SESI SATU"))
    db.session.commit()
    import pypdf

    data = _built(organiser, training.event).file.data
    reader = pypdf.PdfReader(io.BytesIO(data))
    texts = [" ".join(page.extract_text().split()) for page in reader.pages]
    scan_pages = [n for n, text in enumerate(texts) if "PINDAIAN DAFTAR HADIR SESI SATU" in text]
    assert len(scan_pages) == 1
    joined = " ".join(texts)
    assert "Daftar hadir sesi 1 (ditandatangani, hasil pindai)" in joined
    assert "Daftar hadir sesi 2 (cetakan portal)" in joined and "Daftar hadir sesi 1 (cetakan portal)" not in joined
    # The printed sheet of session 2 follows the scan; no printed sheet of session 1 is there.
    assert texts[scan_pages[0] + 1].upper().count("DAFTAR HADIR") >= 1


def test_an_image_scan_is_on_a_page_of_its_own(training, organiser):
    from tests.files_samples import jpeg_with_exif

    first = sorted(training.event.sessions, key=lambda s: s.starts_at)[0]
    services.upload_scan(organiser, first, "dh.jpg", jpeg_with_exif())
    db.session.commit()
    import pypdf

    data = _built(organiser, training.event).file.data
    reader = pypdf.PdfReader(io.BytesIO(data))
    scan_pages = [n for n, page in enumerate(reader.pages)
                  if "Daftar hadir sesi 1 (ditandatangani, hasil pindai) ·" in " ".join(page.extract_text().split())]
    assert len(scan_pages) == 1
    assert reader.pages[scan_pages[0]].images  # the scan is embedded as an image
    save_pdf_page(data, "laporan-kegiatan-scan-page", page=scan_pages[0])


def test_a_scan_that_is_no_pdf_or_image_is_refused_in_indonesian_and_nothing_kept(client, login, organiser, training):
    from portal.activityreport.models import SessionSheetScan
    from tests.files_samples import TEXT_AS_PDF

    first = sorted(training.event.sessions, key=lambda s: s.starts_at)[0]
    login(client, organiser)
    url = f"/organiser/events/{training.event.id}/sessions/{first.id}/attendance-scan"
    response = client.post(url, data={f"s{first.id}-scan": (io.BytesIO(TEXT_AS_PDF), "dh.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "harus berupa PDF, JPEG, atau PNG" in response.text
    assert db.session.query(SessionSheetScan).count() == 0
    response = client.post(url, data={f"s{first.id}-scan": (io.BytesIO(_scanned_pdf("DH")), "dh.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert client.get(url).data.startswith(b"%PDF")
    page = client.get(f"/organiser/events/{training.event.id}/paperwork").text
    assert "dh.pdf" in page and "Ganti daftar hadir" in page


def test_the_scan_is_refused_to_a_board_member(client, login, make_user, organiser, training):
    first = sorted(training.event.sessions, key=lambda s: s.starts_at)[0]
    services.upload_scan(organiser, first, "dh.pdf", _scanned_pdf("DH"))
    db.session.commit()
    login(client, make_user(Role.BOARD))
    url = f"/organiser/events/{training.event.id}/sessions/{first.id}/attendance-scan"
    assert client.get(url).status_code == 403
    assert client.post(url, data={}).status_code == 403


def test_the_docx_is_stored_with_its_own_type(training, organiser):
    job = _built(organiser, training.event)
    assert job.docx_file.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_the_docx_carries_the_letterhead_the_signatory_and_the_photos(training, organiser):
    import docx

    from tests.files_samples import png_bytes

    minutes.add_photo(organiser, training.event, "foto.png", png_bytes(), "Pembukaan oleh Kepala Dinas")
    db.session.commit()
    document = docx.Document(io.BytesIO(_built(organiser, training.event).docx_file.data))
    office = training.event.office
    top = [p.text for p in document.paragraphs[:4]]
    assert office.office_name.upper() in top and office.parent_body.upper() in top
    assert any(office.address in text for text in top)
    texts = [p.text for p in document.paragraphs]
    assert office.signatory_title + "," in texts and "Pembukaan oleh Kepala Dinas" in texts
    assert len(document.inline_shapes) == 1  # the photo (the test office has no logo)
