"""The demo shows a year of bringing cooperatives back."""

from sqlalchemy import func, select

from portal.cooperatives.models import Cooperative
from portal.extensions import db
from portal.revival import funnel
from portal.revival.dates import office_today
from portal.revival.demo import story_year
from portal.revival.models import Contact, RatRecord, RatSource


def test_the_demo_shows_a_year_of_revival(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # again: nothing more
    with app.test_request_context():
        year = story_year(office_today())
    counts = funnel.funnel_counts(year)
    assert counts["cohort"] >= 240
    assert (counts["invited"], counts["answered"], counts["took_part"]) == (12, 8, 5)
    assert (counts["rat_held"], counts["active_again"]) == (2, 2)
    registry = db.session.scalar(select(func.count()).select_from(RatRecord).where(
        RatRecord.source == RatSource.REGISTRY))
    assert registry == db.session.scalar(select(func.count()).select_from(Cooperative).where(
        Cooperative.last_rat_year.is_not(None)))
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 12 + 5 + 2
    reactivated = db.session.scalars(select(Cooperative).join(RatRecord, RatRecord.cooperative_id == Cooperative.id)
                                     .where(RatRecord.reactivation_id.is_not(None))).all()
    assert len(reactivated) == 2 and all(c.last_rat_year == year - 1 for c in reactivated)
