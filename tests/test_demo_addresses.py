"""Demo data never emails strangers: every address it holds is under a reserved domain
(RFC 2606 / 6761: example.org and friends, .test, .example), so a MAIL_SERVER pointed at a real
relay, as the README invites, reaches nobody."""

from sqlalchemy import select

from portal.accounts.models import User
from portal.cooperatives.models import BoardMember, Cooperative
from portal.events.models import GuestListEntry
from portal.extensions import db
from portal.invitations.models import Invitation
from portal.mail.models import OutboxMessage
from portal.registrations.models import Participant

RESERVED = ("example.org", "example.com", "example.net")
RESERVED_TLDS = (".test", ".example", ".invalid", ".localhost")


def _reserved(address: str) -> bool:
    domain = address.rsplit("@", 1)[-1].lower()
    return domain in RESERVED or domain.endswith(tuple("." + d for d in RESERVED)) or domain.endswith(RESERVED_TLDS)


def test_every_address_in_the_demo_data_is_under_a_reserved_domain(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    columns = [User.email, Cooperative.email, BoardMember.email, Participant.email, GuestListEntry.email,
               Invitation.email, OutboxMessage.recipient_email]
    addresses = {address for column in columns for address in db.session.scalars(select(column)) if address}
    assert len(addresses) > 100, "the demo has addresses to check"
    assert sorted(a for a in addresses if not _reserved(a)) == []
