"""A national-size portal database on PostgreSQL, built with set-based SQL in minutes.

The schema comes from the migrations and the demo data (staff logins, Kupang's registry and
events) from ``flask seed-demo``; everything national is then added by ``INSERT … SELECT
generate_series``, never row by row through the ORM. ``ensure`` reuses a database that already
has the asked shape, so a second benchmark run starts at once.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent

NATIONAL = {"districts": 500, "cooperatives": 130_000, "events": 20_000, "registrations": 500_000,
            "invitations": 200_000, "outbox": 1_000_000, "big_registrations": 500, "big_invitations": 10_000}
# The demo data as it is: nothing added.
KUPANG = None

WORDS = ("Maju", "Sejahtera", "Makmur", "Bersama", "Karya", "Tani", "Nelayan", "Mandiri", "Sentosa", "Harapan",
         "Jaya", "Abadi", "Lestari", "Sumber", "Rezeki", "Mulia", "Usaha", "Tunas", "Baru", "Permai")


def _flask(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "PORTAL_ENV": "testing", "SECRET_KEY": "bench", "FLASK_APP": "wsgi"}
    done = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stderr}")


def create_database(url: str, drop: bool = False) -> bool:
    """Create the database if it is missing (or ``drop``); True when it was (re)created."""
    parsed = make_url(url)
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database})
        if exists and drop:
            conn.execute(sa.text(f'DROP DATABASE "{parsed.database}" WITH (FORCE)'))
            exists = False
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    return not exists


TABLES = {"districts": "districts", "cooperatives": "cooperatives", "events": "events",
          "registrations": "registrations", "invitations": "invitations", "outbox": "outbox_messages"}


def shape(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return shape_of(conn)
    except sa.exc.DBAPIError:
        return {}
    finally:
        engine.dispose()


def ensure(url: str, scale: dict | None, log=print) -> dict[str, int]:
    """The database at ``url`` migrated, with the demo data and (given ``scale``) national rows.
    A database already holding at least ``scale`` is reused as it is."""
    found = shape(url)
    if found and _fits(found, scale):
        log(f"  reusing {make_url(url).database}: {found}")
        _flask(url, "db", "upgrade")
        return found
    create_database(url, drop=bool(found))
    started = time.monotonic()
    _flask(url, "db", "upgrade")
    _flask(url, "seed-demo")
    if scale:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            grow(conn, scale, log)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
        engine.dispose()
    found = shape(url)
    log(f"  built {make_url(url).database} in {time.monotonic() - started:.0f} s: {found}")
    return found


def _fits(found: dict, scale: dict | None) -> bool:
    if scale is None:
        return found.get("cooperatives", 0) < 1000 and found.get("events", 0) > 0
    return all(found.get(key, 0) >= scale[key] for key in found)


def grow(conn, scale: dict, log=print) -> None:
    """Add national rows to a database holding the demo data, in a handful of statements."""
    def run(label: str, sql: str, **params):
        started = time.monotonic()
        conn.execute(sa.text(sql), params)
        log(f"    {label}: {time.monotonic() - started:.1f} s")

    conn.execute(sa.text("SELECT setseed(0.22)"))
    organiser = conn.scalar(sa.text("SELECT id FROM users WHERE role = 'organiser' ORDER BY id LIMIT 1"))
    have = shape_of(conn)
    districts = max(scale["districts"] - have["districts"], 0)
    run("regencies", """
        INSERT INTO regencies (name, province_id)
        SELECT 'Kabupaten ' || r, (SELECT min(id) FROM provinces) FROM generate_series(1, :n / 7 + 1) r
        ON CONFLICT DO NOTHING""", n=districts)
    run("offices' regencies", """
        INSERT INTO office_regencies (office_id, regency_id)
        SELECT (SELECT min(id) FROM offices), id FROM regencies ON CONFLICT DO NOTHING""")
    run("districts", """
        INSERT INTO districts (name, regency_id)
        SELECT 'Kecamatan ' || i, r.id FROM generate_series(1, :n) i
        JOIN regencies r ON r.name = 'Kabupaten ' || (1 + i / 7)""", n=districts)
    run("venues", """
        INSERT INTO venues (name, address, district_id, created_at)
        SELECT 'Aula ' || d.name, 'Jl. Koperasi ' || d.id, d.id, now() FROM districts d
        WHERE NOT EXISTS (SELECT 1 FROM venues v WHERE v.district_id = d.id)""")
    run("cooperatives", """
        WITH d AS (SELECT array_agg(id ORDER BY id) AS ids FROM districts),
             w AS (SELECT CAST(:words AS text[]) AS words)
        INSERT INTO cooperatives (name, legal_number, legal_number_key, type, district_id, village, member_count,
                                  last_rat_year, email, phone, status, status_date, created_at, updated_at, office_id)
        SELECT 'Koperasi ' || w.words[1 + i % 20] || ' ' || w.words[1 + (i / 20) % 20] || ' '
                   || initcap(translate(substr(md5((i % 997)::text), 1, 7), '0123456789', 'aiueoaiueo')) || ' ' || i,
               'AHU-' || lpad(i::text, 7, '0') || '.AH.01.26 TAHUN ' || (1995 + i % 30),
               'AHU-' || lpad(i::text, 7, '0') || '.AH.01.26TAHUN' || (1995 + i % 30),
               (ARRAY['savings_and_loan','consumer','producer','marketing','services','multi_purpose'])[1 + i % 6],
               d.ids[1 + i % array_length(d.ids, 1)], 'Desa ' || (i % 997), 20 + i % 480, 2015 + i % 11,
               'koperasi' || i || '@example.id', '+62812' || lpad(i::text, 7, '0'),
               CASE WHEN random() < 0.4 THEN 'active' ELSE 'inactive' END, current_date - (i % 900), now(), now(),
               (SELECT min(id) FROM offices)
        FROM generate_series(1, :n) i, d, w""",
        n=max(scale["cooperatives"] - have["cooperatives"], 0), words=list(WORDS))
    run("events", """
        INSERT INTO events (kind, program_area, title, description, facilitator, seats, starts_on, ends_on, audience,
                            audience_status, requires_approval, reminder_days, status, sequence, uid_token,
                            created_by_id, published_at, created_at, updated_at, office_id)
        SELECT CASE WHEN i % 3 = 0 THEN 'meeting' ELSE 'training' END,
               CASE WHEN i % 3 = 0 THEN NULL
                    ELSE (ARRAY['promotion','business_network','capital','technology','hr_training'])[1 + i % 5] END,
               (CASE WHEN i % 3 = 0 THEN 'Rapat koordinasi ' ELSE 'Pelatihan ' END) || 'nasional ' || i,
               'Kegiatan pembinaan koperasi nomor ' || i || '.', 'Narasumber ' || (i % 50), 1000,
               current_date - 730 + (i * 1095 / :n), current_date - 730 + (i * 1095 / :n) + (i % 10 = 0)::int * 2,
               'all', 'any', false, '[]', CASE WHEN i % 40 = 0 THEN 'cancelled' ELSE 'published' END, 0,
               'bench' || lpad(i::text, 12, '0'), :organiser, now(), now(), now(), (SELECT min(id) FROM offices)
        FROM generate_series(1, :n) i""",
        n=max(scale["events"] - have["events"], 0), organiser=organiser)
    run("sessions", """
        WITH v AS (SELECT array_agg(id ORDER BY id) AS ids FROM venues)
        INSERT INTO event_sessions (event_id, starts_at, ends_at, venue_id, uid, sequence)
        SELECT e.id, ((e.starts_on + day) + time '01:00') AT TIME ZONE 'UTC',
               ((e.starts_on + day) + time '08:00') AT TIME ZONE 'UTC',
               v.ids[1 + e.id % array_length(v.ids, 1)], 'bench' || e.id || '-' || day, 0
        FROM events e CROSS JOIN LATERAL generate_series(0, e.ends_on - e.starts_on) day, v
        WHERE e.uid_token LIKE 'bench%'""")
    big = conn.scalar(sa.text("""SELECT id FROM events WHERE uid_token LIKE 'bench%' AND status = 'published'
                                 AND starts_on >= current_date + 30 ORDER BY starts_on, id LIMIT 1"""))
    conn.execute(sa.text("CREATE TEMP TABLE bench_events AS SELECT array_agg(id ORDER BY id) AS ids FROM events"
                         " WHERE uid_token LIKE 'bench%' AND id <> :big"), {"big": big})
    conn.execute(sa.text("CREATE TEMP TABLE bench_coops AS SELECT min(id) AS first, count(*) AS n FROM cooperatives"))
    run("participants and registrations", """
        WITH e AS (SELECT ids FROM bench_events), c AS (SELECT first, n FROM bench_coops),
        p AS (
            INSERT INTO participants (cooperative_id, full_name, position, email, created_at)
            SELECT c.first + (i * 7) % c.n, 'Peserta ' || i, 'staff', 'peserta' || i || '@example.id', now()
            FROM generate_series(1, :n) i, c
            RETURNING id, cooperative_id)
        INSERT INTO registrations (event_id, participant_id, cooperative_id, status, token, check_in_code, created_at,
                                   confirmed_at, updated_at)
        SELECT CASE WHEN row_number() OVER (ORDER BY p.id) <= :big_n THEN :big
                    ELSE e.ids[1 + p.id % array_length(e.ids, 1)] END,
               p.id, p.cooperative_id, CASE WHEN p.id % 25 = 0 THEN 'cancelled' ELSE 'confirmed' END,
               md5(p.id::text || 'ticket') || md5(p.id::text), lpad((p.id % 1000000)::text, 6, '0'), now(), now(), now()
        FROM p, e""",
        n=max(scale["registrations"] - have["registrations"], 0), big=big, big_n=scale["big_registrations"])
    others = -(-max(scale["invitations"] - have["invitations"] - scale["big_invitations"], 0) // 100)
    run("invitation rounds and invitations", """
        WITH e AS (SELECT ids FROM bench_events), c AS (SELECT first, n FROM bench_coops),
        r AS (
            INSERT INTO invitation_rounds (event_id, sent_by_id, selection, cooperative_count, organisation_count,
                                           message_count, created_at)
            SELECT CASE WHEN k = 0 THEN :big ELSE e.ids[1 + (k * 7) % array_length(e.ids, 1)] END, :organiser,
                   '{}', CASE WHEN k = 0 THEN :big_n ELSE 100 END, 0, CASE WHEN k = 0 THEN :big_n ELSE 100 END, now()
            FROM generate_series(0, :others) k, e
            RETURNING id, event_id, cooperative_count)
        INSERT INTO invitations (event_id, round_id, cooperative_id, sort_name, token, answer, answered_at,
                                 created_at)
        SELECT r.event_id, r.id, k.id, lower(k.name), md5(r.id || '-' || j || 'invitation'),
               a.answer, CASE WHEN a.answer IS NULL THEN NULL ELSE now() END, now()
        FROM r CROSS JOIN LATERAL generate_series(1, r.cooperative_count) j, c,
             LATERAL (SELECT id, name FROM cooperatives WHERE id = c.first + (r.event_id * 7919 + j) % c.n) k,
             LATERAL (SELECT CASE WHEN j % 10 < 3 THEN 'accepted' WHEN j % 10 = 3 THEN 'declined' END AS answer) a""",
        big=big, big_n=scale["big_invitations"], others=others, organiser=organiser)
    run("outbox", """
        WITH inv AS (SELECT min(id) AS first, count(*) AS n FROM invitations),
             reg AS (SELECT min(id) AS first, count(*) AS n FROM registrations)
        INSERT INTO outbox_messages (message_id, recipient_email, recipient_name, subject, body_text, headers,
                                     deferred_attachments, template, concerns_kind, concerns_id, status, attempts,
                                     next_attempt_at, last_error, created_at, sent_at, office_id)
        SELECT '<bench-' || i || '@portal-koperasi>', 'penerima' || (i % 150000) || '@example.id', 'Penerima ' || i,
               'Undangan kegiatan koperasi ' || (i % 20000), 'Yth. pengurus koperasi, dengan hormat kami mengundang.',
               '{}', '[]',
               CASE WHEN i % 5 = 0 THEN 'invitations/email/invitation_to_guest'
                    ELSE 'registrations/email/confirmation_to_participant' END,
               CASE WHEN i % 5 = 0 THEN 'invitation' ELSE 'registration' END,
               CASE WHEN i % 5 = 0 THEN (inv.first + (i / 5) % inv.n)::text ELSE (reg.first + i % reg.n)::text END,
               CASE WHEN i % 50 = 1 THEN 'queued' WHEN i % 50 = 2 THEN 'failed' ELSE 'sent' END,
               CASE WHEN i % 50 = 1 THEN 0 ELSE 1 END, now() - make_interval(secs => i),
               CASE WHEN i % 50 = 2 THEN '550 mailbox unavailable' END, now() - make_interval(secs => i),
               CASE WHEN i % 50 > 2 THEN now() - make_interval(secs => i) END, (SELECT min(id) FROM offices)
        FROM generate_series(1, :n) i, inv, reg""",
        n=max(scale["outbox"] - have["outbox"], 0))
    run("invitations' message counts", """
        UPDATE invitations SET messages_total = m.total, messages_sent = m.sent, messages_pending = m.pending,
                               messages_failed = m.failed
        FROM (SELECT concerns_id::int AS id, count(*) AS total, count(*) FILTER (WHERE status = 'sent') AS sent,
                     count(*) FILTER (WHERE status IN ('queued', 'sending')) AS pending,
                     count(*) FILTER (WHERE status = 'failed') AS failed
              FROM outbox_messages WHERE concerns_kind = 'invitation'
                AND template = 'invitations/email/invitation_to_guest' GROUP BY concerns_id) m
        WHERE invitations.id = m.id""")


def shape_of(conn) -> dict[str, int]:
    return {key: conn.scalar(sa.text(f"SELECT count(*) FROM {table}"))  # noqa: S608 - our own table names
            for key, table in TABLES.items()}
