"""Report figures counted once and shared by every app server (``ReportSnapshot``).

At a country's size a report's aggregate reads the whole registry (up to a second on
PostgreSQL), too slow to count on every request of every app server. A page asks
``read(name, filters, actor, build)`` and gets its value and when it was counted, from:

1. this process's copy, while under ``REPORT_CACHE_SECONDS`` old (no query at all);
2. the shared snapshot, while under ``REPORT_SNAPSHOT_SECONDS`` old (one indexed read);
3. otherwise ``build()``, kept as the shared snapshot for every reader of the same offices.

The worker's periodic job (``refresh_due``) counts again, a few per pass, the snapshots read in
the last day that are older than ``REPORT_REFRESH_SECONDS``, so a report people read is rarely
counted in a request; a snapshot nobody read for a week is removed. The key holds the report,
its filters, the offices the reader reads, the language and the time zone, so no office sees
another's figures.
"""

import hashlib
import json
import logging
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import force_locale, get_locale
from sqlalchemy import delete, select, update

from portal.accounts.models import User
from portal.database import clock_now, conflict_insert, write_apart
from portal.extensions import db
from portal.i18n import zone_name
from portal.offices.context import office_in_use
from portal.offices.scope import readable_office_ids
from portal.reports.cache import cached
from portal.reports.figures import Filters
from portal.reports.models import ReportSnapshot

log = logging.getLogger("portal.reports")
FORGOTTEN_AFTER = timedelta(days=7)
READ_LATELY = timedelta(days=1)


# -- values as JSON ---------------------------------------------------------------------------


def _encode(value):
    from portal.reports.catalogue import Table

    if isinstance(value, Table):
        return {"$table": {"header": _encode(value.header), "rows": _encode(value.rows),
                           "chart_title": value.chart_title, "chart_labels": _encode(value.chart_labels),
                           "chart_series": _encode(value.chart_series), "notes": _encode(value.notes),
                           "more": _encode(value.more), "title": value.title}}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(key): _encode(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)  # labels (lazy strings) as the text they are in the snapshot's language


def _decode(value):
    from portal.reports.catalogue import Table

    if isinstance(value, list):
        return [_decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "$table" in value:
        fields = _decode(value["$table"])
        return Table(**fields)
    if "$datetime" in value:
        return datetime.fromisoformat(value["$datetime"])
    if "$date" in value:
        return date.fromisoformat(value["$date"])
    return {key: _decode(item) for key, item in value.items()}


def _filters_json(filters: Filters) -> dict:
    return {"begins": filters.begins.isoformat(), "ends": filters.ends.isoformat(),
            "district_ids": list(filters.district_ids) if filters.district_ids is not None else None,
            "cooperative_type": filters.cooperative_type, "program_area": filters.program_area}


def _filters_from(data: dict) -> Filters:
    return Filters(date.fromisoformat(data["begins"]), date.fromisoformat(data["ends"]),
                   tuple(data["district_ids"]) if data["district_ids"] is not None else None,
                   data["cooperative_type"], data["program_area"])


def snapshot_key(name: str, filters: Filters, actor, locale: str) -> str:
    """What a snapshot was counted for: the report, its filters, the offices the reader reads,
    the language and the time zone its dates were read in."""
    offices = readable_office_ids(actor)
    text = json.dumps([name, _filters_json(filters), sorted(offices) if offices is not None else None, locale,
                       zone_name()])
    return hashlib.sha256(text.encode()).hexdigest()


# -- reading ----------------------------------------------------------------------------------


def read(name: str, filters: Filters, actor, build):
    """(value, when it was counted): see the module's docstring."""
    return cached(name, filters, actor, lambda: _shared(name, filters, actor, build), with_as_of=True)


def _shared(name: str, filters: Filters, actor, build):
    locale = str(get_locale())
    key = snapshot_key(name, filters, actor, locale)
    now = clock_now()
    kept = db.session.execute(select(ReportSnapshot.value, ReportSnapshot.computed_at, ReportSnapshot.read_at)
                              .where(ReportSnapshot.key == key)).one_or_none()
    fresh = timedelta(seconds=current_app.config["REPORT_SNAPSHOT_SECONDS"])
    if kept is not None and kept.computed_at > now - fresh:
        if kept.read_at < now - timedelta(hours=1):  # the worker's "read lately", written hourly at most
            _write(update(ReportSnapshot).where(ReportSnapshot.key == key).values(read_at=now))
        return _decode(kept.value), kept.computed_at
    value = build()
    row = {"key": key, "report": name, "filters": _filters_json(filters), "locale": locale,
           "reader_id": getattr(actor, "id", None), "value": _encode(value), "computed_at": now, "read_at": now}
    insert = conflict_insert(db.session(), ReportSnapshot).values(**row)
    _write(insert.on_conflict_do_update(index_elements=["key"], set_={
        column: insert.excluded[column] for column in ("reader_id", "value", "computed_at", "read_at")}))
    return value, now


def _write(statement) -> None:
    """``statement`` in a write of its own (a page that reads changes nothing else)."""
    with write_apart(db.session) as session:
        session.execute(statement)


# -- the worker -------------------------------------------------------------------------------


def builders() -> dict:
    """What each snapshot's ``report`` names: how to count it again, as ``build(filters, actor)``."""
    from portal.reports import home
    from portal.reports.catalogue import REPORTS

    return {**{name: report.build for name, report in REPORTS.items()}, home.KEY_FIGURES: home.count_key_figures}


def refresh_due(now: datetime) -> int:
    """Count again the snapshots read lately and older than ``REPORT_REFRESH_SECONDS``, at most
    ``REPORT_REFRESH_BATCH`` a pass, oldest first; drop those nobody read for a week, those whose
    reader is gone or reads other offices now, and one that fails to count (logged: a request
    counts it afresh). Each is counted outside any write and kept in a short write of its own, so
    on SQLite a long count holds no lock. Two workers may count the same one: the later wins,
    with the same figures. How many were counted again."""
    config = current_app.config
    _write(delete(ReportSnapshot).where(ReportSnapshot.read_at < now - FORGOTTEN_AFTER))
    due = db.session.execute(
        select(ReportSnapshot.id, ReportSnapshot.key, ReportSnapshot.report, ReportSnapshot.filters,
               ReportSnapshot.locale, ReportSnapshot.reader_id)
        .where(ReportSnapshot.computed_at < now - timedelta(seconds=config["REPORT_REFRESH_SECONDS"]),
               ReportSnapshot.read_at >= now - READ_LATELY)
        .order_by(ReportSnapshot.computed_at).limit(config["REPORT_REFRESH_BATCH"])).all()
    db.session.rollback()  # the reading ends here
    counted = 0
    known = builders()
    for snapshot in due:
        reader = db.session.get(User, snapshot.reader_id) if snapshot.reader_id else None
        build = known.get(snapshot.report)
        this_one = ReportSnapshot.id == snapshot.id
        with force_locale(snapshot.locale), office_in_use(reader.office if reader else None):
            try:
                filters = _filters_from(snapshot.filters)
                if (build is None or reader is None or not reader.is_active_account
                        or snapshot_key(snapshot.report, filters, reader, snapshot.locale) != snapshot.key):
                    _write(delete(ReportSnapshot).where(this_one))
                    continue
                value = _encode(build(filters, reader))
            except Exception:
                db.session.rollback()
                log.exception("report snapshot %s (%s) could not be counted again; dropped", snapshot.id,
                              snapshot.report)
                _write(delete(ReportSnapshot).where(this_one))
                continue
        _write(update(ReportSnapshot).where(this_one).values(value=value, computed_at=now))
        counted += 1
    return counted
