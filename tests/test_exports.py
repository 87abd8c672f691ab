"""The registrations and attendance exports as a spreadsheet reads them: times in the office's zone
with the zone in the header, real dates and numbers in XLSX with a frozen, filterable header, text
that stays text (formulas neutralised in CSV only, no apostrophe in XLSX), one form of phone
number, ``;`` as the CSV separator by default and ``,`` on request, one charset."""

import csv
import io
from datetime import UTC, datetime

import openpyxl
from flask_babel import force_locale, gettext

from portal.accounts.models import Role
from portal.attendance import services as attendance
from portal.extensions import db
from portal.registrations import participants
from portal.registrations import services as registrations
from portal.registrations.models import ParticipantPosition
from tests.attendance_fixtures import wita

FORMULA = '=HYPERLINK("http://evil")'
PHONES = {"Ani": "081234567890", "Budi": "+62 812-3456-7891", "Citra": "62812 3456 7892"}
SIGNED_UP = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)  # 09.30 WITA


def _people(t):
    people = [participants.find_or_create_participant(None, t.cooperative, name, ParticipantPosition.STAFF,
                                                      email=f"{name.lower()}@example.org", phone=phone)
              for name, phone in PHONES.items()]
    people.append(participants.find_or_create_participant(None, t.cooperative, FORMULA, ParticipantPosition.STAFF,
                                                          email="f@example.org"))
    signed = registrations.sign_up(t.board, t.event.id, [p.id for p in people])
    for registration in signed:
        registration.created_at = SIGNED_UP
    db.session.commit()
    return signed


def _csv(response, delimiter=";"):
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=delimiter))


def _sheet(response):
    return openpyxl.load_workbook(io.BytesIO(response.data)).active


def _export(client, t, what, kind, **query):
    response = client.get(f"/organiser/events/{t.event.id}/{what}.{kind}", query_string=query)
    assert response.status_code == 200
    return response


def test_registrations_csv_uses_semicolons_wita_times_one_phone_form_and_neutralises_formulas(
        client, login, organiser, training):
    t = training(people=0)
    _people(t)
    login(client, organiser)
    response = _export(client, t, "registrations", "csv")

    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = _csv(response)
    header, by_name = rows[0], {row[0]: row for row in rows[1:]}
    assert len(header) > 5 and all(len(row) == len(header) for row in rows)
    signed_up = next(i for i, title in enumerate(header) if "WITA" in title)
    assert by_name["Ani"][signed_up] == "2026-12-01 09:30"
    phone = header.index(gettext("Phone"))
    assert [by_name[name][phone] for name in PHONES] == ["0812-3456-7890", "0812-3456-7891", "0812-3456-7892"]
    assert f"'{FORMULA}" in by_name


def test_registrations_csv_with_commas_on_request(client, login, organiser, training):
    t = training(people=0)
    _people(t)
    login(client, organiser)
    commas = _export(client, t, "registrations", "csv", separator="comma")
    semicolons = _export(client, t, "registrations", "csv")
    rows = _csv(commas, delimiter=",")
    assert len(rows) == 5 and len(rows[0]) > 5 and {row[0] for row in rows[1:]} >= set(PHONES)
    assert b";" not in commas.data.splitlines()[0] and b"," not in semicolons.data.splitlines()[0]


def test_registrations_xlsx_has_types_a_frozen_filtered_header_and_no_apostrophes(client, login, organiser,
                                                                                   training, make_people):
    t = training(people=0)
    _people(t)
    make_people(t.cooperative, 1)  # the event has 30 seats: nobody waits, so positions stay empty
    login(client, organiser)
    sheet = _sheet(_export(client, t, "registrations", "xlsx"))

    header = [cell.value for cell in sheet[1]]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}{sheet.max_row}"
    signed_up = next(i for i, title in enumerate(header) if title and "WITA" in title)
    cell = rows["Ani"][signed_up]
    assert cell.is_date and cell.value == datetime(2026, 12, 1, 9, 30)
    phone = rows["Budi"][header.index(gettext("Phone"))]
    assert (phone.value, phone.data_type) == ("0812-3456-7891", "s")
    assert FORMULA in rows and rows[FORMULA][0].data_type == "s", "text, not a formula, and no apostrophe"
    assert not any(isinstance(c.value, str) and c.value.startswith("'") for row in sheet.iter_rows() for c in row)


def test_attendance_exports_count_sessions_as_numbers(client, login, organiser, training):
    t = training(people=0)
    signed = _people(t)
    attendance.mark_attendance(organiser, signed[0].id, t.sessions[0].id, "present", wita(t.day(1), 9))
    attendance.mark_attendance(organiser, signed[0].id, t.sessions[1].id, "late", wita(t.day(2), 9, 40))
    db.session.commit()
    login(client, organiser)

    csv_response = _export(client, t, "attendance", "csv")
    sheet = _sheet(_export(client, t, "attendance", "xlsx"))

    assert csv_response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = {row[0]: row for row in _csv(csv_response)[1:]}
    assert rows["Ani"][-1] == "2" and rows["Ani"][3] == "0812-3456-7890" and f"'{FORMULA}" in rows
    values = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert values["Ani"][-1].value == 2 and values["Ani"][-1].data_type == "n"
    assert values["Ani"][3].value == "0812-3456-7890"
    assert FORMULA in values and sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    with force_locale("id"):
        assert gettext("Sessions attended") in [cell.value for cell in sheet[1]]


def test_the_manage_pages_offer_a_comma_separated_csv(client, logged_in, training):
    t = training(people=1)
    logged_in(Role.ORGANISER)
    for page in (f"/organiser/events/{t.event.id}/registrations", f"/organiser/events/{t.event.id}/attendance"):
        assert "separator=comma" in client.get(page).text, page


def test_the_registrations_page_shows_phones_in_the_exports_form(client, login, organiser, training):
    t = training(people=0)
    _people(t)
    login(client, organiser)
    page = client.get(f"/organiser/events/{t.event.id}/registrations").text
    assert all(f"0812-3456-789{n}" in page for n in range(3))
    assert PHONES["Budi"] not in page and PHONES["Citra"] not in page


def test_exports_are_streamed_with_as_many_queries_for_60_people_as_for_3(client, login, organiser, training,
                                                                          make_people, count_queries):
    """An export is written as it is read (a worker never holds 50,000 rows or the whole file), in
    a fixed number of queries however many rows it has: a CSV leaves in several chunks, its
    length unknown when it starts."""
    t = training(people=3, seats=100)
    login(client, organiser)
    exports = [(what, kind) for what in ("registrations", "attendance") for kind in ("csv", "xlsx")]

    def run():
        counts, sizes = {}, {}
        for what, kind in exports:
            with count_queries() as statements:
                response = _export(client, t, what, kind)
                sizes[what, kind] = len(_csv(response)) if kind == "csv" else _sheet(response).max_row
            counts[what, kind] = len(statements)
            if kind == "csv":
                assert "Content-Length" not in response.headers, what
                assert len(list(client.get(response.request.full_path, buffered=False).response)) > 1, what
        return counts, sizes

    few, few_sizes = run()
    registrations.sign_up(t.board, t.event.id, [p.id for p in make_people(t.cooperative, 57)])
    db.session.commit()
    many, many_sizes = run()
    assert set(few_sizes.values()) == {4} and set(many_sizes.values()) == {61}
    assert many == few


def test_an_xlsx_leaves_in_blocks_from_its_first_rows_and_opens_with_its_types():
    from datetime import date
    from zoneinfo import ZoneInfo

    from portal.documents import spreadsheets

    read = [0]

    def rows():
        for n in range(20_000):
            read[0] = n + 1
            yield [f"Peserta {n}", "=HYPERLINK(\"x\")", "0812\x01345", n, datetime(2026, 11, 30, 1, 30, tzinfo=UTC),
                   date(2026, 12, 1), None]

    chunks = spreadsheets.xlsx_chunks(["Nama", "Teks", "Telepon", "No", "Waktu (WITA)", "Tanggal", "Kosong"], rows(),
                                      "Pendaftaran", ZoneInfo("Asia/Makassar"))
    first = next(chunks)
    assert first.startswith(b"PK") and read[0] < 20_000, "the first block leaves before the last row is read"
    book = openpyxl.load_workbook(io.BytesIO(first + b"".join(chunks)))
    sheet = book.active
    assert sheet.title == "Pendaftaran" and sheet.max_row == 20_001 and sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:G20001" and sheet["A1"].font.b
    assert [cell.value for cell in sheet[2]] == ["Peserta 0", "=HYPERLINK(\"x\")", "0812345", 0,
                                                 datetime(2026, 11, 30, 9, 30), datetime(2026, 12, 1), None]
    assert sheet["B2"].data_type == "s" and sheet["E2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet["F2"].number_format == "yyyy-mm-dd" and sheet.column_dimensions["A"].width > 10
