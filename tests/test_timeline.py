"""Each cooperative's path: one timeline of every kind of item, newest first, paginated in SQL,
at a constant number of queries for 10 and 1,000 items."""

from datetime import UTC, date, datetime, timedelta

from portal.accounts.models import Role
from portal.certificates.services import issue_certificates
from portal.database import utcnow
from portal.extensions import db
from portal.invitations.models import InvitationAnswer
from portal.revival import contacts, services
from portal.revival.models import Contact, ContactChannel
from portal.revival.timeline import cooperative_timeline
from tests.invitation_fixtures import invitations_of

TODAY = date(2026, 4, 10)


def _full_path(finished_training, invitable_event, invite, organiser):
    done = finished_training([["present", "late", None]], min_sessions=2)
    issue_certificates(organiser, done.event.id, utcnow())
    cooperative = done.cooperative
    event = invitable_event(title="Rapat Koordinasi RAT")
    invite(event, [cooperative])
    invitation = invitations_of(event)[0]
    invitation.answer, invitation.answered_at = InvitationAnswer.ACCEPTED, datetime(2026, 3, 2, tzinfo=UTC)
    services.save_rat(organiser, cooperative, {"book_year": 2025, "is_held": True, "held_on": date(2026, 3, 14),
                                               "members_present": 20, "members_total": 30}, TODAY)
    contacts.log_contact(organiser, cooperative, {"channel": "visit", "contacted_on": date(2026, 3, 20),
                                                  "outcome": "Dikunjungi"}, TODAY)
    db.session.commit()
    return cooperative


def test_the_timeline_shows_every_kind_newest_first(app, finished_training, invitable_event, invite, organiser):
    cooperative = _full_path(finished_training, invitable_event, invite, organiser)
    page = cooperative_timeline(cooperative.id)
    kinds = [item.kind for item in page.items]
    assert {"invitation", "answer", "registration", "attendance", "certificate", "rat", "contact"} <= set(kinds)
    days = [item.day for item in page.items]
    assert days == sorted(days, reverse=True)


def _add_contacts(cooperative, organiser, count):
    db.session.add_all(Contact(cooperative_id=cooperative.id, channel=ContactChannel.PHONE, officer_id=organiser.id,
                               contacted_on=date(2020, 1, 1) + timedelta(days=n), outcome=f"Telepon {n}",
                               next_step="Telepon lagi", next_step_due=date(2026, 5, 1))
                       for n in range(count))
    db.session.commit()


def test_the_timeline_pages_in_sql(app, make_cooperative, organiser):
    cooperative = make_cooperative()
    _add_contacts(cooperative, organiser, 30)
    first = cooperative_timeline(cooperative.id, per_page=25)
    second = cooperative_timeline(cooperative.id, page=2, per_page=25)
    assert (len(first.items), first.has_next, len(second.items), second.has_next, first.total) == (25, True, 5, False,
                                                                                                   30)
    assert first.items[0].item.outcome == "Telepon 29" and second.items[-1].item.outcome == "Telepon 0"


def test_the_cooperative_page_costs_the_same_for_10_and_1000_items(client, login, make_user, finished_training,
                                                                   invitable_event, invite, organiser,
                                                                   count_queries):
    cooperative = _full_path(finished_training, invitable_event, invite, organiser)
    login(client, make_user(Role.ORGANISER))
    _add_contacts(cooperative, organiser, 10)
    with count_queries() as few:
        page = client.get(f"/cooperatives/{cooperative.id}")
    assert page.status_code == 200 and 'data-testid="timeline"' in page.text
    _add_contacts(cooperative, organiser, 990)
    with count_queries() as many:
        assert client.get(f"/cooperatives/{cooperative.id}").status_code == 200
    with count_queries() as deep:
        page = client.get(f"/cooperatives/{cooperative.id}?timeline=30")
    assert page.status_code == 200 and 'data-kind="contact"' in page.text
    assert len(many) == len(few)
    assert len(page.text) < 200_000  # a thousand items are not all on the page
    assert len(deep) <= len(few)  # one query per kind on the page, at most
