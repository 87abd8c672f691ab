"""What an invitation's mail has done, kept on the invitation: the counts of its invitation
messages by state, refreshed from the outbox for the invitations the mail layer names each time
it queues their messages or changes a message's state (the ``MESSAGE_WATCHERS`` seam), and the
delivery worked out from them. The tab then counts an event's deliveries from its invitations,
never from the outbox, which holds every message of the country."""

from sqlalchemy import case, update

from portal.extensions import db
from portal.invitations.emails import INVITATION_TEMPLATE
from portal.invitations.models import Delivery, Invitation
from portal.mail import queries as mail
from portal.mail.models import MessageStatus

BATCH = 5000  # ids a statement names: a round to the whole country takes a few dozen


def delivery():
    """SQL: an invitation's delivery from its kept counts."""
    return case((Invitation.messages_sent > 0, Delivery.SENT.value),
                (Invitation.messages_pending > 0, Delivery.QUEUED.value),
                (Invitation.messages_total == 0, Delivery.NO_ADDRESS.value), else_=Delivery.FAILED.value)


def keep_message_counts(invitation_ids) -> None:
    """Count again the invitation messages of ``invitation_ids`` (text or numbers) through the
    outbox's subject index and keep the counts on them: one statement for up to ``BATCH``."""
    every = sorted({int(i) for i in invitation_ids})

    def about(*statuses):
        return mail.count_about("invitation", Invitation.id, INVITATION_TEMPLATE, statuses)

    for start in range(0, len(every), BATCH):
        db.session.execute(
            update(Invitation).where(Invitation.id.in_(every[start:start + BATCH]))
            .values(messages_total=about(), messages_sent=about(MessageStatus.SENT),
                    messages_pending=about(*mail.PENDING), messages_failed=about(MessageStatus.FAILED))
            .execution_options(synchronize_session=False))
