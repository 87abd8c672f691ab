"""/events.ics at a country's size: thousands of events, asked for by every calendar app every
few hours. The feed is written from a generator over batches read by a session of its own (a
worker never holds it whole), kept on disk under its version while it is current, and served
from there to the next asker; a calendar app that has it answers with its ETag and gets 304.
Every app server keeps its own copy (``instance/feeds/``), and a gzip copy beside it for the
calendar apps that accept one (most do: a country's feed is a few megabytes, its gzip a tenth);
a copy not used for a day is removed. Each process reuses the version it last read for
``FEED_VERSION_SECONDS``, so a poll reads neither the events nor the feed's aggregate.
"""

import os
import time
import uuid
import zlib
from pathlib import Path

from flask import current_app

from portal.database import streamed
from portal.events.calendar import make_entry, write_entries

STALE_SECONDS = 24 * 3600


def cached_feed(directory: Path, version: str, gzipped: bool = False) -> Path | None:
    path = directory / f"{version}.ics{'.gz' if gzipped else ''}"
    return path if path.exists() else None


def current_version(key, read):
    """What ``read()`` gave for ``key`` (the feed's version and window) when this process last
    asked, asked again after ``FEED_VERSION_SECONDS``."""
    seconds = current_app.config["FEED_VERSION_SECONDS"]
    kept = current_app.extensions.setdefault("feed_versions", {})
    now = time.monotonic()
    found = kept.get(key)
    if found is None or found[0] <= now:
        if len(kept) > 256:
            kept.clear()
        found = kept[key] = (now + seconds, read())
    return found[1]


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
    writer = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"  # two requests of one process may write at once
    partial = directory / f"{version}.{writer}.partial"
    partial_gzip = directory / f"{version}.{writer}.gz.partial"
    try:
        compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # the gzip format
        with partial.open("wb") as copy, partial_gzip.open("wb") as gzipped:
            for chunk in write_entries(_entries(streamed(engine, query, batch_size=1000), base_url)):
                copy.write(chunk)
                gzipped.write(compressor.compress(chunk))
                yield chunk
            gzipped.write(compressor.flush())
        partial_gzip.replace(directory / f"{version}.ics.gz")
        partial.replace(directory / f"{version}.ics")
        _remove_stale(directory)
    finally:
        partial.unlink(missing_ok=True)
        partial_gzip.unlink(missing_ok=True)


def _remove_stale(directory: Path) -> None:
    cutoff = time.time() - STALE_SECONDS
    for path in [*directory.glob("*.ics"), *directory.glob("*.ics.gz")]:
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass
