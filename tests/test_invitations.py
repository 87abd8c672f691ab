"""The invitation rules, called through the services."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.cooperatives.models import CooperativeStatus, CooperativeType
from portal.database import utcnow
from portal.errors import RuleViolation
from portal.events import services as event_services
from portal.events.models import EventKind, GuestListEntry
from portal.extensions import db
from portal.invitations import services
from portal.invitations.models import InvitationAnswer
from portal.invitations.selection import BY_FILTER, Selection, preview
from portal.mail.models import OutboxMessage
from portal.registrations import services as registrations
from portal.registrations.models import Registration, RegistrationStatus
from tests.event_fixtures import district
from tests.invitation_fixtures import invitations_of


def outbox(**where):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    for name, value in where.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    return list(db.session.scalars(query))


def guests(event) -> list[GuestListEntry]:
    return list(db.session.scalars(select(GuestListEntry).where(GuestListEntry.event_id == event.id)
                                   .order_by(GuestListEntry.id)))


def test_invitation_goes_to_contact_and_board_addresses_and_joins_the_guest_list(invitable_event, make_invitee,
                                                                                  invite):
    event = invitable_event()
    cooperative = make_invitee(email="Kontak@Example.org", board=(("Yohanes Bani", "yohanes@example.org"),
                                                                   ("Maria Tefa", None),
                                                                   ("Agus Lake", "KONTAK@example.org")))
    sent = invite(event, [cooperative], what_to_bring="Laporan RAT 2023")
    [invitation] = invitations_of(event)
    assert invitation.round_id == sent.id and len(invitation.token) >= 22  # 24 bytes: 192 bits
    assert (sent.cooperative_count, sent.message_count, sent.what_to_bring) == (1, 2, "Laporan RAT 2023")
    messages = outbox(concerns_kind="invitation", concerns_id=str(invitation.id))
    assert sorted(m.recipient_email for m in messages) == ["kontak@example.org", "yohanes@example.org"]
    assert all(m.deferred_attachments == [{"renderer": "invitations.calendar", "args": {"event_id": event.id}},
                                          {"renderer": "invitations.letter", "args": {"invitation_id": invitation.id}}]
               for m in messages)
    assert [g.cooperative_id for g in guests(event)] == [cooperative.id]


def test_sending_twice_adds_nobody(invitable_event, make_invitee, invite):
    event = invitable_event()
    cooperatives = [make_invitee() for _ in range(3)]
    invite(event, cooperatives[:2])
    again = invite(event, cooperatives)
    assert (again.cooperative_count, again.message_count) == (1, 2)
    with pytest.raises(RuleViolation):
        invite(event, cooperatives)
    db.session.rollback()
    assert len(invitations_of(event)) == 3 and len(guests(event)) == 3
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 6


def test_a_cooperative_already_on_the_guest_list_is_invited_without_a_second_entry(invitable_event, make_invitee,
                                                                                   invite, organiser):
    from portal.events.guest_lists import add_guest_cooperatives

    event = invitable_event()
    cooperative = make_invitee()
    add_guest_cooperatives(organiser, event, [cooperative.id])
    db.session.commit()
    assert invite(event, [cooperative]).cooperative_count == 1
    assert len(guests(event)) == 1


def test_filter_by_district_type_and_status(invitable_event, make_invitee, invite):
    event = invitable_event()
    wanted = make_invitee(district_name="Semau")
    make_invitee(district_name="Semau", status=CooperativeStatus.INACTIVE)
    make_invitee(district_name="Semau", type=CooperativeType.CONSUMER)
    make_invitee(district_name="Takari")
    chosen = Selection(mode=BY_FILTER, district_ids=[district("Semau").id], types=[CooperativeType.SAVINGS_AND_LOAN],
                       status=CooperativeStatus.ACTIVE)
    seen = preview(event.id, chosen)
    assert (seen.count, [c.id for c in seen.sample]) == (1, [wanted.id])
    invite(event, selection=chosen)
    assert [i.cooperative_id for i in invitations_of(event)] == [wanted.id]
    again = preview(event.id, chosen)
    assert (again.count, again.already_invited) == (0, 0), "'not yet invited' leaves them out of the count"
    everyone = preview(event.id, Selection(mode=BY_FILTER, district_ids=chosen.district_ids, types=chosen.types,
                                           status=chosen.status, not_invited=False))
    assert (everyone.count, everyone.already_invited) == (0, 1)


def test_filter_without_any_registration_this_year(invitable_event, open_event, make_invitee, make_people, invite):
    event = invitable_event()
    training = open_event(day=utcnow().date() + timedelta(days=5))
    busy, quiet = make_invitee(district_name="Sulamu"), make_invitee(district_name="Sulamu")
    registrations.sign_up(None, training.id, [make_people(busy)[0].id], cooperative_id=busy.id)
    db.session.commit()
    chosen = Selection(district_ids=[district("Sulamu").id], without_registration_this_year=True)
    assert [c.id for c in preview(event.id, chosen).sample] == [quiet.id]


def test_preview_counts_cooperatives_without_any_address(invitable_event, make_invitee):
    event = invitable_event()
    make_invitee(district_name="Fatuleu", email=None, board=(("Obed Neno", None),))
    make_invitee(district_name="Fatuleu")
    seen = preview(event.id, Selection(district_ids=[district("Fatuleu").id]))
    assert (seen.count, seen.without_address) == (2, 1)


def test_a_cooperative_without_address_is_invited_and_listed_without_mail(invitable_event, make_invitee, invite):
    event = invitable_event()
    sent = invite(event, [make_invitee(email=None, board=(("Obed Neno", None),))])
    assert (sent.cooperative_count, sent.message_count) == (1, 0)
    assert len(guests(event)) == 1


def test_organisations_are_invited_once_per_address_and_join_the_guest_list(invitable_event, invite):
    event = invitable_event()
    sent = invite(event, organisations=[("Bank NTT Cabang Oelamasi", "Kredit@BankNTT.example"),
                                        ("Bank NTT (lagi)", "kredit@bankntt.example")])
    assert (sent.organisation_count, sent.message_count) == (1, 1)
    with pytest.raises(RuleViolation):
        invite(event, organisations=[("Bank NTT", "kredit@bankntt.example")])
    db.session.rollback()
    [entry] = guests(event)
    assert (entry.organisation_name, entry.email) == ("Bank NTT Cabang Oelamasi", "kredit@bankntt.example")
    with pytest.raises(RuleViolation) as refused:
        services.send_invitations(sent.sent_by, event, Selection(mode="hand"), [("", "a@example.org")])
    assert refused.value.field == "organisations"


def test_only_organisers_invite_and_only_to_a_published_event_that_has_not_ended(make_event, invitable_event,
                                                                                    make_user, organiser):
    draft = make_event()
    with pytest.raises(RuleViolation):
        services.send_invitations(organiser, draft, Selection())
    with pytest.raises(RuleViolation):
        services.send_invitations(make_user(Role.BOARD), invitable_event(), Selection())
    past = make_event(status="published")  # 1 December 2022
    with pytest.raises(RuleViolation):
        services.send_invitations(organiser, past, Selection())


def test_an_answer_replaces_the_earlier_one_and_a_decline_keeps_its_reason(invitable_event, make_invitee, invite):
    event = invitable_event()
    invite(event, [make_invitee()])
    [invitation] = invitations_of(event)
    assert services.answer_invitation(None, invitation, InvitationAnswer.ACCEPTED) is None
    previous = services.answer_invitation(None, invitation, "declined", reason="  Panen jagung  ")
    assert previous == InvitationAnswer.ACCEPTED
    assert (invitation.answer, invitation.decline_reason) == (InvitationAnswer.DECLINED, "Panen jagung")
    assert services.answer_invitation(None, invitation, "accepted") == InvitationAnswer.DECLINED
    assert invitation.decline_reason is None and invitation.answered_at is not None


def test_accepting_a_meeting_signs_up_who_will_come(invitable_event, make_invitee, invite):
    """The names become registrations; beyond the cooperative's limit they wait (tests/test_meeting_answers.py)."""
    event = invitable_event(kind=EventKind.MEETING, seats_per_cooperative=2)
    invite(event, [make_invitee()])
    [invitation] = invitations_of(event)
    with pytest.raises(RuleViolation) as refused:
        services.answer_invitation(None, invitation, "accepted", attendee_names="  \n ")
    assert refused.value.field == "attendee_names"
    services.answer_invitation(None, invitation, "accepted", attendee_names="Yohanes  Bani\n\nMaria Tefa\nAgus\n")
    signed_up = db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                                   .order_by(Registration.id)).all()
    assert [(r.participant.full_name, r.status) for r in signed_up] == [
        ("Yohanes Bani", RegistrationStatus.CONFIRMED), ("Maria Tefa", RegistrationStatus.CONFIRMED),
        ("Agus", RegistrationStatus.WAITLISTED)]
    assert invitation.attendee_count == 3
    services.answer_invitation(None, invitation, "declined")
    assert invitation.attendee_count is None
    assert {r.status for r in signed_up} == {RegistrationStatus.CANCELLED}


def test_links_are_refused_when_unknown_for_another_event_or_after_the_event(invitable_event, make_invitee, invite):
    event, other = invitable_event(), invitable_event(title="Rapat Lain")
    invite(event, [make_invitee()])
    [invitation] = invitations_of(event)
    assert services.open_invitation(event.id, invitation.token) is invitation
    forged = invitation.token[:-1] + ("y" if invitation.token.endswith("x") else "x")
    cases = [(event.id, forged, services.LinkProblem.UNKNOWN),
             (event.id, "", services.LinkProblem.UNKNOWN),
             (other.id, invitation.token, services.LinkProblem.OTHER_EVENT)]
    for event_id, token, problem in cases:
        with pytest.raises(services.LinkRefused) as refused:
            services.open_invitation(event_id, token)
        assert refused.value.problem == problem
    ended = services.valid_until(event)
    assert services.open_invitation(event.id, invitation.token, now=ended - timedelta(seconds=1))
    with pytest.raises(services.LinkRefused) as refused:
        services.open_invitation(event.id, invitation.token, now=ended)
    assert refused.value.problem == services.LinkProblem.EXPIRED
    with pytest.raises(RuleViolation):
        services.answer_invitation(None, invitation, "accepted", now=ended)


def test_a_cancelled_event_takes_no_answers(invitable_event, make_invitee, invite, organiser):
    event = invitable_event()
    invite(event, [make_invitee()])
    [invitation] = invitations_of(event)
    event_services.cancel_event(organiser, event, "Banjir")
    with pytest.raises(RuleViolation):
        services.answer_invitation(None, invitation, "accepted")


def test_naming_participants_through_the_link_follows_the_registration_rules(invitable_event, make_invitee, invite):
    event = invitable_event(seats=2, seats_per_cooperative=2)
    cooperative = make_invitee(board=(("Yohanes Bani", "auto"), ("Maria Tefa", "auto"), ("Agus Lake", None)))
    invite(event, [cooperative])
    [invitation] = invitations_of(event)
    members = [m.id for m in cooperative.board_members]
    with pytest.raises(RuleViolation):
        services.name_participants(None, invitation, [], members[:2])
    services.answer_invitation(None, invitation, "accepted")
    done = services.name_participants(None, invitation, [], members[:2])
    db.session.commit()
    assert [r.cooperative_id for r in done] == [cooperative.id] * 2 and done[0].signed_up_by_id is None
    with pytest.raises(RuleViolation, match="2"):
        services.name_participants(None, invitation, [], members[2:])


def test_declining_a_training_gives_back_the_seats_of_the_people_named(invitable_event, make_invitee, invite):
    event = invitable_event(seats=2, seats_per_cooperative=2)
    cooperative = make_invitee(board=(("Yohanes Bani", "auto"), ("Maria Tefa", "auto")))
    invite(event, [cooperative])
    [invitation] = invitations_of(event)
    services.answer_invitation(None, invitation, "accepted")
    named = services.name_participants(None, invitation, [], [m.id for m in cooperative.board_members])
    db.session.commit()

    services.answer_invitation(None, invitation, "declined", reason="Bentrok dengan RAT")
    db.session.commit()

    assert {db.session.get(Registration, r.id).status for r in named} == {RegistrationStatus.CANCELLED}
    assert invitation.answer == InvitationAnswer.DECLINED


@pytest.mark.postgres
def test_concurrent_sends_invite_each_cooperative_once(app, invitable_event, make_invitee, organiser):
    from portal.accounts.models import User
    from portal.events.models import Event
    from tests.test_registration_concurrency import run_together

    event = invitable_event()
    for _ in range(30):
        make_invitee(district_name="Amfoang Utara", commit=False)
    db.session.commit()
    chosen = Selection(district_ids=[district("Amfoang Utara").id])
    event_id, organiser_id = event.id, organiser.id

    def send(_i):
        sent = services.send_invitations(db.session.get(User, organiser_id), db.session.get(Event, event_id), chosen)
        return sent.cooperative_count, sent.message_count

    results = run_together(app, 4, send)
    assert [r for r in results if isinstance(r, Exception) and not isinstance(r, RuleViolation)] == []
    done = [r for r in results if not isinstance(r, Exception)]
    assert sum(invited for invited, _messages in done) == 30
    assert sum(messages for _invited, messages in done) == 60
    assert len(invitations_of(event)) == 30 and len(guests(event)) == 30
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 60


def test_a_round_has_a_limit_so_one_request_stays_short(invitable_event, make_invitee, invite, monkeypatch):
    event = invitable_event()
    cooperatives = [make_invitee() for _ in range(3)]
    monkeypatch.setattr(services, "MAX_COOPERATIVES_PER_ROUND", 2)
    with pytest.raises(RuleViolation, match="2"):
        invite(event, cooperatives)
    db.session.rollback()
    assert invite(event, cooperatives[:2]).cooperative_count == 2
