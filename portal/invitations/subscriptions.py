"""How invitations plugs into events and mail: the events' signals and the .ics the worker attaches."""

from portal.events import signals
from portal.invitations import emails, letters, services
from portal.mail.services import register_attachment_renderer


def register_subscriptions(app) -> None:
    signals.event_rescheduled.connect(services.on_event_rescheduled, weak=False)
    signals.event_cancelled.connect(services.on_event_cancelled, weak=False)
    register_attachment_renderer(app, emails.CALENDAR_RENDERER, emails.render_calendar)
    register_attachment_renderer(app, emails.LETTER_RENDERER, letters.render_invitation_letter)
