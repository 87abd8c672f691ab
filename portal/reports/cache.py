"""A short-lived cache of the reports' tables (and their charts), per app process, in front of
the snapshots every app server shares (``snapshots.py``): a page opened again within
``REPORT_CACHE_SECONDS`` (a minute by default; 0 turns it off) is served from this process's
last reading, with no query, and says when its figures were counted. The key holds the report,
its filters, the offices the reader reads and the language, so no office ever sees another's
figures."""

import threading
import time
from collections import OrderedDict

from flask import current_app
from flask_babel import get_locale

from portal.database import clock_now
from portal.offices.scope import readable_office_ids

MAX_ENTRIES = 128
_LOCK = threading.Lock()


def _store() -> OrderedDict:
    return current_app.extensions.setdefault("portal_report_cache", OrderedDict())


def cached(report, filters, actor, build, with_as_of: bool = False):
    """(value, as_of): ``build()`` or what it gave within the last ``REPORT_CACHE_SECONDS``;
    ``with_as_of``: ``build()`` gives (value, as_of) itself (a shared snapshot's time)."""
    seconds = current_app.config["REPORT_CACHE_SECONDS"]
    offices = readable_office_ids(actor)
    key = (report, filters, tuple(sorted(offices)) if offices is not None else None, str(get_locale()))
    store = _store()
    now = time.monotonic()
    with _LOCK:
        hit = store.get(key)
        if hit is not None and now - hit[0] < seconds:
            store.move_to_end(key)
            return hit[1], hit[2]
    value, as_of = build() if with_as_of else (build(), clock_now())
    if seconds > 0:
        with _LOCK:
            store[key] = (now, value, as_of)
            while len(store) > MAX_ENTRIES:
                store.popitem(last=False)
    return value, as_of
