"""acceptances are registrations: the names a cooperative gave when it accepted a meeting become
its registrations; answers record their channel and, when the office took them, who answered

Revision ID: 64e9ed282045
Revises: 3c6b104f4bfe
Create Date: 2026-11-30 14:46:45.184415

Each accepted invitation's names, earliest answer first, become people of the cooperative or the
outside organisation (its person with the same normalised name, otherwise a new one) and their
registrations: a seat while seats last and the cooperative is under its limit, otherwise the
waiting list, as a sign-up would. No email is sent: reminders reach them as any participant.
"""
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import portal.database

# revision identifiers, used by Alembic.
revision = '64e9ed282045'
down_revision = '3c6b104f4bfe'
branch_labels = None
depends_on = None

CODE_ALPHABET = "ACEFHJKMNPRTUVWXY3479"
SEAT_STATUSES = ("pending", "confirmed")

participants = sa.table(
    "participants", sa.column("id", sa.Integer), sa.column("cooperative_id", sa.Integer),
    sa.column("organisation_name", sa.String), sa.column("full_name", sa.String), sa.column("position", sa.String),
    sa.column("email", sa.String), sa.column("phone", sa.String), sa.column("phone_key", sa.String),
    sa.column("created_by_id", sa.Integer), sa.column("created_at", portal.database.UTCDateTime()))
registrations = sa.table(
    "registrations", sa.column("id", sa.Integer), sa.column("event_id", sa.Integer),
    sa.column("participant_id", sa.Integer), sa.column("cooperative_id", sa.Integer), sa.column("status", sa.String),
    sa.column("queue_number", sa.Integer), sa.column("token", sa.String), sa.column("check_in_code", sa.String),
    sa.column("signed_up_by_id", sa.Integer), sa.column("created_at", portal.database.UTCDateTime()),
    sa.column("confirmed_at", portal.database.UTCDateTime()), sa.column("cancelled_at", portal.database.UTCDateTime()),
    sa.column("updated_at", portal.database.UTCDateTime()))


def _normalised(name: str) -> str:
    return " ".join(name.split()).casefold()


def _code(conn, event_id: int) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if conn.execute(sa.text("SELECT 1 FROM registrations WHERE event_id = :e AND check_in_code = :c"),
                        {"e": event_id, "c": code}).first() is None:
            return code


def _person(conn, cooperative_id: int | None, organisation: str | None, name: str, answered_by_id, now) -> int:
    """The cooperative's (or the outside organisation's) person of that name, else a new one."""
    if cooperative_id is not None:
        known = conn.execute(sa.text("SELECT id, full_name FROM participants WHERE cooperative_id = :c ORDER BY id"),
                             {"c": cooperative_id})
    else:
        known = conn.execute(sa.text(
            "SELECT id, full_name FROM participants WHERE cooperative_id IS NULL AND lower(organisation_name) = :o"
            " ORDER BY id"), {"o": organisation.strip().lower()})
    for person_id, full_name in known:
        if _normalised(full_name) == _normalised(name):
            return person_id
    return conn.execute(sa.insert(participants).values(
        cooperative_id=cooperative_id, organisation_name=None if cooperative_id else organisation.strip(),
        full_name=name, position="staff", created_by_id=answered_by_id, created_at=now
    ).returning(participants.c.id)).scalar_one()


def _status(conn, event, cooperative_id: int | None) -> str:
    _event_id, seats, limit, requires_approval, event_status = event
    if event_status == "cancelled":
        return "cancelled"
    taken = conn.execute(sa.text(
        "SELECT count(*) FROM registrations WHERE event_id = :e AND status IN ('pending', 'confirmed')"),
        {"e": event[0]}).scalar_one()
    held = conn.execute(sa.text(
        "SELECT count(*) FROM registrations WHERE event_id = :e AND cooperative_id = :c"
        " AND status IN ('pending', 'confirmed')"), {"e": event[0], "c": cooperative_id}).scalar_one()
    if taken >= seats or (limit and cooperative_id is not None and held >= limit):
        return "waitlisted"
    return "pending" if requires_approval else "confirmed"


def _carry_answers_over(conn) -> None:
    now = datetime.now(UTC)
    answers = conn.execute(sa.text(
        "SELECT event_id, cooperative_id, organisation_name, attendee_names, answered_by_id FROM invitations"
        " WHERE answer = 'accepted' AND (cooperative_id IS NOT NULL OR organisation_name IS NOT NULL)"
        " AND attendee_names IS NOT NULL ORDER BY answered_at, id")).all()
    for event_id, cooperative_id, organisation, names, answered_by_id in answers:
        event = conn.execute(sa.text(
            "SELECT id, seats, seats_per_cooperative, requires_approval, status FROM events WHERE id = :e"),
            {"e": event_id}).one()
        named = {_normalised(line): " ".join(line.split())[:120] for line in names.splitlines() if line.strip()}
        for name in named.values():
            person_id = _person(conn, cooperative_id, organisation, name, answered_by_id, now)
            if conn.execute(sa.text("SELECT 1 FROM registrations WHERE event_id = :e AND participant_id = :p"),
                            {"e": event_id, "p": person_id}).first() is not None:
                continue
            status = _status(conn, event, cooperative_id)
            queue = conn.execute(sa.text("SELECT coalesce(max(queue_number), 0) + 1 FROM registrations"
                                         " WHERE event_id = :e"), {"e": event_id}).scalar_one()
            conn.execute(sa.insert(registrations).values(
                event_id=event_id, participant_id=person_id, cooperative_id=cooperative_id, status=status,
                queue_number=queue, token=secrets.token_urlsafe(32), check_in_code=_code(conn, event_id),
                signed_up_by_id=answered_by_id, created_at=now, updated_at=now,
                confirmed_at=now if status == "confirmed" else None,
                cancelled_at=now if status == "cancelled" else None))


def upgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_channel', sa.Enum('link', 'phone', 'whatsapp', 'letter', 'in_person', name='answerchannel', native_enum=False, length=20), nullable=True))
        batch_op.add_column(sa.Column('answered_by_name', sa.String(length=120), nullable=True))
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE invitations SET answer_channel = 'link' WHERE answer IS NOT NULL"))
    _carry_answers_over(conn)
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('attendee_names')


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attendee_names', sa.TEXT(), nullable=True))
    conn = op.get_bind()
    accepted = conn.execute(sa.text(
        "SELECT i.id, i.event_id, i.cooperative_id FROM invitations i JOIN events e ON e.id = i.event_id"
        " WHERE i.answer = 'accepted' AND i.cooperative_id IS NOT NULL AND e.kind = 'meeting'")).all()
    for invitation_id, event_id, cooperative_id in accepted:
        names = conn.execute(sa.text(
            "SELECT p.full_name FROM registrations r JOIN participants p ON p.id = r.participant_id"
            " WHERE r.event_id = :e AND r.cooperative_id = :c AND r.status IN ('pending', 'confirmed', 'waitlisted')"
            " ORDER BY r.id"), {"e": event_id, "c": cooperative_id}).scalars().all()
        conn.execute(sa.text("UPDATE invitations SET attendee_names = :n WHERE id = :i"),
                     {"n": "\n".join(names) or None, "i": invitation_id})
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('answered_by_name')
        batch_op.drop_column('answer_channel')
