"""The daftar penerimaan uang transport of a session: exactly the attendance an organiser marked or
confirmed (a self check-in only once confirmed; excused and absent never), the amount set per
event (whole rupiah, refused in Indonesian otherwise, nothing changed), PDF and XLSX with hostile
names kept as text; the office's staff only."""

import io
from datetime import timedelta

import openpyxl
import pytest

from portal.accounts.models import Role
from portal.activityreport import transport
from portal.activityreport.models import ReportTexts
from portal.attendance import self_check_in
from portal.attendance import services as attendance
from portal.attendance.models import AttendanceMark, AttendanceRecord, MarkSource
from portal.errors import RuleViolation
from portal.extensions import db
from portal.registrations import participants
from portal.registrations import services as registrations
from tests.pdfs import pdf_text, save_pdf_page

FORMULA = "=cmd|' /C calc'!A0"
HTML_NAME = "<b>Yohanes</b> <script>alert(1)</script>"


@pytest.fixture
def training(finished_training, organiser):
    """Session 1: Peserta 1 present (sheet), 2 late, 3 excused, 4 absent; Peserta 5 checked in by
    themself, not yet confirmed. Session 2: only Peserta 1."""
    t = finished_training([["present", "present"], ["late", None], ["excused", None], ["absent", None],
                           [None, None]], complete=False)
    first = sorted(t.event.sessions, key=lambda s: s.starts_at)[0]
    db.session.add(AttendanceRecord(registration_id=t.registrations[4].id, session_id=first.id,
                                    mark=AttendanceMark.PRESENT, source=MarkSource.SELF,
                                    arrived_at=first.starts_at, marked_by_id=None))
    transport.set_amount(organiser, t.event, "75.000")
    db.session.commit()
    t.first = first
    return t


def _names(session, amount=75000):
    return [payee.full_name for payee in transport.payees(session, amount)]


def test_lists_exactly_the_organiser_marked_attendees_and_leaves_out_an_unconfirmed_self_check_in(training):
    assert _names(training.first) == ["Peserta 1", "Peserta 2"]
    second = sorted(training.event.sessions, key=lambda s: s.starts_at)[1]
    assert _names(second) == ["Peserta 1"]


def test_a_self_check_in_counts_once_an_organiser_confirmed_it(training, organiser):
    record = db.session.query(AttendanceRecord).filter_by(source=MarkSource.SELF).one()
    self_check_in.confirm(organiser, training.first, record.id, training.first.starts_at + timedelta(minutes=10))
    db.session.commit()
    assert _names(training.first) == ["Peserta 1", "Peserta 2", "Peserta 5"]
    text = pdf_text(transport.transport_pdf(training.event, training.first))
    assert "Peserta 5" in text


def test_the_pdf_holds_the_payees_the_amounts_and_the_total_on_the_letterhead(training):
    data = transport.transport_pdf(training.event, training.first)
    save_pdf_page(data, "uang-transport")
    text = " ".join(pdf_text(data).split())
    assert "DAFTAR PENERIMAAN UANG TRANSPORT" in text.upper()
    assert training.event.title in text and "WITA" in text
    assert "Peserta 1" in text and "Peserta 2" in text
    for left_out in ("Peserta 3", "Peserta 4", "Peserta 5"):
        assert left_out not in text, left_out
    assert "75.000" in text and "150.000" in text  # two payees
    assert "Jumlah (Rp)" in text and "Tanda tangan" in text.title().replace("Tangan", "tangan")


def test_the_xlsx_holds_the_same_rows_and_the_total(training):
    header, rows = transport.transport_table(training.event, training.first)
    assert header[:4] == ["No.", "Nama", "Koperasi atau instansi", "Jumlah (Rp)"]
    assert [row[1] for row in rows] == ["Peserta 1", "Peserta 2", "Jumlah"]
    assert rows[-1][3] == 150000


def _hostile(training, organiser, name):
    person = participants.find_or_create_participant(None, training.cooperative, name, "staff")
    registration = registrations.register_guest(organiser, training.event.id, person)
    attendance.mark_attendance(organiser, registration.id, training.first.id, "present",
                               training.first.starts_at + timedelta(minutes=1))
    db.session.commit()


def test_a_formula_name_stays_text_in_the_xlsx(client, login, organiser, training):
    _hostile(training, organiser, FORMULA)
    login(client, organiser)
    response = client.get(f"/organiser/events/{training.event.id}/transport/{training.first.id}.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == FORMULA]
    assert cells and all(cell.data_type == "s" for cell in cells)
    amounts = [row[3].value for row in sheet.iter_rows(min_row=2)]
    assert amounts == [75000, 75000, 75000, 225000]


def test_an_html_name_is_printed_as_text_in_the_pdf(organiser, training):
    _hostile(training, organiser, HTML_NAME)
    text = pdf_text(transport.transport_pdf(training.event, training.first))
    assert "<b>Yohanes</b>" in text and "<script>alert(1)</script>" in text


@pytest.mark.parametrize("typed, expected", [("50000", 50000), ("50.000", 50000), ("Rp 1.250.000", 1250000),
                                             ("0", 0), ("75.000,-", 75000)])
def test_the_amount_is_read_as_offices_type_it(typed, expected):
    assert transport.parse_amount(typed) == expected


@pytest.mark.parametrize("typed", ["-5000", "50.5", "lima puluh ribu", "", "1e6", "999999999999"])
def test_a_bad_amount_is_refused(typed):
    with pytest.raises(RuleViolation):
        transport.parse_amount(typed)


def test_a_bad_amount_on_the_page_says_so_in_indonesian_and_changes_nothing(client, login, organiser, training):
    login(client, organiser)
    response = client.post(f"/organiser/events/{training.event.id}/paperwork/transport-amount",
                           data={"amount": "-10.000"})
    assert response.status_code == 400
    assert "Isikan jumlah dalam rupiah bulat" in response.text
    db.session.expire_all()
    assert db.session.get(ReportTexts, training.event.id).transport_amount == 75000


def test_the_page_saves_the_amount_and_links_each_sessions_sheets(client, login, organiser, training):
    login(client, organiser)
    base = f"/organiser/events/{training.event.id}"
    assert client.post(f"{base}/paperwork/transport-amount", data={"amount": "100.000"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ReportTexts, training.event.id).transport_amount == 100000
    page = client.get(f"{base}/paperwork").text
    for session in training.event.sessions:
        assert f"{base}/transport/{session.id}.pdf" in page and f"{base}/transport/{session.id}.xlsx" in page
    assert f"{base}/paperwork" in client.get(f"{base}/attendance").text
    pdf = client.get(f"{base}/transport/{training.first.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and "100.000" in pdf_text(pdf.data)


def test_without_an_amount_the_sheet_asks_for_it(client, login, organiser, finished_training):
    t = finished_training([["present"]], min_sessions=1)
    login(client, organiser)
    response = client.get(f"/organiser/events/{t.event.id}/transport/{t.event.sessions[0].id}.pdf")
    assert response.status_code == 302 and response.location.endswith(f"/organiser/events/{t.event.id}/paperwork")


def test_a_board_member_is_refused(client, login, make_user, training):
    login(client, make_user(Role.BOARD))
    base = f"/organiser/events/{training.event.id}"
    assert client.get(f"{base}/paperwork").status_code == 403
    assert client.get(f"{base}/transport/{training.first.id}.pdf").status_code == 403
    assert client.get(f"{base}/transport/{training.first.id}.xlsx").status_code == 403
    assert client.post(f"{base}/paperwork/transport-amount", data={"amount": "1"}).status_code == 403


def test_a_session_of_another_event_is_not_found(client, login, organiser, training, finished_training):
    other = finished_training([["present"]], min_sessions=1, title="Rapat lain")
    login(client, organiser)
    assert client.get(f"/organiser/events/{training.event.id}/transport/{other.event.sessions[0].id}.pdf"
                      ).status_code == 404


def test_the_xlsx_download_is_in_the_log_of_personal_data(client, login, organiser, training):
    from portal.privacy.models import PersonalDataAccess

    login(client, organiser)
    assert client.get(f"/organiser/events/{training.event.id}/transport/{training.first.id}.xlsx").status_code == 200
    entry = db.session.query(PersonalDataAccess).one()
    assert entry.subject == "transport_allowance" and entry.row_count == 2
