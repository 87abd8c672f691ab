"""The retention rules privacy keeps itself: ended login sessions of the office's accounts."""

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from portal.accounts.models import LoginSession, User
from portal.extensions import db
from portal.offices.models import Office
from portal.offices.scope import office_clause


def forget_ended_sessions(now: datetime, office: Office, days: int, dry_run: bool) -> int:
    """Delete the office's accounts' logins that ended more than ``days`` ago (when, from where).
    ``LOGIN_SESSION_RETENTION_SECONDS`` deletes them everywhere after at most that long."""
    where = (LoginSession.ended_at < now - timedelta(days=days),
             LoginSession.user_id.in_(select(User.id).where(office_clause(User, frozenset({office.id})))))
    if dry_run:
        return db.session.scalar(select(func.count()).select_from(LoginSession).where(*where)) or 0
    return db.session.execute(delete(LoginSession).where(*where).execution_options(synchronize_session=False)).rowcount
