"""The month calendar's sessions, rendered once and kept while the month is unchanged.

A busy month at a country's size shows some ninety sessions (three a day) with their events,
venues and districts: reading and writing them costs most of the page. Each app process keeps
the last ``SIZE`` rendered months under what they were rendered from (the month, the place
filters, language, zone and the office's today) and the month's stamp
(``queries.month_stamp``: one aggregate over the month's sessions), so a change to an event or a
session of the month shows at once. A venue or district renamed shows within ``SECONDS``.
"""

import threading
import time
from collections import OrderedDict

from flask import current_app

SIZE = 64
SECONDS = 60


class RenderedMonths:
    def __init__(self, size: int = SIZE, seconds: float = SECONDS):
        self.size, self.seconds, self.kept = size, seconds, OrderedDict()
        # gunicorn's threads share the process: one reorders while another reads.
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            found = self.kept.get(key)
            if found is None or found[0] < time.monotonic():
                self.kept.pop(key, None)
                return None
            self.kept.move_to_end(key)
            return found[1]

    def put(self, key, value) -> None:
        with self.lock:
            self.kept[key] = (time.monotonic() + self.seconds, value)
            self.kept.move_to_end(key)
            while len(self.kept) > self.size:
                self.kept.popitem(last=False)


def rendered_months() -> RenderedMonths:
    """This app's kept months (one per app, so tests and apps never share them)."""
    return current_app.extensions.setdefault("rendered_months", RenderedMonths())


def kept_or_rendered(key, render):
    """The month rendered under ``key``, or ``render()`` kept under it. ``key`` None: not kept."""
    if key is None:
        return render()
    months = rendered_months()
    value = months.get(key)
    if value is None:
        value = render()
        months.put(key, value)
    return value
