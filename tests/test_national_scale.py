"""National scale: search through indexes, counts that stop at a limit, bounded calendar feeds."""

from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from portal.accounts.models import Role
from portal.cooperatives import services
from portal.cooperatives.models import CooperativeStatus, District
from portal.events import queries
from portal.events import services as events
from portal.events.models import EventStatus
from portal.extensions import db


def test_legal_number_search_ignores_spaces_and_case(client, logged_in, make_cooperative):
    logged_in(Role.ORGANISER)
    make_cooperative(name="KSP Cendana", legal_number="AHU-0012345.AH.01.26 TAHUN 2019")
    make_cooperative(name="KSU Lontar", legal_number="AHU-0099999.AH.01.26 TAHUN 2019")
    found = client.get("/cooperatives/?q=ahu - 0012345.ah.01.26tahun 2019").text
    assert "KSP Cendana" in found and "KSU Lontar" not in found
    both = client.get("/cooperatives/?q=AHU-00").text
    assert "KSP Cendana" in both and "KSU Lontar" in both


def test_name_search_finds_any_part_of_a_name_in_any_case(app, make_cooperative):
    make_cooperative(name="Koperasi Tani Makmur Oebelo")
    make_cooperative(name="KSP Cendana")
    names = [c.name for c in db.session.scalars(services.directory_query(search="makmur oeb"))]
    assert names == ["Koperasi Tani Makmur Oebelo"]


@pytest.mark.postgres
def test_directory_search_goes_through_indexes_on_postgresql(app, make_cooperative):
    make_cooperative(name="Koperasi Tani Makmur Oebelo")
    query = sa.select(sa.func.count()).select_from(
        services.directory_query(search="Oebelo").order_by(None).subquery())
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    db.session.execute(sa.text("SET LOCAL enable_indexscan = off"))  # a tiny table is cheapest read whole
    plan = "\n".join(db.session.scalars(sa.text("EXPLAIN " + str(compiled).replace("%%", "%"))))
    assert "ix_cooperatives_name_trgm" in plan and "ix_cooperatives_legal_number_key_prefix" in plan, plan


@pytest.mark.app_config(COUNT_LIMIT=5)
def test_directory_counts_stop_at_the_count_limit_and_say_more_than(client, logged_in, make_cooperative,
                                                                    count_queries):
    logged_in(Role.ORGANISER)
    for n in range(7):
        make_cooperative(name=f"KSP Hitung {n}")
    make_cooperative(name="KSU Sendiri", status=CooperativeStatus.INACTIVE)
    with count_queries() as statements:
        page = client.get("/cooperatives/").text
    badges = page[page.index('data-testid="status-counts"'):page.index('<form method="get"')]
    assert badges.count("lebih dari 5") == 2 and ">1</div>" in badges  # all and active; inactive exact
    assert "lebih dari 5 koperasi" in page.lower()
    counting = [s for s in statements if "count(" in s.lower() and "FROM cooperatives" in s]
    assert counting and all("LIMIT" in s.upper() for s in counting), counting
    assert "KSP Hitung 0" in client.get("/cooperatives/?q=hitung").text


def test_directory_counts_below_the_limit_are_exact(client, logged_in, make_cooperative):
    logged_in(Role.ORGANISER)
    make_cooperative(name="KSP Cendana")
    make_cooperative(name="KSU Lontar", status=CooperativeStatus.INACTIVE)
    assert services.status_counts() == {"all": 2, "active": 1, "inactive": 1}
    assert services.status_counts(search="lontar") == {"all": 1, "active": 0, "inactive": 1}


def _feed_titles(response) -> list[str]:
    return [str(entry["SUMMARY"]) for entry in Calendar.from_ical(response.data).walk("VEVENT")]


def _published(make_event, title, days_from_today, **kwargs):
    day = date.today() + timedelta(days=days_from_today)
    return make_event(title=title, status=EventStatus.PUBLISHED, sessions=[(day, time(9), time(12))], **kwargs)


def test_feed_covers_ninety_days_back_and_a_year_ahead(client, make_event):
    for title, days in (("Lewat 100", -100), ("Lewat 80", -80), ("Depan 300", 300), ("Depan 400", 400)):
        _published(make_event, title, days)
    response = client.get("/events.ics")
    assert "Content-Length" not in response.headers, "written from a generator"
    assert sorted(_feed_titles(response)) == ["Depan 300", "Lewat 80"]


def test_a_window_within_the_limit_is_kept_whole():
    today = date(2026, 12, 1)
    window = (today - timedelta(days=90), today + timedelta(days=365))
    days = [(today - timedelta(days=30), 2), (today + timedelta(days=200), 3)]
    assert queries.drawn_in(days, window, today, limit=5) == window


def test_a_crowded_window_is_drawn_in_to_the_coming_days_first_and_a_quarter_for_the_past():
    today = date(2026, 12, 1)
    window = (today - timedelta(days=90), today + timedelta(days=365))
    days = [(today + timedelta(days=n), 10) for n in range(0, 30)] + [
        (today - timedelta(days=n), 10) for n in range(1, 30)]
    first, last = queries.drawn_in(days, window, today, limit=100)
    # 75 of 100 for the coming days: 70 fit, whole days; the past gets the 30 left
    assert (first, last) == (today - timedelta(days=3), today + timedelta(days=6))
    quiet_past = [(today - timedelta(days=1), 5)] + days[:30]
    assert queries.drawn_in(quiet_past, window, today, limit=100) == (today - timedelta(days=1),
                                                                        today + timedelta(days=8))
    assert queries.drawn_in([(today, 500), (today + timedelta(days=1), 1)], window, today,
                            limit=100) == (today, today), "today is always whole"


@pytest.mark.app_config(FEED_MAX_SESSIONS=4)
def test_a_feed_of_more_sessions_than_the_limit_keeps_the_coming_ones_first(client, make_event):
    from portal.events.services import local_today

    today = local_today()
    for title, days in (("Lewat 10", -10), ("Lewat 5", -5), ("Depan 1", 1), ("Depan 2", 2), ("Depan 3", 3),
                        ("Depan 40", 40)):
        make_event(title=title, status=EventStatus.PUBLISHED,
                   sessions=[(today + timedelta(days=days), time(9), time(12))])
    response = client.get("/events.ics")
    assert sorted(_feed_titles(response)) == ["Depan 1", "Depan 2", "Depan 3", "Lewat 5"]


def test_the_feed_link_follows_the_district_chosen(client, make_event, make_venue):
    semau = db.session.scalar(sa.select(District).where(District.name == "Semau"))
    _published(make_event, "Rapat di Semau", 5, venue=make_venue(name="Aula Semau", district_name=semau.name))
    page = client.get(f"/events?district={semau.id}").text
    assert f'href="/events.ics?district={semau.id}"' in page
    assert 'href="/events.ics"' in client.get("/events").text
    feed = client.get(f"/events.ics?district={semau.id}")
    assert _feed_titles(feed) == ["Rapat di Semau"]


@pytest.mark.app_config(FEED_VERSION_SECONDS=0)
def test_feed_answers_304_to_its_etag_until_an_event_changes(client, make_event):
    event = _published(make_event, "Rapat Koordinasi", 10)
    first = client.get("/events.ics")
    assert first.status_code == 200 and first.headers["ETag"] and b"Rapat Koordinasi" in first.data
    again = client.get("/events.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    events.reschedule_session(None, event, event.sessions[0], date.today() + timedelta(days=10), time(10), time(13),
                              event.sessions[0].venue_id)
    db.session.commit()
    changed = client.get("/events.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


def test_month_calendar_leads_no_further_than_its_window(client):
    from portal.events.services import local_today

    today = local_today()  # the office's day: past 16.00 UTC it is already tomorrow in WITA
    last, first = today + timedelta(days=365), today - timedelta(days=90)
    at_the_end = client.get(f"/events/calendar?month={last:%Y-%m}").text
    assert 'data-testid="next-month"' not in at_the_end and 'data-testid="previous-month"' in at_the_end
    at_the_start = client.get(f"/events/calendar?month={first:%Y-%m}").text
    assert 'data-testid="previous-month"' not in at_the_start and 'data-testid="next-month"' in at_the_start
    now = client.get("/events/calendar").text
    assert 'data-testid="previous-month"' in now and 'data-testid="next-month"' in now


def test_month_calendar_shows_a_few_sessions_a_day_and_links_the_rest(client, make_event):
    for n in range(5):
        _published(make_event, f"Pelatihan Hari Sibuk {n}", 3)
    day = date.today() + timedelta(days=3)
    page = client.get(f"/events/calendar?month={day:%Y-%m}").text
    grid = page[page.index('data-testid="calendar-grid"'):]
    assert grid.count("Pelatihan Hari Sibuk") == 3
    assert "+2" in grid


@pytest.mark.app_config(DISTRICT_SELECT_LIMIT=5)
def test_event_list_filters_districts_by_name_when_there_are_many(client, make_event, make_venue):
    semau = db.session.scalar(sa.select(District).where(District.name == "Semau"))
    _published(make_event, "Rapat di Semau", 5, venue=make_venue(name="Aula Semau", district_name=semau.name))
    _published(make_event, "Rapat di Takari", 5, venue=make_venue(name="Aula Takari", district_name="Takari"))
    page = client.get("/events").text
    assert "<select" not in page[page.index('name="district"') - 200:page.index('name="district"')]
    found = client.get("/events?district=semau").text
    assert "Rapat di Semau" in found and "Rapat di Takari" not in found
    assert "Rapat di Semau" in client.get(f"/events?district={semau.id}").text


def test_the_event_list_starts_with_the_events_under_way_and_leaves_out_those_ended(client, make_event):
    from portal.events.services import local_today

    today = local_today()
    for title, first, last in (("Sudah Selesai", -10, -1), ("Berlangsung Lama", -40, 30),
                               ("Sedang Berlangsung", -5, 3), ("Akan Datang", 2, 2)):
        make_event(title=title, status=EventStatus.PUBLISHED,
                   sessions=[(today + timedelta(days=day), time(9), time(12)) for day in {first, last}])
    page = client.get("/events").text
    assert "Sudah Selesai" not in page
    shown = [page.index(title) for title in ("Berlangsung Lama", "Sedang Berlangsung", "Akan Datang")]
    assert shown == sorted(shown)


@pytest.mark.postgres
@pytest.mark.parametrize("filters", [{}, {"office_id": 1}])
def test_the_event_list_walks_an_index_from_the_events_under_way_on_postgresql(app, make_event, filters):
    """Also in the generic plan PostgreSQL may keep for a prepared statement, where the values
    are unknown: the statuses are written into the statement, so the partial index applies."""
    from sqlalchemy.dialects.postgresql import asyncpg

    from portal.events.queries import upcoming_query

    _published(make_event, "Rapat Koordinasi", 5)
    compiled = upcoming_query(**filters).limit(25).compile(dialect=asyncpg.dialect())  # $1, $2, ...
    values = [compiled.params[name] for name in compiled.positiontup]
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    db.session.execute(sa.text("SET LOCAL enable_sort = off"))
    db.session.execute(sa.text("SET LOCAL plan_cache_mode = force_generic_plan"))
    db.session.execute(sa.text(f"PREPARE listed AS {compiled}"))
    try:
        arguments = ", ".join(f"'{value}'" for value in values)
        plan = "\n".join(db.session.scalars(sa.text(f"EXPLAIN EXECUTE listed({arguments})")))
    finally:
        db.session.rollback()  # a failed EXPLAIN leaves the transaction aborted
        db.session.execute(sa.text("DEALLOCATE listed"))
    assert "ix_events_days" in plan and ("ix_events_visible_starts_on" in plan or filters), plan


def test_event_list_counts_no_further_than_the_limit(client, make_event, count_queries):
    _published(make_event, "Rapat Koordinasi", 5)
    with count_queries() as statements:
        assert "Rapat Koordinasi" in client.get("/events").text
    counting = [s for s in statements if "count(" in s.lower() and "FROM events" in s]
    assert counting and all("LIMIT" in s.upper() for s in counting), counting


def test_feed_is_kept_and_served_again_without_reading_the_events(client, make_event, count_queries):
    _published(make_event, "Rapat Koordinasi", 10)
    first = client.get("/events.ics").data
    with count_queries() as statements:
        again = client.get("/events.ics").data
    assert again == first and b"Rapat Koordinasi" in again
    assert not any(s.lstrip().startswith("SELECT events.id") for s in statements), statements


@pytest.mark.app_config(DISTRICT_SELECT_LIMIT=5)
def test_directory_filters_districts_by_name_when_there_are_many(client, logged_in, make_cooperative):
    logged_in(Role.ORGANISER)
    make_cooperative(name="KSP Cendana", district="Semau")
    make_cooperative(name="KSU Lontar", district="Takari")
    page = client.get("/cooperatives/").text
    assert "Semau</option>" not in page
    found = client.get("/cooperatives/?district=SEMAU").text
    assert "KSP Cendana" in found and "KSU Lontar" not in found
    assert "KSP Cendana" not in client.get("/cooperatives/?district=Semau Utara").text


@pytest.mark.app_config(DISTRICT_SELECT_LIMIT=5)
def test_invitations_tab_filters_districts_by_name_when_there_are_many(client, logged_in, make_event,
                                                                       make_guest_cooperative):
    from portal.invitations import services as invitations
    from portal.invitations.selection import BY_HAND, Selection

    organiser = logged_in(Role.ORGANISER)
    event = _published(make_event, "Rapat Koordinasi", 10)
    semau, takari = (make_guest_cooperative(name="KSP Semau Jaya", district_name="Semau"),
                     make_guest_cooperative(name="KSP Takari Jaya", district_name="Takari"))
    invitations.send_invitations(organiser, event, Selection(mode=BY_HAND, cooperative_ids=[semau.id, takari.id]))
    db.session.commit()
    page = client.get(f"/organiser/events/{event.id}/invitations").text
    assert "Semau</option>" not in page and 'name="district_id"' in page
    found = client.get(f"/organiser/events/{event.id}/invitations?district_id=semau").text
    assert "KSP Semau Jaya" in found and "KSP Takari Jaya" not in found


@pytest.mark.app_config(COUNT_LIMIT=3)
def test_email_page_counts_stop_at_the_count_limit(client, logged_in, count_queries):
    from portal.mail.models import MessageStatus, OutboxMessage

    logged_in(Role.ORGANISER)
    for n in range(5):
        db.session.add(OutboxMessage(message_id=f"<{n}@example.org>", recipient_email=f"siti{n}@example.org",
                                     subject="Undangan", body_text="isi", template="t", status=MessageStatus.SENT))
    db.session.add(OutboxMessage(message_id="<gagal@example.org>", recipient_email="yohanes@example.org",
                                 subject="Undangan", body_text="isi", template="t", status=MessageStatus.FAILED))
    db.session.commit()
    with count_queries() as statements:
        page = client.get("/email/").text
    assert "lebih dari 3" in page and "siti0@example.org" in page
    counting = [s for s in statements if "count(" in s.lower() and "FROM outbox_messages" in s
                and "attempts" not in s]  # the navigation's trouble badge counts failures of a week
    assert counting and all("LIMIT" in s.upper() for s in counting), counting


@pytest.mark.postgres
def test_email_page_and_the_staff_badge_read_the_outbox_through_indexes(app):
    from portal.mail import services as mail
    from portal.mail.models import MessageStatus, OutboxMessage
    from portal.mail.queries import FAILED_WINDOW, RETRYING_FOR

    def plan(query) -> str:
        compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
        db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        return "\n".join(db.session.scalars(sa.text("EXPLAIN " + str(compiled).replace("%%", "%"))))

    db.session.execute(sa.insert(OutboxMessage), [
        {"message_id": f"<{n}@example.org>", "recipient_email": "siti@example.org", "subject": "Undangan",
         "body_text": "isi", "template": "t", "headers": {}, "deferred_attachments": [], "status": MessageStatus.QUEUED,
         "attempts": 1 if n % 100 == 0 else 0} for n in range(2000)])
    db.session.commit()
    db.session.execute(sa.text("ANALYZE outbox_messages"))
    assert "ix_outbox_messages_created" in plan(mail.outbox_query().limit(25))
    now = sa.func.now()
    retrying = sa.select(sa.func.count()).where(OutboxMessage.status == MessageStatus.QUEUED,
                                                OutboxMessage.attempts > 0,
                                                OutboxMessage.created_at <= now - RETRYING_FOR)
    assert "ix_outbox_messages_retrying" in plan(retrying)
    assert FAILED_WINDOW


@pytest.mark.app_config(COUNT_LIMIT=3)
def test_staff_badge_counts_failing_mail_no_further_than_the_limit(client, logged_in, count_queries):
    from portal.mail.models import MessageStatus, OutboxMessage

    logged_in(Role.ORGANISER)
    for n in range(5):
        db.session.add(OutboxMessage(message_id=f"<gagal{n}@example.org>", recipient_email=f"siti{n}@example.org",
                                     subject="Undangan", body_text="isi", template="t", status=MessageStatus.FAILED))
    db.session.commit()
    with count_queries() as statements:
        page = client.get("/events/calendar").text
    badge = page[page.index("data-mail-trouble"):]
    assert "lebih dari 3" in badge[:badge.index("</a>")]
    counting = [s for s in statements if "count(" in s.lower() and "FROM outbox_messages" in s]
    assert counting and all("LIMIT" in s.upper() for s in counting), counting


def test_month_calendar_is_rendered_once_and_kept_until_an_event_of_the_month_changes(client, make_event,
                                                                                    count_queries):
    event = _published(make_event, "Pelatihan Bulan Ini", 3)
    month = f"{date.today() + timedelta(days=3):%Y-%m}"
    first = client.get(f"/events/calendar?month={month}").text
    with count_queries() as statements:
        again = client.get(f"/events/calendar?month={month}").text
    assert again == first and "Pelatihan Bulan Ini" in again
    assert not [s for s in statements if "FROM event_sessions JOIN" in s or "event_sessions.venue_id" in s], \
        "the month's sessions are not read again"
    event.title = "Pelatihan Berganti Nama"
    db.session.commit()
    changed = client.get(f"/events/calendar?month={month}").text
    assert "Pelatihan Berganti Nama" in changed and "Pelatihan Bulan Ini" not in changed


def test_feed_version_is_reused_for_a_while_so_a_poll_reads_no_events(client, make_event, count_queries):
    _published(make_event, "Rapat Koordinasi", 10)
    first = client.get("/events.ics")
    body = first.data  # read whole (the feed is written as it is read), so its copy is kept
    with count_queries() as statements:
        again = client.get("/events.ics", headers={"If-None-Match": first.headers["ETag"]})
        whole = client.get("/events.ics")
    assert again.status_code == 304 and whole.data == body
    assert not [s for s in statements if "FROM events" in s or "event_sessions" in s], statements


def test_feed_kept_is_sent_gzipped_to_a_calendar_app_that_accepts_it(client, make_event):
    import gzip

    _published(make_event, "Rapat Koordinasi", 10)
    plain = client.get("/events.ics").data
    zipped = client.get("/events.ics", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain
    assert client.get("/events.ics", headers={"Accept-Encoding": "identity"}).data == plain


def test_pages_read_the_office_without_its_images(client, make_event, count_queries):
    """An office's logo, signature and stamp (up to a megabyte each) are read where printed or
    shown, not with the office every page loads for its name and zone."""
    _published(make_event, "Rapat Koordinasi", 5)
    with count_queries() as statements:
        assert "Rapat Koordinasi" in client.get("/events").text
    reading_offices = [s for s in statements if "FROM offices" in s]
    images = ("offices.logo,", "offices.logo ", "offices.signature_image", "offices.stamp_image")
    assert reading_offices and not [s for s in reading_offices if any(column in s for column in images)]
