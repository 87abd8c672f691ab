"""The migration that makes acceptances registrations: the names answers hold today become
registrations under the registration rules, on SQLite and PostgreSQL."""

from datetime import UTC, datetime

import sqlalchemy as sa

from tests.test_migrations import _flask, _upgrade, empty_database  # noqa: F401 (a fixture)

BEFORE_ANSWERS_ARE_REGISTRATIONS = "3c6b104f4bfe"
MEETING = "Rapat Koordinasi Koperasi Simpan Pinjam"


def test_the_names_of_existing_answers_become_registrations_beyond_seats_and_limit_on_the_waiting_list(
        empty_database):  # noqa: F811
    _upgrade(empty_database)
    _flask(empty_database, "seed-demo")
    _flask(empty_database, "db", "downgrade", BEFORE_ANSWERS_ARE_REGISTRATIONS)
    engine = sa.create_engine(empty_database)
    sqlite = engine.dialect.name == "sqlite"

    def at(hour):
        moment = datetime(2026, 11, 2, hour, 0, tzinfo=UTC)
        return moment.replace(tzinfo=None) if sqlite else moment

    with engine.begin() as conn:
        event_id = conn.execute(sa.text("SELECT id FROM events WHERE title = :t"), {"t": MEETING}).scalar_one()
        first, second, third = conn.execute(sa.text("SELECT id FROM cooperatives ORDER BY id LIMIT 3")).scalars()
        conn.execute(sa.text("DELETE FROM registrations WHERE event_id = :e"), {"e": event_id})
        conn.execute(sa.text("DELETE FROM invitations WHERE event_id = :e"), {"e": event_id})
        conn.execute(sa.text("UPDATE events SET seats = 3, seats_per_cooperative = 2, requires_approval = :no"
                             " WHERE id = :e"), {"e": event_id, "no": False})
        known = conn.execute(sa.text(
            "INSERT INTO participants (cooperative_id, full_name, position, created_at) VALUES"
            " (:c, 'Yohanes Bani', 'board', :at) RETURNING id"), {"c": first, "at": at(0)}).scalar_one()
        round_id = conn.execute(sa.text(
            "INSERT INTO invitation_rounds (event_id, selection, cooperative_count, organisation_count,"
            " message_count, created_at) VALUES (:e, '{}', 3, 0, 0, :at) RETURNING id"),
            {"e": event_id, "at": at(0)}).scalar_one()
        for n, (cooperative_id, answer, names, hour) in enumerate([
                (first, "accepted", "yohanes  BANI\nMaria Tefa\nAgus Lake", 1),
                (second, "accepted", "Rina Nope\nDaniel Tlonaen", 2), (third, "declined", None, 3),
                (None, "accepted", "Ibu Sari Manu", 4)]):
            conn.execute(sa.text(
                "INSERT INTO invitations (event_id, round_id, cooperative_id, organisation_name, email, token, answer,"
                " answered_at, attendee_names, attendee_count, created_at)"
                " VALUES (:e, :r, :c, :o, :email, :t, :a, :at, :names, :count, :at)"),
                {"e": event_id, "r": round_id, "c": cooperative_id, "o": None if cooperative_id else "Bank NTT",
                 "email": None if cooperative_id else "sekretariat@bank.example.org",
                 "t": f"token-{n}", "a": answer, "at": at(hour),
                 "names": names, "count": len(names.splitlines()) if names else None})
    engine.dispose()

    _upgrade(empty_database)

    engine = sa.create_engine(empty_database)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT r.cooperative_id, p.id, p.full_name, r.status, r.queue_number, r.check_in_code, r.token"
            " FROM registrations r JOIN participants p ON p.id = r.participant_id WHERE r.event_id = :e"
            " ORDER BY r.queue_number"), {"e": event_id}).all()
        channels = conn.execute(sa.text("SELECT answer_channel FROM invitations WHERE event_id = :e"),
                                {"e": event_id}).scalars().all()
        columns = [c["name"] for c in sa.inspect(conn).get_columns("invitations")]
    engine.dispose()
    assert [(c, name, status) for c, _id, name, status, *_rest in rows] == [
        (first, "Yohanes Bani", "confirmed"), (first, "Maria Tefa", "confirmed"), (first, "Agus Lake", "waitlisted"),
        (second, "Rina Nope", "confirmed"), (second, "Daniel Tlonaen", "waitlisted"),
        (None, "Ibu Sari Manu", "waitlisted")], "an outside organisation's names too (beyond the seats: waiting)"
    assert rows[0][1] == known, "a name is matched to the cooperative's person by its normalised form"
    assert [r[4] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert all(len(r[5]) == 6 and len(r[6]) > 30 for r in rows) and len({r[5] for r in rows}) == 6
    assert channels == ["link", "link", "link", "link"] and "attendee_names" not in columns
    _flask(empty_database, "db", "check")
