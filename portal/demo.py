"""``flask seed-demo``: demo data for Kupang, safe to run again."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.accounts.models import Role
from portal.accounts.services import create_user, find_user_by_email
from portal.attendance.demo import seed_attendance
from portal.cooperatives.demo import seed_board_accounts, seed_cooperatives
from portal.cooperatives.models import BoardAccount
from portal.database import utcnow
from portal.events.demo import seed_events
from portal.extensions import db
from portal.i18n import to_local
from portal.invitations.demo import seed_invitations
from portal.minutes.demo import seed_minutes
from portal.reports.demo import seed_leader, seed_reports
from portal.revival.demo import seed_revival
from portal.settings.services import get_office_settings
from portal.surveys.demo import seed_surveys

DEMO_PASSWORD = "demo12345"  # noqa: S105 (printed for the demo on purpose)
DEMO_STAFF = [
    ("admin@demo.portal-koperasi.example.org", "Yohanes Admin", Role.ADMIN),
    ("organiser@demo.portal-koperasi.example.org", "Maria Penyelenggara", Role.ORGANISER),
]


def seed_staff() -> list[tuple[str, str, str]]:
    logins = []
    for email, name, role in DEMO_STAFF:
        if find_user_by_email(email) is None:
            create_user(None, email, name, role, DEMO_PASSWORD)
        logins.append((role.value, email, DEMO_PASSWORD))
    return logins


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the Kupang demo data (idempotent) and print the demo logins."""
    get_office_settings()
    logins = seed_staff()
    created = seed_cooperatives(to_local(utcnow()).date())
    board_logins = seed_board_accounts()
    organiser = find_user_by_email(DEMO_STAFF[1][0])
    seed_events(organiser)
    seed_invitations(organiser)
    seed_attendance(organiser)
    seed_revival(organiser, to_local(utcnow()).date())
    seed_reports(organiser, to_local(utcnow()).date())
    seed_surveys(organiser)
    seed_minutes(organiser)
    leader = seed_leader(DEMO_PASSWORD)
    db.session.commit()
    if created:
        click.echo(f"Created {created} demo cooperatives.")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    emails = [email for _role, email, _password in logins] + [leader]
    for email in emails + [email for _role, email, _c in board_logins]:
        click.echo("  " + demo_login_state(email))


def demo_login_state(email: str) -> str:
    """A demo login as it stands now, not as first seeded: a later run says when the office has
    approved or rejected the board claim, deactivated the account or its password was changed."""
    user = find_user_by_email(email)
    notes = []
    if user.role is Role.BOARD:
        claim = db.session.scalar(select(BoardAccount).where(BoardAccount.user_id == user.id))
        notes.append(f"claim {claim.status.value}: {claim.cooperative.name}" if claim else "no cooperative claimed")
    if not user.is_active:
        notes.append("deactivated, cannot log in")
    if not user.check_password(DEMO_PASSWORD):
        notes.append("password changed, the demo password no longer works")
    return f"{user.role.value:<10} {email}" + (f"  ({'; '.join(notes)})" if notes else "")
