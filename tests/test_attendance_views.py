"""What the web layer adds to attendance: check-in by link and code, the sheet, walk-ins, the
daftar hadir, exports, the ticket's QR code in page and email, and where attendance shows."""

import csv
import io
import re

import openpyxl
from flask_babel import force_locale, gettext
from sqlalchemy import select

from portal.accounts.models import Role
from portal.attendance import services
from portal.attendance.models import AttendanceMark, AttendanceRecord
from portal.events.views import local_day
from portal.extensions import db
from portal.mail.delivery import send_pending
from portal.registrations import participants
from portal.registrations import services as registrations
from portal.registrations.models import RegistrationStatus
from tests.attendance_fixtures import wita
from tests.pdfs import pdf_page_count, pdf_text, read_qr_codes, save_pdf_page


def link_path(registration) -> str:
    return "/check-in/" + services.check_in_token(registration)


def all_records() -> list[AttendanceRecord]:
    return list(db.session.scalars(select(AttendanceRecord).execution_options(populate_existing=True)))


def test_an_organiser_scanning_a_ticket_confirms_with_one_button_and_checks_in_once(client, login, organiser,
                                                                                    training, clock):
    """The camera opens a GET: it shows who and which session and marks nobody; the large
    "Catat hadir" button posts, and the confirmation says the day and the date."""
    t = training(people=1, cooperative_name="KSP Sehati Oelamasi")
    person = t.registrations[0]
    login(client, organiser)
    clock.set(t.day(2), 9, 3)
    page = client.get(link_path(person))
    assert page.status_code == 200 and 'data-testid="check-in-confirm"' in page.text
    assert person.participant.full_name in page.text and "KSP Sehati Oelamasi" in page.text
    assert local_day(t.day(2)) in page.text and "Catat hadir" in page.text
    button = re.search(r'<button[^>]*name="session_id"[^>]*>', page.text).group(0)
    assert f'value="{t.sessions[1].id}"' in button
    assert all_records() == [], "opening the link marks nobody"
    done = client.post(link_path(person), data={"session_id": t.sessions[1].id})
    assert 'data-result="new"' in done.text and "09.03 WITA" in done.text
    assert local_day(t.day(2)) in re.search(r'data-testid="check-in-day"[^<]*>([^<]*)<', done.text).group(1)
    clock.set(t.day(2), 9, 25)
    again = client.post(link_path(person), data={"session_id": t.sessions[1].id})
    assert 'data-result="already"' in again.text and "09.03 WITA" in again.text
    [record] = all_records()
    assert record.session_id == t.sessions[1].id and record.mark == AttendanceMark.PRESENT


def test_a_session_on_another_day_is_refused_and_never_offered(client, login, organiser, training, clock):
    t = training(people=1)
    person = t.registrations[0]
    login(client, organiser)
    clock.set(t.day(2), 9, 3)
    refused = client.post(link_path(person), data={"session_id": t.sessions[0].id})
    assert refused.status_code == 409 and 'data-result="refused"' in refused.text
    assert local_day(t.day(1)) in refused.text, "the refusal names the session's day"
    clock.set(t.day(2), 15)
    page = client.get(link_path(person))
    offered = re.findall(r'name="session_id" value="(\d+)"', page.text)
    assert offered == [str(t.sessions[1].id)], "only today's session, even after it has ended"
    clock.set(t.day(5), 9)
    none_today = client.get(link_path(person))
    assert 'data-testid="no-session-today"' in none_today.text and 'name="session_id"' not in none_today.text
    assert local_day(t.day(1)) in none_today.text, "the event's days are listed, marked as not today"
    assert all_records() == []


def test_anyone_else_opening_the_link_sees_the_ticket_and_nothing_changes(client, logged_in, training, clock):
    t = training(people=1)
    clock.set(t.day(1), 9)
    anonymous = client.get(link_path(t.registrations[0]))
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].endswith(f"/tickets/{t.registrations[0].token}")
    logged_in(Role.BOARD)
    board = client.get(link_path(t.registrations[0]))
    assert board.status_code == 302 and "/tickets/" in board.headers["Location"]
    assert client.post(link_path(t.registrations[0]), data={"session_id": t.sessions[0].id}).status_code == 403
    assert all_records() == []


def test_a_tampered_link_changes_nothing(client, login, organiser, training, clock):
    t = training(people=1)
    clock.set(t.day(1), 9)
    path = link_path(t.registrations[0])
    tampered = path[:-3] + ("xyz" if not path.endswith("xyz") else "abc")
    assert client.get(tampered).status_code == 404, "anonymous"
    login(client, organiser)
    assert client.get(tampered).status_code == 404
    assert client.post(tampered, data={"session_id": t.sessions[0].id}).status_code == 404
    assert all_records() == []


def test_a_link_for_another_event_checks_nobody_in_here(client, login, organiser, training, clock):
    """At this event's door, a ticket of an event that has no session today says so, and posting
    a session of this event for it changes nothing."""
    here, elsewhere = training(people=1), training(people=1, days=1)
    login(client, organiser)
    clock.set(here.day(2), 9)
    page = client.get(link_path(elsewhere.registrations[0]))
    assert 'data-testid="no-session-today"' in page.text and elsewhere.event.title in page.text
    assert all_records() == []
    wrong = client.post(link_path(elsewhere.registrations[0]), data={"session_id": here.sessions[1].id})
    assert wrong.status_code == 404
    assert all_records() == []


def test_with_no_session_running_the_organiser_chooses_one(client, login, organiser, training, clock):
    t = training(people=1)
    login(client, organiser)
    clock.set(t.day(1), 15)
    page = client.get(link_path(t.registrations[0]))
    assert page.status_code == 200 and 'data-testid="choose-session"' in page.text
    assert all_records() == []
    chosen = client.post(link_path(t.registrations[0]), data={"session_id": t.sessions[0].id})
    assert 'data-result="new"' in chosen.text
    assert [r.session_id for r in all_records()] == [t.sessions[0].id]


def test_a_cancelled_person_is_refused_on_a_large_page(client, login, organiser, training, clock):
    t = training(people=1)
    registrations.cancel_registration(organiser, t.registrations[0])
    db.session.commit()
    login(client, organiser)
    clock.set(t.day(1), 9)
    opened = client.get(link_path(t.registrations[0]))
    assert 'data-testid="no-seat"' in opened.text and 'name="session_id"' not in opened.text, "no button to tap"
    page = client.post(link_path(t.registrations[0]), data={"session_id": t.sessions[0].id})
    assert page.status_code == 409 and 'data-result="refused"' in page.text
    assert all_records() == []


def test_the_sheet_marks_with_one_tap_and_counts_on_top(client, login, organiser, training, clock):
    t = training(people=3)
    first, second, third = t.registrations
    url = f"/organiser/events/{t.event.id}/attendance/{t.sessions[0].id}"
    login(client, organiser)
    clock.set(t.day(1), 9, 7)
    sheet = client.get(url)
    assert sheet.status_code == 200 and sheet.text.count('class="sheet-row"') == 3
    tapped = client.post(url + "/mark", data={"set": f"{first.id}:late"}, headers={"Accept": "application/json"})
    assert tapped.json["mark"] == "late" and tapped.json["arrived"] == "09.07 WITA"
    assert tapped.json["counts"] == {"present": 0, "late": 1, "excused": 0, "absent": 0, "unmarked": 2, "total": 3,
                                     "attended": 1}
    plain = client.post(url + "/mark", data={"set": f"{second.id}:present", "q": "Peserta"})
    assert plain.status_code == 302 and plain.headers["Location"].endswith(f"q=Peserta#r{second.id}")
    refused = client.post(url + "/mark", data={"set": f"{third.id}:sick"}, headers={"Accept": "application/json"})
    assert refused.status_code == 409 and refused.json["error"]
    absent = client.post(url + "/remaining-absent")
    assert absent.status_code == 302
    marks = {r.registration_id: r.mark for r in all_records()}
    assert marks == {first.id: AttendanceMark.LATE, second.id: AttendanceMark.PRESENT, third.id: AttendanceMark.ABSENT}
    searched = client.get(url, query_string={"q": third.participant.full_name.lower()})
    assert searched.text.count('class="sheet-row"') == 1


def test_the_sheet_for_300_people_issues_as_many_queries_as_for_3(client, login, organiser, training, make_people,
                                                                  count_queries):
    t = training(people=3, seats=400)
    url = f"/organiser/events/{t.event.id}/attendance/{t.sessions[0].id}"
    login(client, organiser)
    services.mark_attendance(organiser, t.registrations[0].id, t.sessions[0].id, "present", wita(t.day(1), 9))
    db.session.commit()
    with count_queries() as few:
        assert client.get(url).status_code == 200
    people = make_people(t.cooperative, 297)
    done = registrations.sign_up(t.board, t.event.id, [p.id for p in people])
    db.session.commit()
    for registration in done[::3]:
        services.mark_attendance(organiser, registration.id, t.sessions[0].id, "late", wita(t.day(1), 9, 30))
    db.session.commit()
    with count_queries() as many:
        page = client.get(url)
    assert page.text.count('class="sheet-row"') == 300
    assert len(many) == len(few), "\n".join(statement[:100] for statement in many)
    print(f"sheet queries: {len(few)} for 3 people, {len(many)} for 300")


def test_a_typed_code_checks_in_like_the_qr_code(client, login, organiser, training, clock):
    t = training(people=2)
    login(client, organiser)
    clock.set(t.day(1), 8, 55)
    url = f"/organiser/events/{t.event.id}/attendance/{t.sessions[0].id}/code"
    page = client.post(url, data={"code": t.registrations[1].check_in_code.lower()})
    assert page.status_code == 200 and 'data-result="new"' in page.text
    unknown = client.post(url, data={"code": "zzzzzz"})
    assert unknown.status_code == 400 and "ZZZZZZ" in unknown.text
    assert [r.registration_id for r in all_records()] == [t.registrations[1].id]


def test_a_walk_in_is_recorded_at_the_door(client, login, organiser, training, clock, make_cooperative):
    t = training(people=1, seats=1)
    make_cooperative(name="KSU Sawah Indah")
    login(client, organiser)
    clock.set(t.day(1), 9, 12)
    url = f"/organiser/events/{t.event.id}/attendance/{t.sessions[0].id}/walk-in"
    form = client.get(url)
    assert form.status_code == 200 and t.cooperative.name in form.text, "the event's cooperatives are suggested"
    bad = client.post(url, data={"full_name": "Yakobus Tefa", "affiliation": "KSU Sawah Indah", "position": "staff",
                                 "phone": "12"})
    assert bad.status_code == 400
    done = client.post(url, data={"full_name": "Yakobus Tefa", "affiliation": "KSU Sawah Indah", "position": "member",
                                  "phone": "0812 3456 7890"})
    assert done.status_code == 200 and 'data-result="new"' in done.text and "KSU Sawah Indah" in done.text
    [record] = all_records()
    assert record.registration.status == RegistrationStatus.WALK_IN
    assert record.registration.participant.phone == "+6281234567890"
    tab = client.get(f"/organiser/events/{t.event.id}/registrations")
    assert 'data-count="walk_in"' in tab.text


def test_the_daftar_hadir_lists_everyone_with_numbered_signature_rows(client, login, organiser, training,
                                                                      make_cooperative):
    t = training(people=3, cooperative_name="KSP Sehati Oelamasi", title="Pelatihan Pembukuan Koperasi")
    services.record_walk_in(organiser, t.sessions[1], "Yakobus Tefa", "Dinas Pertanian", "staff", None,
                            wita(t.day(2), 9))
    db.session.commit()
    login(client, organiser)
    response = client.get(f"/organiser/events/{t.event.id}/attendance/{t.sessions[1].id}/daftar-hadir.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    save_pdf_page(response.data, "attendance-daftar-hadir")
    text = pdf_text(response.data)
    with force_locale("id"):
        title, signature = gettext("Attendance sheet").upper(), gettext("Signature")
    for expected in (title, signature, "Pelatihan Pembukuan Koperasi", "KSP Sehati Oelamasi", "Dinas Pertanian",
                     "Yakobus Tefa", "09.00–12.00 WITA", "PEMERINTAH KABUPATEN KUPANG", "Kepala Dinas",
                     *(r.participant.full_name for r in t.registrations)):
        assert expected in text, expected
    assert f"Oelamasi, {t.day(2).day} " in text
    lines = [line.strip() for line in text.splitlines()]
    assert "4 Yakobus Tefa Dinas Pertanian" in text
    assert "14 14." in lines and "15 15." not in lines, "4 people, then 10 blank rows, numbered"
    assert pdf_page_count(response.data) == 1, "the signatory stays on the page of a short list"


def test_the_export_has_a_row_per_person_and_a_column_per_session(client, login, organiser, training, make_people):
    t = training(people=1)
    formula = participants.find_or_create_participant(None, t.cooperative, "=HYPERLINK(\"http://x\")", "staff",
                                                      email="f@example.org")
    sneaky = registrations.sign_up(t.board, t.event.id, [formula.id])[0]
    services.mark_attendance(organiser, t.registrations[0].id, t.sessions[0].id, "present", wita(t.day(1), 9))
    services.mark_attendance(organiser, t.registrations[0].id, t.sessions[1].id, "late", wita(t.day(2), 9, 40))
    services.mark_attendance(organiser, sneaky.id, t.sessions[2].id, "excused", wita(t.day(3), 9))
    db.session.commit()
    login(client, organiser)
    response = client.get(f"/organiser/events/{t.event.id}/attendance.csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 3 and len(rows[0]) == 5 + 3 + 1
    by_name = {row[0]: row for row in rows[1:]}
    with force_locale("id"):
        present, late, excused = gettext("Present"), gettext("Late"), gettext("Excused")
    assert by_name["'=HYPERLINK(\"http://x\")"][-4:] == ["", "", excused, "0"]
    assert by_name[t.registrations[0].participant.full_name][-4:] == [present, late, "", "2"]
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/organiser/events/{t.event.id}/attendance.xlsx").data))
    cells = [cell for row in workbook.active.iter_rows() for cell in row]
    assert any(cell.value == "=HYPERLINK(\"http://x\")" and cell.data_type == "s" for cell in cells)
    assert not any(cell.data_type == "f" for cell in cells), "text, never a formula"


def test_the_attendance_tab_shows_rates_per_session(client, login, organiser, training):
    t = training(people=4)
    for registration, mark in zip(t.registrations, ("present", "late", "excused", "absent"), strict=True):
        services.mark_attendance(organiser, registration.id, t.sessions[0].id, mark, wita(t.day(1), 9))
    db.session.commit()
    login(client, organiser)
    page = client.get(f"/organiser/events/{t.event.id}/attendance")
    assert page.status_code == 200
    assert page.text.count('data-testid="rate"') == 3 and ">50%<" in page.text
    assert f'href="/organiser/events/{t.event.id}/attendance"' in page.text, "the tab is live"


def test_the_cooperative_page_lists_the_events_its_people_attended(client, login, organiser, training):
    t = training(people=2, title="Pelatihan Manajemen Koperasi")
    not_attended = training(people=0, title="Rapat yang tidak dihadiri")  # noqa: F841
    services.mark_attendance(organiser, t.registrations[0].id, t.sessions[0].id, "present", wita(t.day(1), 9))
    services.mark_attendance(organiser, t.registrations[0].id, t.sessions[1].id, "late", wita(t.day(2), 9, 30))
    services.mark_attendance(organiser, t.registrations[1].id, t.sessions[0].id, "excused", wita(t.day(1), 9))
    db.session.commit()
    login(client, t.board)
    page = client.get(f"/cooperatives/{t.cooperative.id}")
    assert "Pelatihan Manajemen Koperasi" in page.text and "Rapat yang tidak dihadiri" not in page.text
    assert t.registrations[0].participant.full_name in page.text
    assert t.registrations[1].participant.full_name not in page.text, "excused is not attended"


def test_the_ticket_page_and_the_confirmation_email_carry_the_check_in_qr(app, client, smtp, training):
    t = training(people=0)
    maria = participants.find_or_create_participant(None, t.cooperative, "Maria Tefa", "staff",
                                                    email="maria@example.org")
    registration = registrations.sign_up(t.board, t.event.id, [maria.id])[0]
    db.session.commit()
    link = services.check_in_url(registration)
    ticket = client.get(f"/tickets/{registration.token}")
    assert 'class="qr"' in ticket.text and registration.check_in_code in ticket.text
    send_pending("test")
    [email] = [r for r in smtp.received if "maria@example.org" in r.rcpt_tos]
    images = [part for part in email.message.walk() if part.get_content_type() == "image/png"]
    assert len(images) == 1 and images[0]["Content-ID"] == "<check-in-qr@portal-koperasi>"
    assert images[0].get_content_disposition() == "inline"
    assert read_qr_codes(images[0].get_payload(decode=True)) == [link]
    assert "cid:check-in-qr@portal-koperasi" in email.body("html")
    assert registration.check_in_code in email.body("plain")
    assert "event.ics" in email.attachments()
    [to_board] = [r for r in smtp.received if t.board.email in r.rcpt_tos]
    assert "cid:check-in-qr@portal-koperasi" in to_board.body("html")


def test_a_waiting_ticket_has_no_check_in_qr(client, training, make_people):
    t = training(people=1, seats=1)
    waiting = registrations.sign_up(t.board, t.event.id, [make_people(t.cooperative)[0].id])[0]
    db.session.commit()
    assert waiting.status == RegistrationStatus.WAITLISTED
    assert 'data-testid="check-in"' not in client.get(f"/tickets/{waiting.token}").text
