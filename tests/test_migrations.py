"""Migrations that move data, run on a database that holds data: SQLite in the run on SQLite,
PostgreSQL in the run with TEST_DATABASE_URL set."""

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BEFORE_LIFETIMES = "1b9f6e6c816e"


def _upgrade(url: str, revision: str = "head", **settings: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "PORTAL_ENV": "testing", "SECRET_KEY": "x", "FLASK_APP": "wsgi",
           **settings}
    done = subprocess.run([sys.executable, "-m", "flask", "db", "upgrade", revision], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path, worker_id):
    if request.param == "sqlite":
        if os.environ.get("TEST_DATABASE_URL"):
            pytest.skip("the run on SQLite migrates SQLite; the run on PostgreSQL migrates PostgreSQL")
        yield f"sqlite:///{tmp_path}/migrating.db"
        return
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL is not set")
    url = make_url(base)
    name = f"{url.database}_migrating_{worker_id}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_login_sessions_that_exist_are_last_seen_when_they_began(empty_database):
    _upgrade(empty_database, BEFORE_LIFETIMES)
    began = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    engine = sa.create_engine(empty_database)
    stamp = began.replace(tzinfo=None) if engine.dialect.name == "sqlite" else began
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO users (id, email, full_name, password_hash, role, preferred_language, is_active_account,"
            " created_at, password_changed_at) VALUES (1, 'siti@example.org', 'Siti', 'x', 'organiser', 'id', :yes,"
            " :at, :at)"), {"at": stamp, "yes": True})
        conn.execute(sa.text(
            "INSERT INTO login_sessions (token_hash, user_id, created_at, ended_at) VALUES"
            " ('a', 1, :at, NULL), ('b', 1, :at, :at)"), {"at": stamp})
    engine.dispose()

    _upgrade(empty_database)

    engine = sa.create_engine(empty_database)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT token_hash, created_at, last_seen_at, is_remembered FROM login_sessions ORDER BY token_hash"))
        rows = rows.all()
    engine.dispose()
    assert [(token, last_seen == created, bool(remembered)) for token, created, last_seen, remembered in rows] == [
        ("a", True, False), ("b", True, False)]


BEFORE_AUDIENCE_RULES = "16918c26e245"


def _flask(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "PORTAL_ENV": "testing", "SECRET_KEY": "x", "FLASK_APP": "wsgi"}
    done = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _audiences(url: str) -> dict:
    """Each event's (audience, status or None before the column, districts, types), by title."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        has_status = "audience_status" in {c["name"] for c in sa.inspect(conn).get_columns("events")}
        status = "audience_status" if has_status else "NULL"
        events = conn.execute(sa.text(f"SELECT id, title, audience, {status} FROM events")).all()
        districts = conn.execute(sa.text("SELECT a.event_id, d.name FROM event_audience_districts a "
                                         "JOIN districts d ON d.id = a.district_id")).all()
        types = conn.execute(sa.text("SELECT event_id, cooperative_type FROM event_audience_types")).all()
    engine.dispose()
    return {title: (audience, state, sorted(n for e, n in districts if e == id_),
                    sorted(t for e, t in types if e == id_)) for id_, title, audience, state in events}


def test_event_audiences_of_the_demo_data_keep_who_they_admit(empty_database):
    """The demo data, written in the old terms (by downgrading), upgraded: each event admits whom
    it did; a list left over under another audience (not in force) is dropped."""
    _upgrade(empty_database)
    _flask(empty_database, "seed-demo")
    _flask(empty_database, "db", "downgrade", BEFORE_AUDIENCE_RULES)
    old = _audiences(empty_database)
    amarasi = ["Amarasi", "Amarasi Barat", "Amarasi Selatan", "Amarasi Timur"]
    assert old["Pelatihan Promosi Produk dan Pemasaran Digital"] == ("districts", None, amarasi, [])
    assert old["Sosialisasi Akses Permodalan dan KUR bagi Koperasi"] == ("active_only", None, [], [])
    assert old["Pelatihan Aplikasi Akuntansi Koperasi"] == ("types", None, [], ["multi_purpose", "savings_and_loan"])
    assert old["Rapat Koordinasi Koperasi Simpan Pinjam"][0] == "guest_list"
    engine = sa.create_engine(empty_database)
    with engine.begin() as conn:  # a type list that the old active_only rule ignored
        conn.execute(sa.text("INSERT INTO event_audience_types (event_id, cooperative_type) SELECT id, 'consumer' "
                             "FROM events WHERE audience = 'active_only'"))
    engine.dispose()

    _upgrade(empty_database)

    new = _audiences(empty_database)
    assert new["Pelatihan Promosi Produk dan Pemasaran Digital"] == ("all", "any", amarasi, [])
    assert new["Sosialisasi Akses Permodalan dan KUR bagi Koperasi"] == ("all", "active", [], [])
    assert new["Pelatihan Aplikasi Akuntansi Koperasi"] == ("all", "any", [], ["multi_purpose", "savings_and_loan"])
    assert new["Rapat Koordinasi Koperasi Simpan Pinjam"] == ("guest_list", "any", [], [])
    assert {audience for audience, *_rest in new.values()} == {"all", "guest_list"}
    assert {title for title, (audience, state, d, t) in new.items() if (audience, state, d, t) == ("all", "any", [], [])
            } == {title for title, (audience, *_rest) in old.items() if audience == "all"}


BEFORE_SUBJECT_KEY = "371fdc5a6316"  # the revision before the outbox's subject key


def test_outbox_messages_keep_what_they_concern_as_a_kind(empty_database):
    _upgrade(empty_database, BEFORE_SUBJECT_KEY)
    at = datetime(2026, 11, 2, 1, 0)
    engine = sa.create_engine(empty_database)
    with engine.begin() as conn:
        for n, (kind, id_) in enumerate([("invitations", "7"), ("certificates", "3"), ("users", "1"), (None, None)]):
            conn.execute(sa.text(
                "INSERT INTO outbox_messages (message_id, recipient_email, subject, body_text, headers,"
                " deferred_attachments, template, concerns_type, concerns_id, status, attempts, next_attempt_at,"
                " created_at) VALUES (:mid, 'siti@example.org', 'Undangan', 'isi', '{}', '[]', 't', :kind, :id,"
                " 'queued', 0, :at, :at)"), {"mid": f"<{n}@example.org>", "kind": kind, "id": id_, "at": at})
        conn.execute(sa.text("INSERT INTO outbox_attachments (message_id, filename, content_type, data) VALUES"
                             " (1, 'event.ics', 'text/calendar', :data)"), {"data": b"BEGIN:VCALENDAR"})
    engine.dispose()

    _upgrade(empty_database)

    engine = sa.create_engine(empty_database)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT concerns_kind, concerns_id, snapshot, after_message_id FROM outbox_messages ORDER BY id")).all()
        attachments = conn.execute(sa.text("SELECT message_id, filename FROM outbox_attachments")).all()
    engine.dispose()
    assert [tuple(row) for row in attachments] == [(1, "event.ics")], "rebuilding the table keeps its attachments"
    assert [tuple(row) for row in rows] == [("invitation", "7", None, None), ("certificate", "3", None, None),
                                            ("user", "1", None, None), (None, None, None, None)]


def test_search_indexes_are_built_on_postgresql_only_and_the_schema_matches_the_models(empty_database):
    _upgrade(empty_database)
    _flask(empty_database, "db", "check")
    engine = sa.create_engine(empty_database)
    names = {index["name"] for index in sa.inspect(engine).get_indexes("cooperatives")}
    postgresql = engine.dialect.name == "postgresql"
    engine.dispose()
    search = {"ix_cooperatives_name_trgm", "ix_cooperatives_legal_number_key_prefix"}
    assert search <= names if postgresql else not search & names


def test_migrations_run_whatever_the_requests_database_timeouts(empty_database):
    """The statement and answer timeouts guard requests; a migration (an index over a national
    registry) may take minutes, so the migration connection lifts them."""
    _upgrade(empty_database, DATABASE_STATEMENT_TIMEOUT="0.001", DATABASE_ANSWER_TIMEOUT="0.001")


BEFORE_KEPT_MESSAGE_COUNTS = "64e9ed282045"


def test_invitations_sent_before_keep_the_counts_of_their_messages(empty_database):
    _upgrade(empty_database, BEFORE_KEPT_MESSAGE_COUNTS)
    at = datetime(2026, 11, 2, 1, 0)
    engine = sa.create_engine(empty_database)
    with engine.begin() as conn:
        event_id = _event_with_a_round(conn, at)
        for n, email in enumerate(["a@example.org", "b@example.org", "c@example.org"]):
            conn.execute(sa.text(
                "INSERT INTO invitations (event_id, round_id, organisation_name, email, token, created_at)"
                " VALUES (:event, 1, :name, :email, :token, :at)"),
                {"event": event_id, "name": f"Bank {n}", "email": email, "token": f"t{n}", "at": at})
        messages = [("1", "invitations/email/invitation_to_guest", "sent"),
                    ("1", "invitations/email/invitation_to_guest", "failed"),
                    ("1", "invitations/email/reminder_to_guest", "queued"),
                    ("2", "invitations/email/invitation_to_guest", "queued"),
                    ("2", "invitations/email/invitation_to_guest", "cancelled")]
        for n, (invitation_id, template, status) in enumerate(messages):
            conn.execute(sa.text(
                "INSERT INTO outbox_messages (message_id, recipient_email, subject, body_text, headers,"
                " deferred_attachments, template, concerns_kind, concerns_id, status, attempts, next_attempt_at,"
                " created_at) VALUES (:mid, 'siti@example.org', 'Undangan', 'isi', '{}', '[]', :template,"
                " 'invitation', :id, :status, 0, :at, :at)"),
                {"mid": f"<{n}@example.org>", "template": template, "id": invitation_id, "status": status, "at": at})
    engine.dispose()

    _upgrade(empty_database)

    engine = sa.create_engine(empty_database)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, messages_total, messages_sent, messages_pending, messages_failed"
                                    " FROM invitations ORDER BY id")).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [(1, 2, 1, 0, 1), (2, 2, 0, 1, 0), (3, 0, 0, 0, 0)]


def _event_with_a_round(conn, at) -> int:
    conn.execute(sa.text(
        "INSERT INTO events (id, kind, title, description, seats, starts_on, ends_on, audience, requires_approval,"
        " status, sequence, uid_token, created_at, updated_at, reminder_days, audience_status)"
        " VALUES (1, 'meeting', 'Rapat', '', 30, :day, :day, 'all', false, 'published', 0, 'uid1', :at, :at,"
        " '[]', 'any')"), {"day": at.date(), "at": at})
    conn.execute(sa.text(
        "INSERT INTO invitation_rounds (id, event_id, selection, cooperative_count, organisation_count,"
        " message_count, created_at) VALUES (1, 1, '{}', 0, 3, 3, :at)"), {"at": at})
    return 1


BEFORE_OFFICES = "c41d7e9a2b5f"


def test_the_settings_and_every_row_of_the_demo_data_move_into_the_first_office(empty_database):
    """The demo data, written in the old terms (by downgrading), upgraded: the settings row becomes
    the first office, which covers Kupang and holds every district, cooperative, event, staff
    account, audit entry and letter count; the schema then matches the models."""
    _upgrade(empty_database)
    _flask(empty_database, "seed-demo")
    _flask(empty_database, "db", "downgrade", BEFORE_OFFICES)
    engine = sa.create_engine(empty_database)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM office_settings"))
        conn.execute(sa.text(
            "INSERT INTO office_settings (id, office_name, parent_body, address, city, signatory_name, signatory_title,"
            " letter_number_pattern, updated_at) VALUES (1, 'Dinas Koperasi Kupang', 'Pemerintah Kabupaten Kupang',"
            " 'Oelamasi', 'Oelamasi', 'Yohana Nenobais', 'Kepala Dinas', '{seq}/KOP/{year}', :at)"),
            {"at": datetime(2026, 1, 1)})
        conn.execute(sa.text("DELETE FROM letter_sequences"))
        conn.execute(sa.text("INSERT INTO letter_sequences (year, last_number) VALUES (2026, 41)"))
        # The leader role came after offices: the old terms had no such account.
        conn.execute(sa.text("DELETE FROM users WHERE role = 'leader'"))
        counts = {table: conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
                  for table in ("districts", "cooperatives", "events", "audit_entries")}
        staff = conn.execute(sa.text("SELECT count(*) FROM users WHERE role IN ('admin', 'organiser')")).scalar()
    engine.dispose()
    assert counts["cooperatives"] == 401 and counts["districts"] == 24 and counts["events"] and staff

    _upgrade(empty_database)
    _flask(empty_database, "db", "check")

    engine = sa.create_engine(empty_database)
    with engine.connect() as conn:
        offices = conn.execute(sa.text("SELECT id, office_name, signatory_name, letter_number_pattern, timezone"
                                       " FROM offices")).all()
        (office_id, *_rest), = offices
        assert [tuple(row)[1:] for row in offices] == [
            ("Dinas Koperasi Kupang", "Yohana Nenobais", "{seq}/KOP/{year}", None)]
        assert conn.execute(sa.text(
            "SELECT r.name, p.name FROM office_regencies o JOIN regencies r ON r.id = o.regency_id"
            " JOIN provinces p ON p.id = r.province_id WHERE o.office_id = :o"), {"o": office_id}).all() == [
            ("Kabupaten Kupang", "Nusa Tenggara Timur")]
        assert conn.execute(sa.text("SELECT count(*) FROM districts d JOIN office_regencies o"
                                    " ON o.regency_id = d.regency_id")).scalar() == 24
        for table in ("cooperatives", "events", "audit_entries"):
            assert conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE office_id = :o"),
                                {"o": office_id}).scalar() == counts[table], table
        assert conn.execute(sa.text("SELECT role, office_id FROM users ORDER BY id")).all() == [
            ("admin", office_id), ("organiser", office_id), ("board", None), ("board", None)]
        assert conn.execute(sa.text("SELECT office_id, year, last_number FROM letter_sequences")).all() == [
            (office_id, 2026, 41)]
        assert "office_settings" not in sa.inspect(conn).get_table_names()
    engine.dispose()


BEFORE_SORT_NAMES = "83dbad853a9c"  # the revision before the invitations' sort key


def test_invitations_made_before_take_their_guests_name_as_their_sort_key(empty_database):
    _upgrade(empty_database, BEFORE_SORT_NAMES)
    at = datetime(2026, 11, 2, 1, 0)
    engine = sa.create_engine(empty_database)
    with engine.begin() as conn:
        office = conn.scalar(sa.text("SELECT min(id) FROM offices"))
        conn.execute(sa.text(
            "INSERT INTO cooperatives (id, name, legal_number, legal_number_key, type, district_id, status, created_at,"
            " updated_at, office_id) VALUES (1, 'KSP Cendana', 'AHU-1', 'AHU-1', 'savings_and_loan',"
            " (SELECT min(id) FROM districts), 'active', :at, :at, :office)"), {"at": at, "office": office})
        conn.execute(sa.text(
            "INSERT INTO events (id, kind, title, description, seats, starts_on, ends_on, audience, requires_approval,"
            " status, sequence, uid_token, created_at, updated_at, reminder_days, audience_status, office_id)"
            " VALUES (1, 'meeting', 'Rapat', '', 30, :day, :day, 'all', false, 'published', 0, 'uid1', :at, :at,"
            " '[]', 'any', :office)"), {"day": at.date(), "at": at, "office": office})
        conn.execute(sa.text(
            "INSERT INTO invitation_rounds (id, event_id, selection, cooperative_count, organisation_count,"
            " message_count, created_at) VALUES (1, 1, '{}', 1, 1, 2, :at)"), {"at": at})
        conn.execute(sa.text(
            "INSERT INTO invitations (event_id, round_id, cooperative_id, organisation_name, email, token, created_at)"
            " VALUES (1, 1, 1, NULL, NULL, 't1', :at), (1, 1, NULL, 'Bank NTT Oelamasi', 'bank@example.org', 't2',"
            " :at)"), {"at": at})
    engine.dispose()

    _upgrade(empty_database)

    engine = sa.create_engine(empty_database)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT token, sort_name FROM invitations ORDER BY token")).all()
        indexes = {index["name"] for index in sa.inspect(conn).get_indexes("invitations")}
    engine.dispose()
    assert [tuple(row) for row in rows] == [("t1", "ksp cendana"), ("t2", "bank ntt oelamasi")]
    assert "ix_invitations_event_sort_name" in indexes
