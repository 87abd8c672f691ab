"""How reports plugs into the portal: the panels of the home pages (``portal/main/panels.py``),
and the worker's job that counts again the report snapshots people read (``snapshots.py``)."""

from portal.accounts.models import Role
from portal.main.panels import ORGANISER_HOME, HomePanel
from portal.reports import home, snapshots
from portal.seams import HOME_PANELS, PERIODIC_JOBS, register


def register_subscriptions(app) -> None:
    for panel in (
        HomePanel("sessions", ORGANISER_HOME, "reports/home/_sessions.html", home.sessions, order=10),
        HomePanel("waiting", ORGANISER_HOME, "reports/home/_waiting.html", home.waiting, order=20),
        # order 25 is kept for the follow-ups due (minutes), beside what waits
        HomePanel("key_figures", ORGANISER_HOME, "reports/home/_key_figures.html", home.key_figures, order=40),
        HomePanel("accounts_and_mail", (Role.ADMIN.value,), "reports/home/_accounts_and_mail.html",
                  home.accounts_and_mail, order=50),
        HomePanel("board", (Role.BOARD.value,), "reports/home/_board.html", home.board, order=10),
    ):
        register(app, HOME_PANELS, panel)
    register(app, PERIODIC_JOBS, ("reports.refresh_snapshots", snapshots.refresh_due))
