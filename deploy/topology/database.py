"""The topology's database: PostgreSQL database created fresh, migrated and demo-seeded with
the same commands an administrator types, then grown to the test's scenario (a registry of
2,000 cooperatives, an event with few seats and the board members who want them, an event to
invite everyone to)."""

import subprocess
from dataclasses import dataclass, field
from datetime import time, timedelta

import sqlalchemy as sa

from deploy.topology.shipped import ROOT

PASSWORD = "topology-pass-42"  # noqa: S105 - a throwaway database's board accounts
ORGANISER = "organiser@demo.portal-koperasi.example.org"
DEMO_PASSWORD = "demo12345"  # noqa: S105 - printed by `flask seed-demo`
DEMO_BOARD = "ketua@demo.portal-koperasi.example.org"


@dataclass
class Scenario:
    cooperatives: int
    signup_event_id: int
    seats: int
    invitation_event_id: int
    board: list[str] = field(default_factory=list)
    browse_event_ids: list[int] = field(default_factory=list)


def create_fresh(url: str) -> None:
    """Drop and create the database named in ``url`` (connections to it are ended)."""
    parsed = sa.engine.make_url(url)
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def drop(url: str) -> None:
    parsed = sa.engine.make_url(url)
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def migrate_and_seed(flask: list[str], env: dict) -> str:
    """``flask db upgrade`` and ``flask seed-demo``, as README tells an administrator."""
    output = []
    for args in (["db", "upgrade"], ["seed-demo"]):
        done = subprocess.run([*flask, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        output.append(done.stdout)
    return "".join(output)


def grow_registry(total: int) -> int:
    """Every demo cooperative gets an address, then set-based INSERTs bring the registry to
    ``total``; returns how many were added."""
    from portal.cooperatives.models import CooperativeType
    from portal.extensions import db

    db.session.execute(sa.text("UPDATE cooperatives SET email = 'koperasi-' || id || '@kupang.example' "
                               "WHERE coalesce(email, '') = ''"))
    missing = total - db.session.scalar(sa.text("SELECT count(*) FROM cooperatives"))
    if missing <= 0:
        return 0
    districts = list(db.session.scalars(sa.text("SELECT id FROM districts ORDER BY id")))
    db.session.execute(sa.text("""
        INSERT INTO cooperatives (name, legal_number, legal_number_key, type, district_id, village, member_count,
                                  email, status, created_at, updated_at)
        SELECT 'Koperasi Topologi ' || lpad(n::text, 5, '0'), 'TOPO/' || n || '/2024', 'TOPO' || n || '2024',
               (CAST(:types AS text[]))[1 + n % :type_count], (CAST(:districts AS integer[]))[1 + n % :district_count],
               'Desa Uji', 20 + n % 900, 'koperasi.topologi.' || n || '@kupang.example',
               CASE WHEN n % 3 = 0 THEN 'inactive' ELSE 'active' END, now(), now()
        FROM generate_series(1, :missing) AS n"""),
        {"types": [t.value for t in CooperativeType], "type_count": len(CooperativeType), "districts": districts,
         "district_count": len(districts), "missing": missing})
    return missing


def _event(organiser, venue, title: str, seats: int, days_ahead: int, kind, program_area=None):
    from portal.events import services as events
    from portal.events.services import local_today

    day = local_today() + timedelta(days=days_ahead)
    event = events.create_event(organiser, events.EventDetails(
        kind=kind, program_area=program_area, title=title, seats=seats, starts_on=day, ends_on=day,
        contact_name="Maria Penyelenggara", contact_phone="081234567890"))
    events.add_session(organiser, event, day, time(9), time(12), venue.id)
    events.publish_event(organiser, event)
    return event


def build_scenario(cooperatives: int, board_members: int, seats: int) -> Scenario:
    """In an app context on the fresh database: the registry, two events and the board accounts."""
    from portal.accounts.models import Role, User
    from portal.accounts.services import create_user, find_user_by_email
    from portal.cooperatives.models import BoardAccount, BoardAccountStatus, BoardPosition, Cooperative
    from portal.database import utcnow
    from portal.events import venues
    from portal.events.models import Event, EventKind, ProgramArea
    from portal.extensions import db

    grow_registry(cooperatives)
    organiser = find_user_by_email(ORGANISER)
    district_id = db.session.scalar(sa.text("SELECT id FROM districts WHERE name = 'Kupang Timur'"))
    venue = venues.create_venue(organiser, "Aula Uji Topologi", "Oelamasi", district_id, 300)
    signup = _event(organiser, venue, "Pelatihan Pembukuan (kursi terbatas)", seats, 20, EventKind.TRAINING,
                    ProgramArea.HR_TRAINING)
    invited = _event(organiser, venue, "Rapat Koordinasi Koperasi se-Provinsi", 300, 25, EventKind.MEETING)
    first = create_user(None, "board.0000@topology.example", "Ketua Uji 0", Role.BOARD, PASSWORD)
    has_account = sa.exists().where(BoardAccount.cooperative_id == Cooperative.id)
    chosen = db.session.scalars(sa.select(Cooperative.id).where(Cooperative.status == "active", ~has_account)
                                .order_by(Cooperative.id.desc()).limit(board_members)).all()
    now = utcnow()
    emails = []
    for n, cooperative_id in enumerate(chosen):
        user = first if n == 0 else User(email=f"board.{n:04d}@topology.example", full_name=f"Ketua Uji {n}",
                                          role=Role.BOARD, password_hash=first.password_hash)
        user.email_verified_at = now
        db.session.add(BoardAccount(user=user, cooperative_id=cooperative_id, position=BoardPosition.CHAIR,
                                    status=BoardAccountStatus.APPROVED, decided_at=now))
        emails.append(user.email)
    db.session.commit()
    shown = db.session.scalars(sa.select(Event.id).where(Event.status == "published").order_by(Event.id)).all()
    total = db.session.scalar(sa.select(sa.func.count(Cooperative.id)))
    return Scenario(cooperatives=total, signup_event_id=signup.id, seats=seats,
                    invitation_event_id=invited.id, board=emails, browse_event_ids=list(shown))


@dataclass
class Outcome:
    """What the database says after the run."""

    registrations: dict[str, int]
    invitations: int
    round_messages: dict[str, tuple[str, str]]  # message id -> (recipient, subject)
    messages_by_status: dict[str, int]
    all_messages: dict[str, tuple[str, str, int]]  # message id -> (recipient, subject, attempts)


# A cancelled message (withdrawn, or superseded by one built from newer data) is never sent.
ROUND_MESSAGES = sa.text(
    "SELECT m.message_id, m.recipient_email, m.subject FROM outbox_messages m JOIN invitations i "
    "ON m.concerns_kind = 'invitation' AND m.concerns_id = CAST(i.id AS text) "
    "WHERE i.event_id = :id AND m.status <> 'cancelled'")
ALL_MESSAGES = sa.text("SELECT message_id, recipient_email, subject, attempts FROM outbox_messages "
                       "WHERE status <> 'cancelled'")


def read_outcome(scenario: Scenario) -> Outcome:
    from portal.extensions import db

    execute = db.session.execute
    registrations = dict(execute(sa.text("SELECT status, count(*) FROM registrations WHERE event_id = :id "
                                         "GROUP BY status"), {"id": scenario.signup_event_id}).all())
    invitations = db.session.scalar(sa.text("SELECT count(*) FROM invitations WHERE event_id = :id"),
                                    {"id": scenario.invitation_event_id})
    round_messages = {row.message_id.strip("<>"): (row.recipient_email.lower(), row.subject)
                      for row in execute(ROUND_MESSAGES, {"id": scenario.invitation_event_id})}
    by_status = dict(execute(sa.text("SELECT status, count(*) FROM outbox_messages GROUP BY status")).all())
    everything = {row.message_id.strip("<>"): (row.recipient_email.lower(), row.subject, row.attempts)
                  for row in execute(ALL_MESSAGES)}
    db.session.rollback()
    return Outcome(registrations, invitations, round_messages, by_status, everything)


def pending_mail() -> int:
    from portal.extensions import db

    count = db.session.scalar(sa.text("SELECT count(*) FROM outbox_messages WHERE status IN ('queued', 'sending')"))
    db.session.rollback()
    return count


def claimed_by(worker: str) -> list[str]:
    """Message ids a worker holds right now (claimed, not yet recorded as sent)."""
    from portal.extensions import db

    ids = [m.strip("<>") for m in db.session.scalars(sa.text(
        "SELECT message_id FROM outbox_messages WHERE status = 'sending' AND claimed_by = :worker"),
        {"worker": worker})]
    db.session.rollback()
    return ids
