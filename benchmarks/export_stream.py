"""Time to first byte and worker growth of the registrations and attendance exports at 50,000 rows.

    python -m benchmarks.export_stream [--rows 50000] [--postgres URL] [--source DIR]

Builds (or reuses) a PostgreSQL database with the demo data and ``rows`` more confirmed
registrations for one demo event, added by one ``INSERT … SELECT generate_series``. Then, for each
export (registrations and attendance, CSV and XLSX), a fresh Python process creates the app from
``--source`` (a checkout of the portal, this one by default: point it at an exported ``main`` to
measure before), logs the demo organiser in through the test client, and asks for the export
unbuffered: seconds to the first chunk and to the last, the size, and how much the process's
peak resident memory (VmHWM, reset just before the request) grew over its memory before it.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from benchmarks.national import organiser_email, portal_env
from benchmarks.national_data import _flask, create_database

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/portal_export_bench"
MARK = "export-bench"

MEASURE = r"""
import json, sys, time
from portal import create_app

def status(name):
    for line in open("/proc/self/status"):
        if line.startswith(name):
            return int(line.split()[1]) // 1024

app = create_app({"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
client = app.test_client()
answer = client.post("/login", data={"email": sys.argv[1], "password": "demo12345"})
assert answer.status_code == 302, answer.status_code
client.get("/organiser/events")
open("/proc/self/clear_refs", "w").write("5")  # VmHWM from here
before = status("VmRSS:")
started = time.perf_counter()
response = client.get(sys.argv[2], buffered=False)
chunks = iter(response.response)
size = len(next(chunks))
first = time.perf_counter() - started
size += sum(len(chunk) for chunk in chunks)
response.close()
print(json.dumps({"status": response.status_code, "first_byte_s": round(first, 3),
                  "total_s": round(time.perf_counter() - started, 3), "bytes": size,
                  "rss_before_mb": before, "growth_mb": status("VmHWM:") - before}))
"""


def ensure(url: str, rows: int) -> int:
    """The event carrying the extra registrations, building the database when it lacks them."""
    if create_database(url):
        _flask(url, "db", "upgrade")
        _flask(url, "seed-demo")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        event = conn.scalar(sa.text("""SELECT e.id FROM events e JOIN event_sessions s ON s.event_id = e.id
                                       WHERE e.status = 'published' GROUP BY e.id ORDER BY count(*) DESC, e.id
                                       LIMIT 1"""))
        have = conn.scalar(sa.text("SELECT count(*) FROM participants WHERE email LIKE :m"), {"m": f"%@{MARK}.id"})
        if have < rows:
            conn.execute(sa.text("""
                WITH c AS (SELECT min(id) AS first, count(*) AS n FROM cooperatives),
                p AS (
                    INSERT INTO participants (cooperative_id, full_name, position, email, phone, created_at)
                    SELECT c.first + (i * 7) % c.n, 'Peserta Ekspor ' || i, 'staff', 'p' || i || :domain,
                           '0812' || lpad(i::text, 8, '0'), now()
                    FROM generate_series(:start, :stop) i, c
                    RETURNING id, cooperative_id)
                INSERT INTO registrations (event_id, participant_id, cooperative_id, status, token, check_in_code,
                                           created_at, confirmed_at, updated_at)
                SELECT :event, p.id, p.cooperative_id, 'confirmed', md5(p.id::text || 'export') || md5(p.id::text),
                       'z' || lpad(to_hex(p.id), 5, '0'), now(), now(), now()
                FROM p"""), {"domain": f"@{MARK}.id", "start": have + 1, "stop": rows, "event": event})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    engine.dispose()
    return event


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--source", type=Path, default=ROOT)
    args = parser.parse_args()
    event = ensure(args.postgres, args.rows)
    email = organiser_email(args.postgres)
    env = {**os.environ, **portal_env(args.postgres), "PYTHONPATH": str(args.source.resolve())}
    print(f"event {event}, {args.rows} added registrations, source {args.source}")
    for what in ("registrations", "attendance"):
        for kind in ("csv", "xlsx"):
            url = f"/organiser/events/{event}/{what}.{kind}"
            done = subprocess.run([sys.executable, "-c", MEASURE, email, url], cwd=args.source, env=env,
                                  capture_output=True, text=True)
            if done.returncode:
                raise SystemExit(done.stderr[-3000:])
            result = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{what}.{kind:5} first byte {result['first_byte_s']:6.2f} s  whole {result['total_s']:6.2f} s  "
                  f"{result['bytes'] / 1e6:5.1f} MB  worker +{result['growth_mb']} MB "
                  f"(from {result['rss_before_mb']} MB)  [{result['status']}]")


if __name__ == "__main__":
    main()
