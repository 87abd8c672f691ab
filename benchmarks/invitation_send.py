"""The send request for a large invitation round: how long it takes and how many queries it sends.

    python -m benchmarks.invitation_send [--cooperatives 5000] [--postgres URL | --no-postgres]

An organiser posts the invitations form (by filter: every active cooperative) through the real
view; each cooperative has a contact address and one board member's address, so the request
writes N invitations, N guest-list entries and 2N outbox rows. The worker's part (SMTP, the
.ics) is not measured here: that is benchmarks.mail_throughput.
"""

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import func, insert, select

from benchmarks.mail_throughput import DEFAULT_PG, _prepare_postgres
from portal import create_app
from portal.accounts.models import Role
from portal.accounts.services import create_user
from portal.cooperatives.models import BoardMember, BoardPosition, Cooperative, CooperativeStatus, CooperativeType
from portal.cooperatives.reference import seed_reference_data
from portal.events import services as events
from portal.events import venues
from portal.events.models import EventKind, ProgramArea
from portal.extensions import db
from portal.invitations.models import Invitation
from portal.mail.models import OutboxMessage
from portal.settings.services import get_office_settings

PASSWORD = "bench-password-1"


def _populate(count: int) -> int:
    seed_reference_data()
    get_office_settings()
    district_ids = list(db.session.scalars(select(sa.text("id")).select_from(sa.table("districts"))))
    db.session.execute(insert(Cooperative), [
        {"name": f"Koperasi Uji {n:05d}", "legal_number": f"B-{n}", "legal_number_key": f"B-{n}",
         "type": CooperativeType.SAVINGS_AND_LOAN, "status": CooperativeStatus.ACTIVE,
         "district_id": district_ids[n % len(district_ids)], "email": f"koperasi{n}@example.org"}
        for n in range(count)])
    ids = db.session.scalars(select(Cooperative.id))
    db.session.execute(insert(BoardMember), [
        {"cooperative_id": cooperative_id, "full_name": f"Ketua {cooperative_id}", "position": BoardPosition.CHAIR,
         "email": f"ketua{cooperative_id}@example.org"} for cooperative_id in ids])
    create_user(None, "organiser@example.org", "Organiser", Role.ORGANISER, PASSWORD)
    day = datetime.now(UTC).date() + timedelta(days=30)
    venue = venues.create_venue(None, "Aula Oelamasi", "Oelamasi", district_ids[0], 200)
    event = events.create_event(None, events.EventDetails(
        kind=EventKind.TRAINING, program_area=ProgramArea.HR_TRAINING, title="Pelatihan Tiga Hari", seats=300,
        starts_on=day, ends_on=day + timedelta(days=2), contact_name="Maria", contact_phone="+6281234567890"))
    for n in range(3):
        events.add_session(None, event, day + timedelta(days=n), clock(9), clock(15), venue.id)
    events.publish_event(None, event)
    db.session.commit()
    return event.id


def run(database_url: str, label: str, count: int) -> dict:
    app = create_app({"PORTAL_ENV": "testing", "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": database_url,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        event_id = _populate(count)
        db.session.remove()
    client = app.test_client()
    client.post("/login", data={"email": "organiser@example.org", "password": PASSWORD})
    statements = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    started = time.perf_counter()
    response = client.post(f"/organiser/events/{event_id}/invitations", data={"mode": "filter", "status": "active",
                                                                           "not_invited": "y"})
    seconds = time.perf_counter() - started
    assert response.status_code == 302, response.text
    with app.app_context():
        invitations = db.session.scalar(select(func.count(Invitation.id)))
        messages = db.session.scalar(select(func.count(OutboxMessage.id)))
        db.engine.dispose()
    result = {"database": label, "cooperatives": count, "invitations": invitations, "messages": messages,
              "queries": len(statements), "seconds": round(seconds, 2)}
    print(result)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cooperatives", type=int, default=5000)
    parser.add_argument("--postgres", default=DEFAULT_PG)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{Path(folder) / 'bench.db'}", "sqlite", args.cooperatives)
    if not args.no_postgres:
        run(_prepare_postgres(args.postgres), "postgresql", args.cooperatives)


if __name__ == "__main__":
    main()
