"""Many offices on one portal: places, letterheads and numbering, time zones, filters and imports
per office (the route walk across offices is tests/test_office_scope.py)."""

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_babel import force_locale

from portal.accounts.models import Role
from portal.cooperatives.importing import import_cooperatives
from portal.cooperatives.models import Cooperative, District
from portal.cooperatives.reference import add_districts, regency_named
from portal.events import services as events
from portal.events import venues
from portal.extensions import db
from portal.invitations.letters import render_letter
from portal.mail.models import OutboxMessage
from portal.offices.context import default_office
from portal.offices.services import create_office
from portal.registrations import services as registrations
from portal.settings.services import take_letter_number
from tests.import_samples import HEADER
from tests.office_fixtures import SOUTH
from tests.pdfs import pdf_text

DATA = Path(__file__).resolve().parent / "data"


def _csv(*rows) -> bytes:
    lines = [";".join(HEADER)] + [";".join(row) for row in rows]
    return "\n".join(lines).encode()


def _row(name, legal_number, district):
    return [name and "1", name, legal_number, "", "KSP", district, "", "", "", "", "", "Aktif", "", "", "", ""]


def test_two_regencies_each_have_an_amarasi_and_each_office_covers_its_own(app, two_offices):
    (kupang, south) = two_offices
    amarasis = db.session.execute(sa.select(District.id, District.regency_id).where(District.name == "Amarasi")).all()
    assert len(amarasis) == 2
    cooperative_a = db.session.get(Cooperative, kupang.ids["cooperative_id"])
    cooperative_b = db.session.get(Cooperative, south.ids["cooperative_id"])
    assert cooperative_a.district.name == cooperative_b.district.name == "Amarasi"
    assert (cooperative_a.office_id, cooperative_b.office_id) == (kupang.office.id, south.office.id)


def test_import_matches_districts_within_the_importing_offices_regencies(app, two_offices):
    kupang, south = two_offices
    data = _csv(_row("KSP Amarasi Baru", "900/BH/2024", "Amarasi"),
                _row("KSP Salah Tempat", "901/BH/2024", "Mollo Utara"))
    with force_locale("id"):
        report = import_cooperatives(kupang.organiser, "daftar.csv", data, dry_run=False, today=date(2024, 5, 17))
    db.session.commit()
    rejected = {row.legal_number: row.errors for row in report.rows if row.errors}
    assert list(rejected) == ["901/BH/2024"]
    assert "di luar" in " ".join(rejected["901/BH/2024"]), rejected  # Indonesian: outside the office's regencies
    created = db.session.scalar(sa.select(Cooperative).where(Cooperative.legal_number == "900/BH/2024"))
    assert created.office_id == kupang.office.id and created.district.regency.name == "Kabupaten Kupang"

    report = import_cooperatives(south.organiser, "daftar.csv", _csv(_row("KSP Amarasi TTS", "902/BH/2024", "Amarasi")),
                                 dry_run=False, today=date(2024, 5, 17))
    db.session.commit()
    created = db.session.scalar(sa.select(Cooperative).where(Cooperative.legal_number == "902/BH/2024"))
    assert created.office_id == south.office.id and created.district.regency.name == SOUTH


def test_an_import_may_not_change_another_offices_cooperative(app, two_offices):
    kupang, south = two_offices
    theirs = db.session.get(Cooperative, south.ids["cooperative_id"])
    with force_locale("en"):
        report = import_cooperatives(kupang.organiser, "daftar.csv",
                                     _csv(_row("Diambil Alih", theirs.legal_number, "Amarasi")),
                                     dry_run=False, today=date(2024, 5, 17))
    db.session.commit()
    assert report.rows[0].errors == ["This legal number belongs to a cooperative of another office."]
    assert db.session.get(Cooperative, theirs.id).name == "Koperasi Soerahasia"


def test_load_districts_reads_a_regencys_districts_from_a_csv_once(app, runner):
    path = str(DATA / "kecamatan_tts.csv")
    result = runner.invoke(args=["load-districts", path])
    assert result.exit_code == 0, result.output
    assert f"{SOUTH}: 5 districts added" in result.output
    names = db.session.scalars(sa.select(District.name).join(District.regency).where(
        District.regency.has(name=SOUTH)).order_by(District.name)).all()
    assert names == ["Amanuban Barat", "Amanuban Selatan", "Amarasi", "Kota SoE", "Mollo Utara"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(District).where(District.name == "Amarasi")) == 2
    again = runner.invoke(args=["load-districts", path])
    assert f"{SOUTH}: 0 districts added" in again.output


def test_letter_numbers_are_counted_per_office_with_each_offices_pattern(app, two_offices):
    kupang, south = two_offices
    day = date(2026, 3, 4)
    assert take_letter_number(day, kupang.office) == "001/DISKOP/III/2026"
    assert take_letter_number(day, kupang.office) == "002/DISKOP/III/2026"
    assert take_letter_number(day, south.office) == "001/KOP-TTS/III/2026"
    assert take_letter_number(day, kupang.office) == "003/DISKOP/III/2026"


def test_a_letter_carries_its_events_office_and_one_without_a_logo_still_names_it(app, two_offices):
    kupang, south = two_offices
    assert south.office.logo is None
    from portal.events.models import Event

    event = db.session.get(Event, south.ids["event_id"])
    _name, _type, data = render_letter(event, number="001/KOP-TTS/III/2026", dated=date(2026, 3, 4),
                                       addressee="Koperasi Soerahasia")
    text = pdf_text(data).casefold()
    assert "dinas koperasi timor tengah selatan" in text and "pemerintah kabupaten timor tengah selatan" in text
    assert "kepala dinas tts" in text and "soe" in text
    assert kupang.office.office_name.casefold() not in text


def _papua_office():
    regency = regency_named("Papua", "Kota Jayapura")
    add_districts(regency, ["Abepura", "Heram"])
    office = create_office(None, "Dinas Koperasi Kota Jayapura", [regency.id], timezone="Asia/Jayapura",
                           parent_body="Pemerintah Kota Jayapura", city="Jayapura")
    db.session.commit()
    return office, regency


def test_an_event_of_a_wit_office_is_shown_in_wit_on_its_page_and_in_its_email(app, client, make_user):
    office, _regency = _papua_office()
    organiser = make_user(Role.ORGANISER, office=office)
    abepura = db.session.scalar(sa.select(District).where(District.name == "Abepura"))
    venue = venues.create_venue(organiser, "Aula Abepura", "Abepura", abepura.id, 50)
    day = date.today() + timedelta(days=30)
    from portal.offices.context import office_in_use

    with office_in_use(office):  # the organiser's request would be in their office's zone
        event = events.create_event(organiser, events.EventDetails(
            kind=events.EventKind.TRAINING, program_area=events.ProgramArea.HR_TRAINING, title="Pelatihan Jayapura",
            seats=20, starts_on=day, ends_on=day))
        session = events.add_session(organiser, event, day, time(9), time(12), venue.id)
    events.publish_event(organiser, event)
    db.session.commit()
    assert session.starts_at == datetime.combine(day, time(0), tzinfo=UTC)  # 09.00 WIT is 00.00 UTC
    page = client.get(f"/events/{event.id}").text
    assert "09.00–12.00 WIT" in page and "WITA" not in page
    assert f'data-testid="office">{office.office_name}<' in page, "the public page names the office running it"

    registrations.add_guest(organiser, event.id, "Tamu Jayapura", "Bank Papua", email="tamu@example.org")
    db.session.commit()
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.recipient_email == "tamu@example.org"))
    assert "09.00 WIT" in message.body_text and "WITA" not in message.body_text, message.body_text
    assert message.office_id == office.id


def test_the_public_lists_and_feed_filter_by_office_and_regency(app, client, two_offices, south_regency):
    kupang, south = two_offices
    both = client.get("/events").text
    assert "Pelatihan Kupangrahasia" in both and "Pelatihan Soerahasia" in both
    only_south = client.get(f"/events?office={south.office.id}").text
    assert "Pelatihan Soerahasia" in only_south and "Pelatihan Kupangrahasia" not in only_south
    by_regency = client.get(f"/events?regency={south_regency.id}").text
    assert "Pelatihan Soerahasia" in by_regency and "Pelatihan Kupangrahasia" not in by_regency
    feed = client.get(f"/events.ics?office={kupang.office.id}").get_data(as_text=True)
    assert "Pelatihan Kupangrahasia" in feed and "Pelatihan Soerahasia" not in feed
    from portal.events.models import Event

    month = db.session.get(Event, south.ids["event_id"]).starts_on.strftime("%Y-%m")
    calendar = client.get(f"/events/calendar?month={month}&regency={south_regency.id}").text
    assert "Pelatihan Soerahasia" in calendar and "Pelatihan Kupangrahasia" not in calendar


def test_a_kupang_only_portal_has_one_office_covering_kabupaten_kupang(app):
    office = default_office()
    assert [regency.name for regency in office.regencies] == ["Kabupaten Kupang"]
    assert office.zone == "Asia/Makassar" and office.timezone is None


def test_an_administrator_of_every_office_lists_and_edits_offices(app, client, login, make_user, two_offices):
    kupang, south = two_offices
    superuser = make_user(Role.ADMIN, email="pusat@example.org", office=None)
    login(client, superuser)
    listed = client.get("/admin/offices/").text
    assert kupang.office.office_name in listed and south.office.office_name in listed
    assert "WITA (Asia/Makassar)" in listed, "each office's zone by the name offices use"
    response = client.post(f"/admin/offices/{south.office.id}", data={
        "office_name": "Dinas Koperasi dan UKM TTS", "timezone": "Asia/Makassar", "province_id": "",
        "regency_ids": [str(r.id) for r in south.office.regencies]})
    assert response.status_code == 302, response.text
    db.session.expire_all()
    assert db.session.get(type(south.office), south.office.id).office_name == "Dinas Koperasi dan UKM TTS"
    response = client.post(f"/admin/settings/offices/{south.office.id}", data={
        "office_name": "Dinas Koperasi dan UKM TTS", "parent_body": "Pemerintah Kabupaten TTS", "address": "SoE",
        "city": "SoE", "signatory_name": "Yakobus Tefa", "signatory_title": "Kepala Dinas",
        "letter_number_pattern": "{seq:03d}/TTS/{year}"})
    assert response.status_code == 302, response.text
    db.session.expire_all()
    assert db.session.get(type(south.office), south.office.id).signatory_name == "Yakobus Tefa"


def test_a_regency_administrator_edits_only_its_own_offices_settings(app, client, login, two_offices):
    kupang, south = two_offices
    login(client, south.admin)
    assert client.get("/admin/offices/new").status_code == 404
    page = client.get("/admin/settings/").text
    assert "Dinas Koperasi Timor Tengah Selatan" in page
    assert client.get(f"/admin/settings/offices/{kupang.office.id}").status_code == 404


def test_a_province_administrator_manages_the_offices_under_it(app, client, login, two_offices, province_office):
    kupang, south = two_offices
    _office, _organiser, admin = province_office
    login(client, admin)
    listed = client.get("/admin/offices/").text
    assert kupang.office.office_name in listed and south.office.office_name in listed
    assert client.get(f"/admin/offices/{south.office.id}").status_code == 200


def test_an_events_invitations_guests_and_venues_stay_within_its_office(app, two_offices):
    from portal.errors import RuleViolation
    from portal.events import guest_lists
    from portal.events.models import Event
    from portal.invitations.selection import BY_HAND, Selection, chosen_cooperatives

    kupang, south = two_offices
    event = db.session.get(Event, kupang.ids["event_id"])
    everyone = set(db.session.scalars(chosen_cooperatives(event.id, Selection(), include_invited=True)))
    assert kupang.ids["cooperative_id"] in everyone and south.ids["cooperative_id"] not in everyone
    by_hand = Selection(mode=BY_HAND, cooperative_ids=[south.ids["cooperative_id"]])
    assert list(db.session.scalars(chosen_cooperatives(event.id, by_hand))) == []
    assert guest_lists.add_guest_cooperatives(kupang.organiser, event, [south.ids["cooperative_id"]]) == 0
    try:
        events.add_session(kupang.organiser, event, event.starts_on, time(13), time(15), south.ids["venue_id"])
    except RuleViolation as refusal:
        assert refusal.field == "venue_id"
    else:
        raise AssertionError("a venue of another office was accepted")


def test_a_board_sign_up_is_audited_in_its_cooperatives_office(app, two_offices):
    from portal.audit.models import AuditEntry
    from portal.cooperatives.services import register_board_member

    _kupang, south = two_offices
    cooperative = db.session.get(Cooperative, south.ids["cooperative_id"])
    register_board_member("Maria Tefa", "maria.tefa@example.org", None, "chair", cooperative.legal_number,
                          "correct-horse-42")
    db.session.commit()
    offices = set(db.session.scalars(sa.select(AuditEntry.office_id).where(
        AuditEntry.object_label.in_(["maria.tefa@example.org"]) | AuditEntry.actor_label.in_(
            ["maria.tefa@example.org"]))))
    assert offices == {south.office.id}


def test_a_regency_event_is_open_to_its_own_offices_cooperatives_only(app, two_offices, province_office):
    from portal.events.models import Event
    from portal.registrations.eligibility import audience_admits

    kupang, south = two_offices
    event = db.session.get(Event, kupang.ids["event_id"])
    assert audience_admits(event, db.session.get(Cooperative, kupang.ids["cooperative_id"]))
    assert not audience_admits(event, db.session.get(Cooperative, south.ids["cooperative_id"]))
    office, organiser, _admin = province_office
    event.office_id = office.id  # a province's event reaches the offices under it
    assert audience_admits(event, db.session.get(Cooperative, south.ids["cooperative_id"]))
    db.session.rollback()


def test_an_administrator_of_every_office_creates_staff_in_a_chosen_office(app, client, login, make_user,
                                                                           two_offices):
    from portal.accounts.models import User

    _kupang, south = two_offices
    login(client, make_user(Role.ADMIN, email="pusat@example.org", office=None))
    response = client.post("/admin/users/new", data={
        "full_name": "Staf TTS", "email": "staf.tts@example.org", "role": "organiser",
        "office_id": str(south.office.id), "password": "correct-horse-42"})
    assert response.status_code == 302, response.text
    assert db.session.scalar(sa.select(User.office_id).where(User.email == "staf.tts@example.org")) == south.office.id


def test_a_regency_administrators_new_staff_join_its_office(app, client, login, two_offices):
    from portal.accounts.models import User

    kupang, south = two_offices
    login(client, south.admin)
    assert "office_id" not in client.get("/admin/users/new").text
    client.post("/admin/users/new", data={"full_name": "Staf", "email": "staf@example.org", "role": "organiser",
                                          "office_id": str(kupang.office.id), "password": "correct-horse-42"})
    assert db.session.scalar(sa.select(User.office_id).where(User.email == "staf@example.org")) == south.office.id
