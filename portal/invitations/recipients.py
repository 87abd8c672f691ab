"""Who receives an invitation's email: the cooperative's contact address, its board members'
addresses and its approved board accounts; an organisation's own address. Each in the language
its account prefers (Indonesian when the address has no account).

Read in three queries for any number of invitations, as plain values, so rendering thousands of
messages touches the database no further.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import aliased

from portal.accounts.models import User
from portal.cooperatives.models import BoardAccount, BoardAccountStatus, BoardMember, Cooperative
from portal.extensions import db
from portal.i18n import to_local
from portal.invitations.models import Invitation, InvitationRound

DEFAULT_LANGUAGE = "id"


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str | None
    language: str


@dataclass
class Addressee:
    """One invitation as the email needs it."""

    invitation_id: int
    token: str
    event_id: int
    cooperative_id: int | None
    guest_name: str
    what_to_bring: str | None
    recipients: list[Recipient] = field(default_factory=list)
    letter_number: str | None = None
    letter_dated: date | None = None

    def add(self, email: str | None, name: str | None, language: str | None) -> None:
        email = usable_address(email)
        if email and all(r.email != email for r in self.recipients):
            self.recipients.append(Recipient(email, name, language or DEFAULT_LANGUAGE))


def usable_address(email: str | None) -> str | None:
    """The address lower-cased, or None when it cannot be one (empty, spaces, no @)."""
    email = (email or "").strip().lower()
    if not email or "@" not in email or any(ch.isspace() for ch in email):
        return None
    return email


def has_address():
    """SQL: the cooperative has somewhere to send an email to."""
    return or_(
        func.coalesce(Cooperative.email, "") != "",
        exists().where(BoardMember.cooperative_id == Cooperative.id, func.coalesce(BoardMember.email, "") != ""),
        exists().where(BoardAccount.cooperative_id == Cooperative.id,
                       BoardAccount.status == BoardAccountStatus.APPROVED),
    )


def addressees(*conditions) -> list[Addressee]:
    """The invitations matching ``conditions`` (e.g. ``Invitation.round_id == 7``) with their
    recipients, in three queries whatever their number."""
    contact_user, organisation_user = aliased(User), aliased(User)
    rows = db.session.execute(
        select(Invitation.id, Invitation.token, Invitation.event_id, Invitation.cooperative_id,
               Invitation.organisation_name, Invitation.email, InvitationRound.what_to_bring,
               InvitationRound.letter_number, InvitationRound.created_at,
               Cooperative.name, Cooperative.email, contact_user.preferred_language,
               organisation_user.preferred_language)
        .join(InvitationRound, Invitation.round_id == InvitationRound.id)
        .outerjoin(Cooperative, Invitation.cooperative_id == Cooperative.id)
        .outerjoin(contact_user, contact_user.email == func.lower(Cooperative.email))
        .outerjoin(organisation_user, organisation_user.email == Invitation.email)
        .where(*conditions).order_by(Invitation.id))
    found, by_cooperative = [], {}
    for (invitation_id, token, event_id, cooperative_id, organisation, email, bring, letter_number, round_at,
         cooperative_name, cooperative_email, contact_language, organisation_language) in rows:
        addressee = Addressee(invitation_id, token, event_id, cooperative_id, cooperative_name or organisation, bring,
                              letter_number=letter_number, letter_dated=to_local(round_at).date())
        if cooperative_id is None:
            addressee.add(email, organisation, organisation_language)
        else:
            addressee.add(cooperative_email, cooperative_name, contact_language)
            by_cooperative[cooperative_id] = addressee
        found.append(addressee)
    if by_cooperative:
        invited = select(Invitation.cooperative_id).where(*conditions, Invitation.cooperative_id.is_not(None))
        member_user = aliased(User)
        members = db.session.execute(
            select(BoardMember.cooperative_id, BoardMember.email, BoardMember.full_name, member_user.preferred_language)
            .outerjoin(member_user, member_user.email == func.lower(BoardMember.email))
            .where(BoardMember.cooperative_id.in_(invited), BoardMember.email.is_not(None))
            .order_by(BoardMember.id))
        accounts = db.session.execute(
            select(BoardAccount.cooperative_id, User.email, User.full_name, User.preferred_language)
            .join(User, BoardAccount.user_id == User.id)
            .where(BoardAccount.cooperative_id.in_(invited), BoardAccount.status == BoardAccountStatus.APPROVED,
                   User.is_active_account.is_(True))
            .order_by(BoardAccount.id))
        for cooperative_id, email, name, language in [*members, *accounts]:
            if cooperative_id in by_cooperative:
                by_cooperative[cooperative_id].add(email, name, language)
    return found
