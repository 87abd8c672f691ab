"""The funnel of the cooperatives inactive at the start of a year: invited → answered → took part
→ RAT held → active again, with the cooperatives at each stage, at a constant number of queries."""

from datetime import UTC, date, datetime

import pytest

from portal.accounts.models import Role
from portal.cooperatives.models import CooperativeStatus
from portal.extensions import db
from portal.invitations.models import InvitationAnswer
from portal.revival import funnel, services
from tests.invitation_fixtures import invitations_of

TODAY = date(2026, 4, 10)
CLOCK = pytest.mark.app_config(PORTAL_CLOCK=lambda: datetime(2026, 4, 10, 2, tzinfo=UTC))


def _names(stage, year=2026):
    return sorted(c.name for c in db.session.scalars(funnel.stage_query(year, stage)))


def test_each_stage_lists_the_cooperatives_that_reached_it(app, make_cooperative, invitable_event, invite,
                                                            organiser):
    tidur = make_cooperative(name="KSP Tidur", status=CooperativeStatus.INACTIVE, status_reason="x")
    bangun = make_cooperative(name="KSP Bangun", status=CooperativeStatus.INACTIVE, status_reason="x")
    make_cooperative(name="KSP Aktif")
    event = invitable_event()
    invite(event, [tidur, bangun])
    answered = next(i for i in invitations_of(event) if i.cooperative_id == bangun.id)
    answered.answer, answered.answered_at = InvitationAnswer.ACCEPTED, datetime.now(UTC)
    record = services.save_rat(organiser, bangun, {"book_year": 2025, "is_held": True, "held_on": date(2026, 3, 1),
                                                   "members_present": 10, "members_total": 20}, TODAY)
    services.reactivate(organiser, record, TODAY)
    db.session.commit()
    year = datetime.now(UTC).year
    assert _names(None, 2026) == ["KSP Bangun", "KSP Tidur"]
    assert _names("answered", year) == (["KSP Bangun"] if year == 2026 else [])
    assert _names("rat_held") == ["KSP Bangun"]
    assert _names("active_again") == ["KSP Bangun"]
    counts = funnel.funnel_counts(2026)
    assert (counts["cohort"], counts["rat_held"], counts["active_again"]) == (2, 1, 1)


@CLOCK
def test_the_funnel_page_costs_the_same_for_10_and_1000_events(client, logged_in, make_cooperative, count_queries):
    from portal.revival.models import Contact, ContactChannel
    logged_in(Role.ORGANISER)
    cooperatives = [make_cooperative(status=CooperativeStatus.INACTIVE, status_reason="x") for _n in range(3)]
    with count_queries() as few:
        assert client.get("/rat/funnel?year=2026&stage=invited").status_code == 200
    db.session.add_all(Contact(cooperative_id=cooperatives[n % 3].id, channel=ContactChannel.PHONE,
                               contacted_on=date(2026, 1, 2), outcome="x") for n in range(1000))
    for _n in range(30):
        make_cooperative(status=CooperativeStatus.INACTIVE, status_reason="x")
    db.session.commit()
    with count_queries() as many:
        page = client.get("/rat/funnel?year=2026")
    assert page.status_code == 200 and 'data-stage="cohort"' in page.text
    assert len(many) == len(few)


def test_a_board_member_cannot_read_the_funnel(client, login, make_cooperative, make_board_user):
    login(client, make_board_user(make_cooperative()))
    assert client.get("/rat/funnel").status_code == 403


def test_taking_part_counts_attendance_in_the_year(app, finished_training, organiser):
    done = finished_training([["present", "absent"], ["absent", "absent"]], min_sessions=1)
    done.cooperative.status, done.cooperative.status_reason = CooperativeStatus.INACTIVE, "x"
    db.session.commit()
    year = done.event.sessions[0].starts_at.year
    assert _names("took_part", year) == [done.cooperative.name]
    assert _names("took_part", year - 1) == []
