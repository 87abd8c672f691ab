"""How invitations plugs into events, the registry and mail: the events' signals, the registry's
renames, the .ics the worker attaches, and the reminders each pass of the worker sends when due."""

from portal.cooperatives.signals import cooperatives_renamed
from portal.database import begin_write
from portal.events import signals
from portal.extensions import db
from portal.invitations import emails, letters, reminders, services, tracking
from portal.seams import ATTACHMENT_NAMES, ATTACHMENT_RENDERERS, MESSAGE_WATCHERS, PERIODIC_JOBS, register


def send_due_reminders(now) -> None:
    """The worker's job: its own write transaction, committed by the worker."""
    begin_write(db.session)
    reminders.send_due_reminders(now)


def register_subscriptions(app) -> None:
    signals.event_rescheduled.connect(services.on_event_rescheduled, weak=False)
    signals.event_rescheduled.connect(reminders.on_event_rescheduled, weak=False)
    signals.event_cancelled.connect(services.on_event_cancelled, weak=False)
    cooperatives_renamed.connect(services.on_cooperatives_renamed, weak=False)
    register(app, ATTACHMENT_RENDERERS, (emails.CALENDAR_RENDERER, emails.render_calendar))
    register(app, ATTACHMENT_RENDERERS, (emails.LETTER_RENDERER, letters.render_invitation_letter))
    register(app, ATTACHMENT_NAMES, (emails.CALENDAR_RENDERER, emails.CALENDAR_NAME))
    register(app, ATTACHMENT_NAMES, (emails.LETTER_RENDERER, emails.LETTER_NAME))
    register(app, PERIODIC_JOBS, ("invitations.reminders", send_due_reminders))
    register(app, MESSAGE_WATCHERS, ("invitation", tracking.keep_message_counts))
