"""Every page at national size as a share of a hello-world app, beside the same page at Kupang size.

    python -m benchmarks.national [--seconds 2] [--rounds 2] [--clients 2] [--workers 2]
                                  [--national URL] [--kupang URL] [--rebuild] [--only PAGE ...]

Builds (or reuses) two PostgreSQL databases: Kupang's demo data, and the same plus a country
(130,000 cooperatives over 500 districts, 20,000 events, 500,000 registrations, 200,000
invitations, 1,000,000 outbox rows; see ``national_data``). Serves each under gunicorn with
``deploy/gunicorn.conf.py``, and a hello-world Flask app under the same gunicorn. For every page,
round after round, it measures hello-world, Kupang and national one after the other for
``seconds`` each with ``clients`` threads, and prints the median of each page's requests per
second as a percentage of hello-world's in the same round. Load stays bounded: one target at a
time, a few seconds a page. Runs outside CI (``make bench-national``).
"""

import argparse
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from http.cookiejar import CookieJar

import sqlalchemy as sa

from benchmarks import national_data
from benchmarks.registration_burst import _token
from benchmarks.serving import served

NATIONAL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/portal_national_bench"
KUPANG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/portal_national_bench_kupang"
DEMO_PASSWORD = "demo12345"  # noqa: S105 - the demo data's, printed by seed-demo


@dataclass
class Page:
    label: str
    path: str  # formatted with the target's facts (event, session, search terms)
    staff: bool = True
    # A calendar app's poll: gzip accepted and the ETag it was last given (answered 304 while unchanged).
    as_calendar_app: bool = False
    # A client that accepts gzip (a calendar app's first download, every browser).
    gzip: bool = False


PAGES = [
    Page("public /events", "/events", staff=False),
    Page("month calendar", "/events/calendar?month={month}", staff=False),
    Page("/events.ics", "/events.ics", staff=False),
    Page("/events.ics, first download with gzip", "/events.ics", staff=False, gzip=True),
    Page("/events.ics, a calendar app's poll", "/events.ics", staff=False, as_calendar_app=True),
    Page("directory: all", "/cooperatives/"),
    Page("directory: name search", "/cooperatives/?q={name_term}"),
    Page("directory: legal number", "/cooperatives/?q={legal_term}"),
    Page("invitations tab", "/organiser/events/{invited_event}/invitations"),
    Page("registrations tab", "/organiser/events/{registered_event}/registrations"),
    Page("attendance sheet", "/organiser/events/{registered_event}/attendance/{session}"),
    Page("Email page", "/email/"),
    Page("organiser home", "/"),
    Page("report: reach", "/reports/reach"),
    Page("report: revival", "/reports/revival"),
    Page("report: trainings", "/reports/trainings"),
    Page("report: attendance", "/reports/attendance"),
    Page("report: participants", "/reports/participants"),
    Page("report chart: reach", "/reports/reach/chart.svg"),
]


def facts(url: str) -> dict[str, str]:
    """What the pages of one database are measured on: its busiest event, a search term that
    finds a handful of cooperatives, an existing legal number."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        invited = conn.scalar(sa.text("SELECT event_id FROM invitations GROUP BY event_id ORDER BY count(*) DESC,"
                                      " event_id LIMIT 1"))
        registered = conn.scalar(sa.text("SELECT event_id FROM registrations GROUP BY event_id"
                                         " ORDER BY count(*) DESC, event_id LIMIT 1"))
        session = conn.scalar(sa.text("SELECT id FROM event_sessions WHERE event_id = :e ORDER BY starts_at"
                                      " LIMIT 1"), {"e": registered})
        name, legal = conn.execute(sa.text("SELECT name, legal_number FROM cooperatives ORDER BY id DESC"
                                           " LIMIT 1")).one()
    engine.dispose()
    # A village-like word shared by about one cooperative in a thousand: in the generated names
    # ("Koperasi Maju Permai Feueeef 129599") the one before the number; the two words before it
    # come from twenty and each is in a tenth of the registry.
    words = name.split()
    term = words[-2] if len(words) > 1 and words[-1].isdigit() else words[-1]
    return {"invited_event": str(invited), "registered_event": str(registered), "session": str(session),
            "name_term": urllib.parse.quote(term), "legal_term": urllib.parse.quote(legal),
            "month": date.today().strftime("%Y-%m")}


def portal_env(url: str) -> dict:
    # A measurement over plain HTTP on loopback, not production: said so, or the portal refuses gunicorn.
    return {"DATABASE_URL": url, "PORTAL_ENV": "testing", "PORTAL_ALLOW_NON_PRODUCTION": "1",
            "SECRET_KEY": "national-bench", "RATELIMIT_ENABLED": "0"}


def organiser_email(url: str) -> str:
    """The demo organiser: the first organiser the demo data made (its address has changed over time)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        email = conn.scalar(sa.text("SELECT email FROM users WHERE role = 'organiser' ORDER BY id LIMIT 1"))
    engine.dispose()
    return email


def organiser_opener(base: str, email: str):
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    data = urllib.parse.urlencode({"email": email, "password": DEMO_PASSWORD, "csrf_token": _token(page)})
    answer = opener.open(base + "/login", data.encode())
    if answer.url.rstrip("/").endswith("/login"):
        raise RuntimeError(f"could not log in as {email} at {base}")
    return opener


def calendar_app_request(opener, url: str) -> urllib.request.Request:
    """What a calendar app sends when it polls a feed it already has: gzip accepted, and the
    feed's ETag from its last fetch."""
    first = opener.open(urllib.request.Request(url, headers={"Accept-Encoding": "gzip"}),  # noqa: S310 - our http URL
                        timeout=120)
    first.read()
    return urllib.request.Request(url, headers={"Accept-Encoding": "gzip",  # noqa: S310 - our http URL
                                                "If-None-Match": first.headers["ETag"]})


def throughput(opener, url, seconds: float, clients: int) -> tuple[float, int]:
    """Requests per second from ``clients`` threads asking for ``url`` (or a prepared request)
    for ``seconds`` (each thread finishes the request it is in); also the size of the last answer,
    in bytes. A 304 counts as an answer."""
    done, size, failures = [0], [0], []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client():
        while True:
            try:
                body = opener.open(url, timeout=120).read()
            except urllib.error.HTTPError as error:
                if error.code != 304:
                    failures.append(error.code)
                    return
                body = b""
            with lock:
                done[0] += 1
                size[0] = len(body)
            if time.monotonic() >= deadline:
                return

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{getattr(url, 'full_url', url)} answered {failures[0]}")
    return done[0] / (time.monotonic() - started), size[0]


def table(rows: list[tuple[str, float, float, int]]) -> str:
    """Markdown: each page's share of hello-world at Kupang and national size, and what is left
    of Kupang's throughput at national size."""
    lines = ["| page | Kupang | national | national / Kupang | national page |", "|---|---|---|---|---|"]
    for label, kupang, national, size in rows:
        kept = f"{national / kupang:.0%}" if kupang else "—"
        lines.append(f"| {label} | {kupang:.2%} | {national:.2%} | {kept} | {size / 1024:,.0f} KB |")
    return "\n".join(lines)


def measure(bases: dict, openers: dict, targets: dict, pages: list[Page], seconds: float, rounds: int,
            clients: int, log=print) -> list[tuple[str, float, float, int]]:
    rows = []
    for page in pages:
        shares = {"kupang": [], "national": []}
        size = 0
        for _ in range(rounds):
            hello, _size = throughput(openers["hello"], bases["hello"] + "/", seconds, clients)
            for name in ("kupang", "national"):
                url = bases[name] + page.path.format(**targets[name])
                if page.as_calendar_app:
                    url = calendar_app_request(openers[name], url)
                elif page.gzip:
                    url = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})  # noqa: S310 - our http URL
                rate, size_now = throughput(openers[name], url, seconds, clients)
                shares[name].append(rate / hello)
                if name == "national":
                    size = size_now
        row = (page.label, statistics.median(shares["kupang"]), statistics.median(shares["national"]), size)
        log(f"  {row[0]}: Kupang {row[1]:.2%}, national {row[2]:.2%}")
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--national", default=NATIONAL_URL)
    parser.add_argument("--kupang", default=KUPANG_URL)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rebuild", action="store_true", help="drop and build both databases again")
    parser.add_argument("--only", nargs="*", help="measure only pages whose label contains one of these")
    args = parser.parse_args()

    print("Databases:")
    if args.rebuild:
        for url in (args.kupang, args.national):
            national_data.create_database(url, drop=True)
    national_data.ensure(args.kupang, national_data.KUPANG)
    national_data.ensure(args.national, national_data.NATIONAL)
    targets = {"kupang": facts(args.kupang), "national": facts(args.national)}
    pages = [p for p in PAGES if not args.only or any(word in p.label for word in args.only)]
    with ExitStack() as stack:
        bases = {"hello": stack.enter_context(served("benchmarks.hello:app", {}, args.workers)),
                 "kupang": stack.enter_context(served("wsgi:app", portal_env(args.kupang), args.workers)),
                 "national": stack.enter_context(served("wsgi:app", portal_env(args.national), args.workers))}
        openers = {"hello": urllib.request.build_opener(),
                   "kupang": organiser_opener(bases["kupang"], organiser_email(args.kupang)),
                   "national": organiser_opener(bases["national"], organiser_email(args.national))}
        print(f"Pages ({args.rounds} rounds x {args.seconds:g} s, {args.clients} clients,"
              f" {args.workers} workers each):")
        rows = measure(bases, openers, targets, pages, args.seconds, args.rounds, args.clients)
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
