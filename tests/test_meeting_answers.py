"""Acceptances are registrations: the people an invitee names when it accepts are signed up
under the registration rules, a re-answer changes them through the same rules, and a count
alone holds no seat but shows as names owed."""

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from portal.errors import RuleViolation
from portal.events.models import EventKind
from portal.extensions import db
from portal.invitations import queries, services
from portal.invitations.models import InvitationAnswer
from portal.registrations.models import Participant, Registration
from tests.invitation_fixtures import invitations_of
from tests.pdfs import pdf_text


def registrations_of(event, cooperative=None) -> list[Registration]:
    query = select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)
    if cooperative is not None:
        query = query.where(Registration.cooperative_id == cooperative.id)
    return list(db.session.scalars(query))


def states(event, cooperative=None) -> list[tuple[str, str]]:
    return [(r.participant.full_name, r.status.value) for r in registrations_of(event, cooperative)]


@pytest.fixture
def meeting(invitable_event, make_invitee, invite):
    def factory(cooperatives=1, **details):
        event = invitable_event(kind=EventKind.MEETING, title="Rapat Koordinasi Koperasi", **details)
        invitees = [make_invitee(name=f"KSP Rapat {n}") for n in range(cooperatives)]
        invite(event, invitees)
        return event, invitees, invitations_of(event)

    return factory


def test_a_meeting_accepted_with_two_names_yields_two_registrations_on_the_sheet_and_the_daftar_hadir(
        meeting, client, login, organiser):
    event, [cooperative], [invitation] = meeting()
    services.answer_invitation(None, invitation, InvitationAnswer.ACCEPTED,
                               attendee_names="Agustinus  Nalle\nmaria tefa\n")
    db.session.commit()
    assert states(event) == [("Agustinus Nalle", "confirmed"), ("maria tefa", "confirmed")]
    assert all(r.cooperative_id == cooperative.id and r.check_in_code for r in registrations_of(event))
    assert invitation.attendee_count == 2
    login(client, organiser)
    session = event.sessions[0]
    sheet = client.get(f"/organiser/events/{event.id}/attendance/{session.id}")
    assert sheet.status_code == 200 and "Agustinus Nalle" in sheet.text and "maria tefa" in sheet.text
    pdf = client.get(f"/organiser/events/{event.id}/attendance/{session.id}/daftar-hadir.pdf")
    text = pdf_text(pdf.data)
    assert "Agustinus Nalle" in text and "maria tefa" in text and "KSP Rapat 0" in text


def test_names_are_matched_to_the_cooperatives_people_by_normalised_name(meeting):
    event, [cooperative], [invitation] = meeting()
    services.answer_invitation(None, invitation, "accepted", attendee_names="Yohanes Bani\nAgus Lake")
    services.answer_invitation(None, invitation, "accepted", attendee_names="  yohanes   BANI \nAgus Lake\nRina")
    people = db.session.scalars(select(Participant).where(Participant.cooperative_id == cooperative.id)).all()
    assert sorted(p.full_name for p in people) == ["Agus Lake", "Rina", "Yohanes Bani"]
    bani = next(p for p in people if p.full_name == "Yohanes Bani")
    assert bani.email == cooperative.board_members[0].email, "the board member named is that board member"
    assert len(registrations_of(event)) == 3


def test_reanswering_with_one_name_cancels_one_and_promotes_the_waiting_list(meeting):
    event, [first, second], [one, two] = meeting(cooperatives=2, seats=2)
    services.answer_invitation(None, one, "accepted", attendee_names="Agus Lake\nRina Nope")
    services.answer_invitation(None, two, "accepted", attendee_names="Daniel Tlonaen")
    assert states(event, second) == [("Daniel Tlonaen", "waitlisted")]
    services.answer_invitation(None, one, "accepted", attendee_names="Agus Lake")
    assert states(event, first) == [("Agus Lake", "confirmed"), ("Rina Nope", "cancelled")]
    assert states(event, second) == [("Daniel Tlonaen", "confirmed")]
    services.answer_invitation(None, one, "declined", reason="Panen")
    assert states(event, first) == [("Agus Lake", "cancelled"), ("Rina Nope", "cancelled")]


def test_names_beyond_the_cooperatives_limit_join_the_waiting_list(meeting):
    event, [cooperative], [invitation] = meeting(seats_per_cooperative=2)
    services.answer_invitation(None, invitation, "accepted", attendee_names="A Satu\nB Dua\nC Tiga")
    assert [s for _n, s in states(event)] == ["confirmed", "confirmed", "waitlisted"]


def test_a_count_only_acceptance_holds_no_seat_and_shows_as_names_owed(meeting, client, login, organiser):
    event, [cooperative], [invitation] = meeting()
    services.answer_invitation(None, invitation, "accepted", attendee_count=3)
    db.session.commit()
    assert registrations_of(event) == [] and invitation.attendee_count == 3
    assert services.names_owed(invitation, 0) == 3
    assert queries.names_owed_count(event.id) == 1 and queries.counts(event.id)[0]["names_owed"] == 1
    login(client, organiser)
    tab = client.get(f"/organiser/events/{event.id}/invitations")
    assert 'data-names-owed="3"' in tab.text
    owing = client.get(f"/organiser/events/{event.id}/invitations?answer=names_owed")
    assert owing.text.count('data-testid="invitation"') == 1 and 'data-count="names_owed"' in owing.text
    page = client.get(f"/events/{event.id}/invitation/{invitation.token}")
    assert 'data-names-owed="3"' in page.text, "the answer page asks for the names still owed"
    typo = client.post(f"/events/{event.id}/invitation/{invitation.token}",
                       data={"answer": "accepted", "attendee_count": "tiga"})
    assert typo.status_code == 400 and "is-invalid" in typo.text
    services.answer_invitation(None, invitation, "accepted", attendee_names="Agus Lake\nRina Nope", attendee_count=3)
    db.session.commit()
    assert len(registrations_of(event)) == 2 and queries.names_owed_count(event.id) == 1
    services.answer_invitation(None, invitation, "accepted", attendee_names="Agus Lake\nRina Nope\nYosef")
    assert queries.names_owed_count(event.id) == 0 and queries.counts(event.id)[0]["names_owed"] == 0


def test_bad_answers_are_refused_field_by_field_and_change_nothing(meeting):
    event, [cooperative], [invitation] = meeting()
    for names, count, field in (("  \n ", None, "attendee_names"), ("", 0, "attendee_count"),
                                ("\n".join(f"Orang {n}" for n in range(51)), None, "attendee_names")):
        with pytest.raises(RuleViolation) as refused:
            services.answer_invitation(None, invitation, "accepted", attendee_names=names, attendee_count=count)
        assert refused.value.field == field
        db.session.rollback()
    with force_locale("id"):
        assert gettext("Write the name of each person who will come, one per line, or at least how many "
                       "will come.") != "Write the name of each person who will come, one per line, or at least " \
                                        "how many will come."
    assert invitations_of(event)[0].answer is None and registrations_of(event) == []


def test_names_after_registration_closes_are_refused_with_the_answer(meeting):
    from portal.database import utcnow
    event, [cooperative], [invitation] = meeting()
    event.registration_closes_at = utcnow()
    db.session.commit()
    with pytest.raises(RuleViolation):
        services.answer_invitation(None, invitation, "accepted", attendee_names="Agus Lake")
    db.session.rollback()
    assert invitations_of(event)[0].answer is None and registrations_of(event) == []


def test_the_reminder_asks_a_count_only_acceptance_for_its_names(meeting):
    from datetime import time

    from portal.invitations.emails import NAMES_OWED_TEMPLATE
    from portal.invitations.reminders import send_due_reminders
    from portal.mail.models import OutboxMessage
    from tests.test_reminders import at

    event, [owing, named], [one, two] = meeting(cooperatives=2)
    services.answer_invitation(None, one, "accepted", attendee_count=2)
    services.answer_invitation(None, two, "accepted", attendee_names="Agus Lake")
    db.session.commit()
    send_due_reminders(at(event, 3, time(9)))
    db.session.commit()
    asked = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == NAMES_OWED_TEMPLATE)).all()
    assert {m.concerns_id for m in asked} == {str(one.id)}
    assert one.token in asked[0].body_text


def test_an_answer_through_the_link_commits_with_its_registrations_or_not_at_all(meeting, client):
    from portal.database import utcnow

    event, [cooperative], [invitation] = meeting(seats_per_cooperative=1)
    url = f"/events/{event.id}/invitation/{invitation.token}"
    done = client.post(url, data={"answer": "accepted", "attendee_names": "Agus Lake\nRina Nope"})
    assert done.status_code == 302
    assert states(event) == [("Agus Lake", "confirmed"), ("Rina Nope", "waitlisted")]
    page = client.get(url)
    assert "Agus Lake" in page.text and "Rina Nope" in page.text
    event.registration_closes_at = utcnow()
    db.session.commit()
    refused = client.post(url, data={"answer": "accepted", "attendee_names": "Agus Lake\nYosef Baru"})
    assert refused.status_code == 400
    db.session.expire_all()
    assert states(event) == [("Agus Lake", "confirmed"), ("Rina Nope", "waitlisted")], "nothing half-done"
    assert db.session.scalar(select(Participant.id).where(Participant.full_name == "Yosef Baru")) is None


def test_an_outside_organisations_names_become_its_guests_registrations(meeting, invite):
    event, _cooperatives, _invitations = meeting()
    invite(event, organisations=[("Bank NTT Cabang Oelamasi", "kredit@bankntt.example")])
    [bank] = [i for i in invitations_of(event) if i.organisation_name]
    services.answer_invitation(None, bank, "accepted", attendee_names="Yanti Lado\nRobert Manu")
    services.answer_invitation(None, bank, "accepted", attendee_names="yanti  lado")
    guests = [(r.participant.full_name, r.participant.organisation_name, r.status.value)
              for r in registrations_of(event)]
    assert guests == [("Yanti Lado", "Bank NTT Cabang Oelamasi", "confirmed"),
                      ("Robert Manu", "Bank NTT Cabang Oelamasi", "cancelled")]
