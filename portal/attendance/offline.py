"""The offline sheet's token: opening a session's sheet mints a short-lived API token for that
event's check-ins (``attendance:write``), handed to the page, which keeps it with its queue of
marks in IndexedDB and sends the marks through the API when the connection returns. Logging out
revokes the user's sheet tokens."""

from datetime import datetime, timedelta

from sqlalchemy import update

from portal.api.models import ApiScope, ApiToken
from portal.api.services import MintedToken, mint_token
from portal.events.models import Event

SHEET_TOKEN_NAME = "offline-sheet"  # noqa: S105 (a token's name, not a secret)
# The token lives until the event's last session has ended and a little after (marks taken
# offline at the end of the day are sent on the way home), at least an hour, at most a day.
AFTER_LAST_SESSION = timedelta(hours=2)
SHORTEST, LONGEST = timedelta(hours=1), timedelta(hours=24)


def sheet_token_lifetime(event: Event, now: datetime) -> timedelta:
    last_end = max((session.ends_at for session in event.sessions), default=now)
    return min(max(last_end + AFTER_LAST_SESSION - now, SHORTEST), LONGEST)


def mint_sheet_token(actor, event: Event, now: datetime) -> MintedToken:
    """A token acting as ``actor`` for this event's check-ins only, until shortly after its end."""
    return mint_token(actor, SHEET_TOKEN_NAME, [ApiScope.ATTENDANCE_WRITE], now, event_id=event.id,
                      lifetime=sheet_token_lifetime(event, now))


def revoke_sheet_tokens(user, now: datetime) -> None:
    """At logout: the user's offline sheet tokens stop working (marks still queued on the phone
    stay there, to be sent after the next login opens the sheet again)."""
    if user is None or not getattr(user, "id", None):
        return
    from portal.extensions import db

    db.session.execute(update(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.name == SHEET_TOKEN_NAME, ApiToken.event_id.is_not(None),
        ApiToken.revoked_at.is_(None)).values(revoked_at=now))
