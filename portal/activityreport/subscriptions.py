"""The worker builds the queued laporan kegiatan on each pass (a periodic job: it gets the clock)."""

from portal.activityreport.services import build_pending
from portal.seams import PERIODIC_JOBS, register


def register_subscriptions(app) -> None:
    register(app, PERIODIC_JOBS, ("activityreport.build", build_pending))
