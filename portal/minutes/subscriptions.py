"""How the minutes plug into the capabilities before them: a cooperative's open follow-ups on its
page, and the follow-ups due that an organiser's home page includes (``followups/_due.html``)."""

from portal.accounts.access import current_actor
from portal.database import clock_now
from portal.i18n import to_local
from portal.minutes import queries
from portal.seams import COOPERATIVE_PAGE_PARTS, register


def office_today():
    return to_local(clock_now()).date()


def due_for_current_user():
    """The follow-ups due for the logged-in organiser's offices, as of their office's today."""
    return queries.followups_due(current_actor(), office_today())


def register_subscriptions(app) -> None:
    register(app, COOPERATIVE_PAGE_PARTS, "minutes/_cooperative.html")
    app.jinja_env.globals.update(followups_due=due_for_current_user, today_for_followups=office_today,
                                 cooperative_follow_ups=queries.cooperative_follow_ups)
