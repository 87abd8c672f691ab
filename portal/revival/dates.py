"""The office's today, for revival's rules: the app's clock in the office's zone."""

from datetime import date

from portal.database import clock_now
from portal.i18n import to_local


def office_today() -> date:
    return to_local(clock_now()).date()
