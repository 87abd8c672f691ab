"""The iCalendar text written line by line: what icalendar reads back, escaped and folded."""

from datetime import UTC, datetime

from icalendar import Calendar

from portal.events.calendar import make_entry, write_entries


def test_entries_written_by_hand_read_back_with_every_character_and_fold_within_75_octets(app):
    title = "Pelatihan; Akuntansi, Koperasi \\ Simpan–Pinjam " + "Tenun Ikat Ina Ndao " * 4
    description = "Baris satu, dengan koma;\nbaris dua: ¿ñé 日本 " + "é" * 60
    entry = make_entry(uid_token="abc", sequence=3, starts_at=datetime(2026, 12, 1, 1, 0, tzinfo=UTC),
                       ends_at=datetime(2026, 12, 1, 4, 0, tzinfo=UTC), title=title, number=2, count=3,
                       venue="Aula Dinas", address=" Jl. Timor Raya, km 5 ", district="Kupang Timur",
                       description=description, url="https://portal.example.id/events/7", cancelled=True)
    data = b"".join(write_entries([entry]))
    assert all(len(line) <= 75 for line in data.split(b"\r\n")), "folded within 75 octets"
    data.decode()  # never folded inside a character
    [vevent] = Calendar.from_ical(data).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == f"{title} (2/3)"
    assert str(vevent["DESCRIPTION"]) == f"{description}\n\nhttps://portal.example.id/events/7"
    assert str(vevent["LOCATION"]) == "Aula Dinas, Jl. Timor Raya, km 5, Kupang Timur"
    assert str(vevent["UID"]) == "session-abc@portal-koperasi" and int(vevent["SEQUENCE"]) == 3
    assert vevent.decoded("DTSTART") == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert vevent.decoded("DTEND") == datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
    assert str(vevent["STATUS"]) == "CANCELLED" and str(vevent["URL"]) == "https://portal.example.id/events/7"
    calendar = Calendar.from_ical(data)
    assert str(calendar["METHOD"]) == "PUBLISH" and "ORGANIZER" not in vevent and "ATTENDEE" not in vevent
