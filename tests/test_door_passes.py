"""The door role: an organiser gives a volunteer a signed, stored, revocable link for one event;
it opens that event's sheets and checks people in, nothing else, and stops after the last
session or when revoked."""

from datetime import timedelta

import sqlalchemy as sa

from portal.attendance import door_passes
from portal.attendance.models import AttendanceRecord, DoorPass, MarkSource
from portal.extensions import db
from tests.attendance_fixtures import FIRST_DAY, wita


def _records():
    db.session.commit()
    return list(db.session.scalars(sa.select(AttendanceRecord)))


def _make_pass(client, organiser, login, event):
    login(client, organiser)
    made = client.post(f"/organiser/events/{event.id}/door-passes", data={"name": "Relawan Yanti"})
    assert made.status_code == 302
    page = client.get(f"/organiser/events/{event.id}/door-passes")
    link = page.text.split('data-testid="door-link"')[0].rsplit('value="', 1)[1].split('"')[0]
    client.post("/logout")
    return link[link.index("/door/"):]


def test_a_door_link_opens_its_events_sheets_and_checks_people_in(client, organiser, login, training, clock):
    mine, other = training(people=2), training(people=1, cooperative_name="KSU Lain")
    clock.set(FIRST_DAY, 9, 5)
    path = _make_pass(client, organiser, login, mine.event)
    door_pass = db.session.scalar(sa.select(DoorPass))
    assert door_pass.expires_at == wita(FIRST_DAY + timedelta(days=2), 12) + timedelta(hours=2)
    assert client.get(path).status_code == 200
    sheet = f"{path}/{mine.sessions[0].id}"
    page = client.get(sheet)
    assert page.status_code == 200 and mine.registrations[0].participant.full_name in page.text
    done = client.post(sheet, data={"registration_id": mine.registrations[0].id})
    assert done.status_code == 302
    by_code = client.post(sheet, data={"code": mine.registrations[1].check_in_code})
    assert by_code.status_code == 302
    records = _records()
    assert {r.source for r in records} == {MarkSource.DOOR} and {r.marked_by_id for r in records} == {None}
    # Another event's person, session or pages: refused, nothing changed.
    client.post(sheet, data={"registration_id": other.registrations[0].id})
    client.post(sheet, data={"code": other.registrations[0].check_in_code})
    assert len(_records()) == 2
    assert client.get(f"{path}/{other.sessions[0].id}").status_code == 404
    assert client.post(f"{path}/{other.sessions[0].id}", data={"registration_id": other.registrations[0].id}) \
        .status_code == 404
    assert client.get(f"/organiser/events/{mine.event.id}/attendance/{mine.sessions[0].id}").status_code == 302
    assert client.get(f"/api/v1/events/{mine.event.id}/attendance").status_code == 401
    assert len(_records()) == 2


def test_a_door_link_expires_and_can_be_revoked(client, organiser, login, training, clock):
    done = training(people=1)
    clock.set(FIRST_DAY, 9, 5)
    path = _make_pass(client, organiser, login, done.event)
    clock.set(FIRST_DAY + timedelta(days=2), 14, 1)
    assert client.get(path).status_code == 404
    clock.set(FIRST_DAY, 9, 6)
    assert client.get(path).status_code == 200
    door_pass = db.session.scalar(sa.select(DoorPass))
    login(client, organiser)
    assert client.post(f"/organiser/events/{done.event.id}/door-passes/{door_pass.id}/revoke").status_code == 302
    client.post("/logout")
    assert client.get(path).status_code == 404
    assert client.post(f"{path}/{done.sessions[0].id}", data={"registration_id": done.registrations[0].id}) \
        .status_code == 404
    assert _records() == []


def test_a_forged_link_is_not_found(client, training, organiser, clock):
    done = training(people=1)
    clock.set(FIRST_DAY, 9, 5)
    door_pass = door_passes.create_pass(organiser, done.event, "Relawan", wita(FIRST_DAY, 9))
    db.session.commit()
    token = door_passes.pass_token(door_pass)
    assert client.get(f"/door/{token[:-2]}xx").status_code == 404
    assert client.get(f"/door/{token}").status_code == 200


def test_door_links_are_made_by_organisers(client, training, logged_in):
    from portal.accounts.models import Role

    done = training(people=1)
    logged_in(Role.BOARD)
    assert client.get(f"/organiser/events/{done.event.id}/door-passes").status_code == 403
    assert client.post(f"/organiser/events/{done.event.id}/door-passes", data={"name": "X"}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(DoorPass.id))) == 0
