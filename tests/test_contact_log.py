"""The contact log (pembinaan): a contact with a next step appears on the "tindak lanjut" list,
by officer and district, until it is marked done."""

from datetime import UTC, date, datetime

import pytest

from portal.accounts.models import Role
from portal.errors import RuleViolation
from portal.extensions import db
from portal.revival import contacts, queries

TODAY = date(2026, 4, 10)
CLOCK = pytest.mark.app_config(PORTAL_CLOCK=lambda: datetime(2026, 4, 10, 2, tzinfo=UTC))
CALL = {"channel": "phone", "contacted_on": date(2026, 4, 9), "person": "Yohanes Bani (Ketua)",
        "outcome": "RAT planned for May", "next_step": "Visit to check the berita acara",
        "next_step_due": date(2026, 4, 20)}


def _open_steps(**filters):
    return list(db.session.scalars(queries.open_steps_query(**filters)))


def test_a_next_step_is_on_the_follow_up_list_until_done(make_cooperative, make_user):
    organiser = make_user(Role.ORGANISER)
    contact = contacts.log_contact(organiser, make_cooperative(), CALL, TODAY)
    assert _open_steps() == [contact]
    assert _open_steps(until=TODAY) == []  # due later
    assert _open_steps(until=date(2026, 4, 20)) == [contact]
    contacts.mark_step_done(organiser, contact)
    assert _open_steps() == []


def test_the_list_filters_by_officer_and_district(make_cooperative, make_user):
    siti, budi = make_user(Role.ORGANISER), make_user(Role.ORGANISER)
    semau = make_cooperative(district="Semau")
    mine = contacts.log_contact(siti, make_cooperative(district="Kupang Timur"), CALL, TODAY)
    theirs = contacts.log_contact(budi, semau, CALL, TODAY)
    assert _open_steps(officer_id=siti.id) == [mine]
    assert _open_steps(district_ids=[semau.district_id]) == [theirs]


def test_a_contact_without_next_step_stays_off_the_list(make_cooperative, make_user):
    contacts.log_contact(make_user(Role.ORGANISER), make_cooperative(), CALL | {"next_step": "", "next_step_due": None},
                         TODAY)
    assert _open_steps() == []


@pytest.mark.parametrize(("change", "field"), [
    ({"contacted_on": date(2026, 4, 11)}, "contacted_on"),
    ({"outcome": "  "}, "outcome"),
    ({"next_step_due": None}, "next_step_due"),
    ({"next_step": ""}, "next_step"),
    ({"next_step_due": date(2026, 4, 1)}, "next_step_due"),
])
def test_bad_contacts_are_refused_beside_the_field(make_cooperative, make_user, change, field):
    with pytest.raises(RuleViolation) as refused:
        contacts.log_contact(make_user(Role.ORGANISER), make_cooperative(), CALL | change, TODAY)
    assert refused.value.field == field


def test_a_board_member_keeps_no_contact_log(make_cooperative, make_board_user):
    cooperative = make_cooperative()
    with pytest.raises(RuleViolation):
        contacts.log_contact(make_board_user(cooperative), cooperative, CALL, TODAY)


@CLOCK
def test_an_organiser_logs_a_contact_and_ticks_it_off_the_list(client, logged_in, make_cooperative, count_queries):
    logged_in(Role.ORGANISER)
    cooperative = make_cooperative(name="KSP Sehati")
    form = {key: value.isoformat() if isinstance(value, date) else value for key, value in CALL.items()}
    bad = client.post(f"/cooperatives/{cooperative.id}/pembinaan/new", data=form | {"next_step_due": ""})
    assert bad.status_code == 200 and "Beri langkah berikutnya batas waktu." in bad.text
    assert client.post(f"/cooperatives/{cooperative.id}/pembinaan/new", data=form).status_code == 302
    listed = client.get("/pembinaan/follow-ups")
    assert "Visit to check the berita acara" in listed.text and "KSP Sehati" in listed.text
    assert "Visit to check the berita acara" not in client.get("/pembinaan/follow-ups?due=1").text
    contact = _open_steps()[0]
    assert client.post(f"/pembinaan/{contact.id}/done", data={"back": "list"}).status_code == 302
    assert "Visit to check the berita acara" not in client.get("/pembinaan/follow-ups").text
    with count_queries() as few:
        client.get("/pembinaan/follow-ups")
    organiser = db.session.get(type(contact.officer), contact.officer_id)
    for _n in range(20):
        contacts.log_contact(organiser, make_cooperative(), CALL, TODAY)
    db.session.commit()
    with count_queries() as many:
        client.get("/pembinaan/follow-ups")
    assert len(many) == len(few)


def test_a_board_member_cannot_open_the_log(client, login, make_cooperative, make_board_user):
    cooperative = make_cooperative()
    login(client, make_board_user(cooperative))
    assert client.get(f"/cooperatives/{cooperative.id}/pembinaan/new").status_code == 403
    assert client.get("/pembinaan/follow-ups").status_code == 403
    assert 'data-testid="pembinaan"' not in client.get(f"/cooperatives/{cooperative.id}").text
