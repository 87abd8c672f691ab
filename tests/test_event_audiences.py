"""Who an event is for: cooperatives narrowed by district, type and status together (the office
invites "the inactive KSPs of Amarasi"), or only its guest list."""

import pytest

from portal.accounts.models import Role
from portal.cooperatives.models import CooperativeStatus, CooperativeType
from portal.errors import RuleViolation
from portal.events.models import Audience, AudienceStatus, Event
from portal.extensions import db
from portal.registrations import services as registrations
from portal.registrations.eligibility import audience_admits
from tests.event_fixtures import district
from tests.html_forms import form_values

KSP, KSU = CooperativeType.SAVINGS_AND_LOAN, CooperativeType.MULTI_PURPOSE
ACTIVE, INACTIVE = CooperativeStatus.ACTIVE, CooperativeStatus.INACTIVE


def test_a_district_audience_admits_its_districts_only(open_event, board_of, make_people):
    event = open_event(district_ids=[district("Amarasi").id, district("Amarasi Barat").id])
    amarasi, amarasi_board = board_of(district="Amarasi Barat")
    kupang, kupang_board = board_of(district="Kupang Timur")
    [signed] = registrations.sign_up(amarasi_board, event.id, [make_people(amarasi)[0].id])
    assert signed.event_id == event.id
    with pytest.raises(RuleViolation):
        registrations.sign_up(kupang_board, event.id, [make_people(kupang)[0].id])


def test_a_type_audience_admits_its_types_only(open_event, board_of, make_people, client, login):
    event = open_event(cooperative_types=[KSP], title="Pelatihan Simpan Pinjam")
    ksp, ksp_board = board_of(type=KSP)
    ksu, ksu_board = board_of(type=KSU)
    registrations.sign_up(ksp_board, event.id, [make_people(ksp)[0].id])
    with pytest.raises(RuleViolation):
        registrations.sign_up(ksu_board, event.id, [make_people(ksu)[0].id])
    login(client, ksu_board)
    assert "Pelatihan Simpan Pinjam" not in client.get("/my-cooperative/events").text
    client.post("/logout")
    login(client, ksp_board)
    assert "Pelatihan Simpan Pinjam" in client.get("/my-cooperative/events").text


def test_districts_types_and_status_combine(open_event, make_cooperative):
    """The inactive KSPs of Amarasi, and nobody else."""
    event = open_event(district_ids=[district("Amarasi").id], cooperative_types=[KSP],
                       audience_status=AudienceStatus.INACTIVE)
    cases = {("Amarasi", KSP, INACTIVE): True, ("Amarasi", KSP, ACTIVE): False, ("Amarasi", KSU, INACTIVE): False,
             ("Kupang Timur", KSP, INACTIVE): False}
    for (place, kind, status), admitted in cases.items():
        cooperative = make_cooperative(district=place, type=kind, status=status)
        assert audience_admits(event, cooperative) is admitted, (place, kind, status)


def test_active_only_still_means_active_only(open_event, make_cooperative):
    event = open_event(audience_status=AudienceStatus.ACTIVE)
    assert audience_admits(event, make_cooperative(status=ACTIVE))
    assert not audience_admits(event, make_cooperative(status=INACTIVE))


def test_the_guest_list_audience_drops_the_other_rules(open_event, make_cooperative):
    event = open_event(audience=Audience.GUEST_LIST, district_ids=[district("Amarasi").id],
                       audience_status=AudienceStatus.INACTIVE)
    assert (event.audience_districts, event.audience_status) == ([], AudienceStatus.ANY)
    assert not audience_admits(event, make_cooperative(district="Amarasi", status=INACTIVE))


def test_the_organiser_combines_the_rules_in_the_form_and_the_page_says_so(client, logged_in, make_event):
    logged_in(Role.ORGANISER)
    event = make_event(title="Pembinaan KSP Amarasi")
    values = form_values(client.get(f"/organiser/events/{event.id}/edit").text, "event-form")
    values.setlist("district_ids", [str(district("Amarasi").id)])
    values.setlist("cooperative_types", [KSP.value])
    values["audience_status"] = "inactive"
    assert client.post(f"/organiser/events/{event.id}/edit", data=values).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Event, event.id)
    assert (saved.audience, saved.audience_status, saved.audience_types) == (Audience.ALL, AudienceStatus.INACTIVE,
                                                                             [KSP])
    assert [d.name for d in saved.audience_districts] == ["Amarasi"]
    page = client.get(f"/events/{event.id}")
    summary = page.text[page.text.index('data-testid="audience"'):][:600]
    assert "Amarasi" in summary and "Tidak aktif" in summary and str(KSP.label) in summary
