"""R1 through HTTP: 50 sign-ups at once for the last 10 seats against two gunicorn workers in a
subprocess, on the test database; the outcome is checked by SQL."""

from sqlalchemy import func, select, text

from benchmarks.registration_burst import board_session, burst, gunicorn, seed
from portal.accounts.models import User
from portal.extensions import db
from portal.registrations import services
from portal.registrations.models import Participant


def test_r1_over_http_with_two_gunicorn_workers(app, database_url):
    event_id, ids, email = seed(people=55, seats=15)
    board = db.session.scalar(select(User).where(User.email == email))
    services.sign_up(board, event_id, ids[:5])
    db.session.commit()
    with gunicorn(database_url, workers=2) as base:
        opener, token = board_session(base, email, event_id)
        statuses = burst(base, opener, token, event_id, ids[5:], clients=50)
    db.session.commit()
    assert statuses == [302] * 50
    rows = db.session.execute(text("SELECT status, count(*) FROM registrations WHERE event_id = :id GROUP BY status"),
                              {"id": event_id})
    assert dict(rows.all()) == {"confirmed": 15, "waitlisted": 40}
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 55
