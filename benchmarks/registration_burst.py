"""Sign-ups per second for one event over HTTP: gunicorn on PostgreSQL, zero oversold.

    python -m benchmarks.registration_burst [--people 400] [--seats 150] [--clients 16] [--workers 2]
                                            [--postgres URL]

One board member's session posts the sign-up form for one person per request from ``clients``
threads at once, against ``workers`` gunicorn processes; every request takes the event's row
lock, counts and inserts. Afterwards SQL checks that exactly ``seats`` are confirmed.
The test suite's HTTP R1 uses the same helpers.
"""

import argparse
import re
import threading
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from http.cookiejar import CookieJar

import sqlalchemy as sa

from benchmarks.serving import served
from deploy.topology.database import create_fresh

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/portal_reg_bench"
PASSWORD = "correct-horse-42"


@contextmanager
def gunicorn(database_url: str, workers: int = 2):
    """The portal under gunicorn in a subprocess, on a free port; yields its base URL."""
    # A measurement over plain HTTP, not production: said so, or the portal refuses gunicorn.
    env = {"DATABASE_URL": database_url, "PORTAL_ENV": "testing", "SECRET_KEY": "burst",
           "RATELIMIT_ENABLED": "0", "PORTAL_ALLOW_NON_PRODUCTION": "1"}
    with served("wsgi:app", env, workers) as base:
        yield base


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return match.group(1) if match else ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def board_session(base: str, email: str, event_id: int):
    """Log in through the form; returns (opener, csrf token of the sign-up form). The opener
    does not follow redirects: a sign-up answers 302, which is what is measured."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_page = opener.open(base + "/login").read().decode()
    data = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": _token(login_page)})
    opener.open(base + "/login", data.encode())
    form = opener.open(f"{base}/my-cooperative/events/{event_id}/sign-up").read().decode()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect()), _token(form)


def burst(base: str, opener, token: str, event_id: int, participant_ids: list[int], clients: int) -> list[int]:
    """Post one sign-up per person from ``clients`` threads released together; returns the
    HTTP status of each answer (302: signed up)."""
    barrier = threading.Barrier(clients)
    pending = list(participant_ids)
    lock = threading.Lock()
    statuses = []

    def client():
        barrier.wait()
        while True:
            with lock:
                if not pending:
                    return
                person = pending.pop()
            body = urllib.parse.urlencode({"csrf_token": token, "participant_id": person}).encode()
            try:
                status = opener.open(f"{base}/my-cooperative/events/{event_id}/sign-up", body, timeout=60).status
            except urllib.error.HTTPError as error:
                status = error.code
            with lock:
                statuses.append(status)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def seed(people: int, seats: int) -> tuple[int, list[int], str]:
    """In the current app context: a published event, one cooperative, its board member and
    ``people`` participants. Returns (event id, participant ids, board email)."""
    from datetime import UTC, datetime, time, timedelta

    from portal.accounts.models import Role
    from portal.accounts.services import create_user
    from portal.cooperatives.models import (
        BoardAccount,
        BoardAccountStatus,
        BoardPosition,
        Cooperative,
        CooperativeStatus,
        CooperativeType,
        District,
    )
    from portal.database import utcnow
    from portal.events import services as events
    from portal.events import venues
    from portal.events.models import EventKind, ProgramArea
    from portal.extensions import db
    from portal.registrations.participants import find_or_create_participant

    district = db.session.scalar(sa.select(District).where(District.name == "Kupang Timur"))
    cooperative = Cooperative(name="KSP Burst", legal_number="BURST-1", legal_number_key="BURST-1",
                              type=CooperativeType.SAVINGS_AND_LOAN, district=district,
                              status=CooperativeStatus.ACTIVE)
    user = create_user(None, "burst-board@example.org", "Ketua Burst", Role.BOARD, PASSWORD)
    user.email_verified_at = utcnow()
    db.session.add_all([cooperative, BoardAccount(user=user, cooperative=cooperative, position=BoardPosition.CHAIR,
                                                  status=BoardAccountStatus.APPROVED)])
    day = datetime.now(UTC).date() + timedelta(days=20)
    venue = venues.create_venue(None, "Aula Burst", None, district.id, None)
    event = events.create_event(None, events.EventDetails(kind=EventKind.TRAINING, program_area=ProgramArea.CAPITAL,
                                                          title="Burst", seats=seats, starts_on=day, ends_on=day))
    events.add_session(None, event, day, time(9), time(12), venue.id)
    events.publish_event(None, event)
    ids = [find_or_create_participant(None, cooperative, f"Peserta {n}", "staff", email=f"p{n}@example.org").id
           for n in range(people)]
    db.session.commit()
    return event.id, ids, user.email


def counts(event_id: int) -> dict[str, int]:
    from portal.extensions import db

    rows = db.session.execute(sa.text("SELECT status, count(*) FROM registrations WHERE event_id = :id "
                                      "GROUP BY status"), {"id": event_id})
    return dict(rows.all())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=400)
    parser.add_argument("--seats", type=int, default=150)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres", default=DEFAULT_PG)
    args = parser.parse_args()

    from portal import create_app
    from portal.cooperatives.reference import seed_reference_data
    from portal.extensions import db

    create_fresh(args.postgres)
    app = create_app({"PORTAL_ENV": "testing", "SECRET_KEY": "burst", "SQLALCHEMY_DATABASE_URI": args.postgres})
    with app.app_context():
        db.create_all()
        seed_reference_data()
        event_id, ids, email = seed(args.people, args.seats)
        with gunicorn(args.postgres, args.workers) as base:
            opener, token = board_session(base, email, event_id)
            started = time.perf_counter()
            statuses = burst(base, opener, token, event_id, ids, args.clients)
            seconds = time.perf_counter() - started
        db.session.commit()
        outcome = counts(event_id)
        db.session.remove()
        db.engine.dispose()
    ok = sum(status == 302 for status in statuses)
    oversold = max(outcome.get("confirmed", 0) - args.seats, 0)
    print(f"{ok}/{len(statuses)} sign-ups in {seconds:.2f} s = {ok / seconds:.1f} sign-ups/s "
          f"({args.clients} clients, {args.workers} gunicorn workers); outcome {outcome}; oversold {oversold}")
    if oversold or ok != len(ids):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
