"""``flask seed-demo``: demo data for Kupang, safe to run again."""

import click
from flask.cli import with_appcontext

from portal.accounts.models import Role
from portal.accounts.services import create_user, find_user_by_email
from portal.attendance.demo import seed_attendance
from portal.cooperatives.demo import seed_board_accounts, seed_cooperatives
from portal.database import utcnow
from portal.events.demo import seed_events
from portal.extensions import db
from portal.i18n import to_local
from portal.invitations.demo import seed_invitations
from portal.settings.services import get_office_settings

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
    db.session.commit()
    if created:
        click.echo(f"Created {created} demo cooperatives.")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for role, email, _password in logins:
        click.echo(f"  {role:<18} {email}")
    for role, email, cooperative in board_logins:
        click.echo(f"  {role:<18} {email}  ({cooperative})")
