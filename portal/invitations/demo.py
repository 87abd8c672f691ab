"""Demo invitations: the capital-access training invites the active cooperatives of Kupang Timur
and Kupang Tengah, and a partner bank; a few have answered. Safe to run again: an event that
already has invitations is left alone."""

from sqlalchemy import select

from portal.cooperatives.models import CooperativeStatus, District
from portal.events.models import Event, EventStatus
from portal.extensions import db
from portal.invitations import services
from portal.invitations.models import Invitation
from portal.invitations.selection import BY_FILTER, Selection

TRAINING = "Sosialisasi Akses Permodalan dan KUR bagi Koperasi"
ANSWERS = [("accepted", None), ("accepted", None), ("declined", "Bertepatan dengan RAT koperasi kami."),
           ("declined", None)]


def seed_invitations(actor) -> None:
    event = db.session.scalar(select(Event).where(Event.title == TRAINING))
    if actor is None or event is None or event.status != EventStatus.PUBLISHED or services.has_ended(event):
        return
    if db.session.scalar(select(Invitation.id).where(Invitation.event_id == event.id).limit(1)):
        return
    districts = list(db.session.scalars(select(District.id).where(District.name.in_(("Kupang Timur",
                                                                                      "Kupang Tengah")))))
    services.send_invitations(actor, event, Selection(mode=BY_FILTER, district_ids=districts,
                                                      status=CooperativeStatus.ACTIVE),
                              [("Bank NTT Cabang Oelamasi", "kredit.oelamasi@bankntt.example")],
                              what_to_bring="Laporan keuangan dan laporan RAT terakhir.")
    invited = db.session.scalars(select(Invitation).where(Invitation.event_id == event.id,
                                                          Invitation.cooperative_id.is_not(None))
                                 .order_by(Invitation.id).limit(len(ANSWERS)))
    for invitation, (answer, reason) in zip(invited, ANSWERS, strict=False):
        services.answer_invitation(None, invitation, answer, reason=reason)
