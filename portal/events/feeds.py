"""/events.ics at a country's size: thousands of events, asked for by every calendar app every
few hours. The feed is written from a generator over batches read by a session of its own (a
worker never holds it whole), kept on disk under its version while it is current, and served
from there to the next asker; a calendar app that has it answers with its ETag and gets 304.
Every app server keeps its own copy (``instance/feeds/``); a copy not used for a day is removed.
"""

import os
import time
from pathlib import Path

from portal.database import streamed
from portal.events.calendar import make_entry, write_entries

STALE_SECONDS = 24 * 3600


def cached_feed(directory: Path, version: str) -> Path | None:
    path = directory / f"{version}.ics"
    return path if path.exists() else None


def _entries(rows, base_url: str):
    base_url = base_url.rstrip("/")
    for row in rows:
        values = row._asdict()
        event_id = values.pop("event_id")
        yield make_entry(**values, url=f"{base_url}/events/{event_id}")


def written_feed(engine, query, base_url: str, directory: Path, version: str):
    """The feed's body as it is written from ``queries.feed_query``'s rows, kept under
    ``version`` once whole (a client that goes away midway leaves nothing behind)."""
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / f"{version}.{os.getpid()}.partial"
    try:
        with partial.open("wb") as copy:
            for chunk in write_entries(_entries(streamed(engine, query, batch_size=1000), base_url)):
                copy.write(chunk)
                yield chunk
        partial.replace(directory / f"{version}.ics")
        _remove_stale(directory)
    finally:
        partial.unlink(missing_ok=True)


def _remove_stale(directory: Path) -> None:
    cutoff = time.time() - STALE_SECONDS
    for path in directory.glob("*.ics"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass
