"""How the minutes plug into the capabilities before them: a cooperative's open follow-ups on its
page, and the follow-ups due as a panel of the organiser's home page (``followups/_due.html``)."""

from portal.database import clock_now
from portal.i18n import to_local
from portal.main.panels import ORGANISER_HOME, HomePanel
from portal.minutes import queries, retention
from portal.privacy.services import RetentionRule
from portal.seams import COOPERATIVE_PAGE_PARTS, HOME_PANELS, RETENTION_RULES, register


def office_today():
    return to_local(clock_now()).date()


def due_on_home(actor):
    """The follow-ups due for the organiser's offices as of the office's today; None hides the panel."""
    return queries.followups_due(actor, office_today()) or None


def register_subscriptions(app) -> None:
    register(app, COOPERATIVE_PAGE_PARTS, "minutes/_cooperative.html")
    register(app, RETENTION_RULES, RetentionRule("minutes.photos", "photo_days", retention.forget_photos))
    register(app, HOME_PANELS, HomePanel("follow_ups", ORGANISER_HOME, "followups/_due.html", due_on_home, order=25))
    app.jinja_env.globals.update(today_for_followups=office_today,
                                 cooperative_follow_ups=queries.cooperative_follow_ups)
