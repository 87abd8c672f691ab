"""A short-lived cache of the reports' tables (and their charts), per app process: at national
size a report's aggregate reads a country's registry, so a page opened again within
``REPORT_CACHE_SECONDS`` (5 minutes by default; 0 turns it off) is served from the last
reading, and says when that was. The key holds the report, its filters, the offices the reader
reads and the language, so no office ever sees another's figures."""

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


def cached(report, filters, actor, build):
    """(value, as_of): ``build()`` or what it gave within the last ``REPORT_CACHE_SECONDS``."""
    seconds = current_app.config.get("REPORT_CACHE_SECONDS", 300)
    offices = readable_office_ids(actor)
    key = (report, filters, tuple(sorted(offices)) if offices is not None else None, str(get_locale()))
    store = _store()
    now = time.monotonic()
    with _LOCK:
        hit = store.get(key)
        if hit is not None and now - hit[0] < seconds:
            store.move_to_end(key)
            return hit[1], hit[2]
    value, as_of = build(), clock_now()
    if seconds > 0:
        with _LOCK:
            store[key] = (now, value, as_of)
            while len(store) > MAX_ENTRIES:
                store.popitem(last=False)
    return value, as_of
