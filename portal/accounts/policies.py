"""Who may do what, by role: the checks services and views share.

``user`` is None for someone who is not logged in: views pass ``current_actor()``, so no service
asks Flask-Login whether its actor is authenticated. A check that needs more than the role (is
this the board of that cooperative?) lives with what it reads: ``portal/cooperatives/policies.py``.
"""

from flask_babel import gettext as _

from portal.accounts.models import STAFF_ROLES
from portal.errors import RuleViolation


def is_staff(user) -> bool:
    """An organiser or an administrator."""
    return user is not None and user.role in STAFF_ROLES


def require_staff(user, message: str | None = None) -> None:
    """Refuse anyone but staff, with ``message`` (or a general one) as the refusal."""
    if not is_staff(user):
        raise RuleViolation(None, message or _("Only organisers can do this."))
