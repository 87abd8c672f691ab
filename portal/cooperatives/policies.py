"""Who may act for a cooperative: the office's staff, and the board members whose claim on it the
office has approved. A rejected or revoked account sees nothing of it.

The role checks are ``portal/accounts/policies.py``; this one reads board claims, which belong to
the registry, so it lives here (accounts comes before cooperatives and imports none of it).
``user`` is None for someone who is not logged in.
"""

from sqlalchemy import select

from portal.accounts.models import Role
from portal.accounts.policies import is_staff
from portal.cooperatives.models import BoardAccount, BoardAccountStatus
from portal.extensions import db


def approved_cooperative_id(user) -> int | None:
    """The cooperative a board account may see: only through an approved claim."""
    if user is None or user.role != Role.BOARD:
        return None
    return db.session.scalar(select(BoardAccount.cooperative_id).where(
        BoardAccount.user_id == user.id, BoardAccount.status == BoardAccountStatus.APPROVED))


def is_board_of(user, cooperative_id: int | None) -> bool:
    """The approved board of that cooperative (a registration without one has no board)."""
    return cooperative_id is not None and approved_cooperative_id(user) == cooperative_id


def may_act_for(user, cooperative_id: int | None) -> bool:
    """Staff, or the approved board of that cooperative: the ownership check of board pages. A
    leader passes too: the access layer lets it only read (portal/accounts/access.py)."""
    return is_staff(user) or getattr(user, "is_leader", False) or is_board_of(user, cooperative_id)
