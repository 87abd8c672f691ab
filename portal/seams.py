"""How a later capability plugs into an earlier one that may not import it.

An earlier capability names a seam and reads what is registered there; a later one registers
its items from its ``subscriptions.py`` when the app is built. Items are kept per app, in
``app.extensions``, so two apps (tests, a worker beside a server) never share them, and
registering the same item twice keeps one. (Changes the later capabilities must hear about go
the other way, as blinker signals: ``portal/events/signals.py``.)

The seams, what an item is, and who reads them:
"""

from flask import current_app

# (name, renderer): renderer(**args) -> (filename, content_type, bytes) or None; the mail worker
# builds a queued message's deferred attachment with the renderer its row names.
ATTACHMENT_RENDERERS = "attachment_renderers"
# (name, label): what the Email page calls a deferred attachment built by the renderer ``name``.
ATTACHMENT_NAMES = "attachment_names"
# (name, job): job(now) runs on each pass of the mail worker, in its own transaction (reminders,
# ending expired logins).
PERIODIC_JOBS = "periodic_jobs"
# (kind, watcher): watcher(ids) runs in the transaction that queues messages about ``kind`` rows
# ``ids`` (text, as the subject key holds them) or changes their state (sent, failed, queued again,
# cancelled): a capability keeps its own counts of its messages (invitations' delivery).
MESSAGE_WATCHERS = "message_watchers"
# counter(event_ids) -> {event_id: seats taken}; events adds them up for its pages (registrations).
SEAT_COUNTERS = "seat_counters"
# A TicketPart (portal/registrations/tickets.py): shown on a ticket page and in confirmation emails.
TICKET_PARTS = "ticket_parts"
# A template included in a cooperative's page, with ``cooperative`` in its context.
# link(registration) -> (label, url) or None: a link the certificate email carries (the evaluation).
CERTIFICATE_EMAIL_LINKS = "certificate_email_links"
COOPERATIVE_PAGE_PARTS = "cooperative_page_parts"

# A HomePanel (portal/main/panels.py): a part of a role's home page (reports registers the
# organiser's, the administrator's and the board's; follow-ups add theirs).
HOME_PANELS = "home_panels"
# A RetentionRule (portal/privacy/services.py): name, the PrivacySettings field of its period,
# apply(now, office, days, dry_run) -> rows changed; the retention run applies each per office.
RETENTION_RULES = "retention_rules"
# (name, eraser): eraser(participant, now) blanks what a later capability keeps about that person
# (survey answers tied to them, photo captions naming them) when an erasure request is granted.
PERSONAL_DATA_ERASERS = "personal_data_erasers"

# reply_to() -> address or None: where replies go when a message names nobody (the office's
# email, from settings); mail reads it when queueing.
REPLY_TO = "reply_to"

_EXTENSION = "portal_seams"


def register(app, key: str, item) -> None:
    """Add ``item`` to the seam ``key`` of ``app``; an item already there is not added again."""
    items = app.extensions.setdefault(_EXTENSION, {}).setdefault(key, [])
    if item not in items:
        items.append(item)


def registered(key: str) -> list:
    """What the current app has registered at the seam ``key``, in the order it was registered."""
    return list(current_app.extensions.get(_EXTENSION, {}).get(key, []))
